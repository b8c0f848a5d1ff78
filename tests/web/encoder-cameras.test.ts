// The director's encoder-camera panel in real Chromium against the real controller, with LiveKit's Twirp
// stub behind it: add an RTMP camera by name, read its URL, key and QR code, follow its encoder's state from
// an ingress webhook, close the key off the screen, and remove the camera (and its ingress).
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitTwirpStub, STUB_RTMP_BASE_URL } from '../helpers/livekit-twirp.ts';
import { buildPages, POLL_MS, WebStack } from './web-stack.ts';

let stub: LiveKitTwirpStub;
let stack: WebStack;

beforeAll(async () => {
  stub = new LiveKitTwirpStub();
  await stub.start();
  stack = new WebStack(await buildPages(), { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret });
  await stack.start();
}, 300_000);

afterAll(async () => {
  await stack?.close();
  await stub?.close();
});

const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent ?? '').catch(() => null);

describe('director: encoder cameras', () => {
  it('adds an RTMP camera, shows its key and QR once, follows its encoder and removes it', async () => {
    const page = await stack.open(stack.pageUrl('director', 'director'), { width: 1920, height: 1080 });
    await page.type('#encoder-cameras input[name="encoder-label"]', 'GoPro goal');
    await page.select('#encoder-cameras select[name="encoder-input"]', 'rtmp');
    await page.click('#encoder-cameras button[type="submit"]');

    await page.waitForSelector('#encoder-cameras code[data-field="streamKey"]', { timeout: 15_000 });
    const [ingress] = [...stub.ingresses.values()];
    expect(ingress).toBeDefined();
    expect(await textOf(page, '#encoder-cameras code[data-field="streamKey"]')).toBe(ingress!.streamKey);
    expect(await textOf(page, '#encoder-cameras code[data-field="url"]')).toBe(STUB_RTMP_BASE_URL);
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('#encoder-cameras .encoder-qr')?.naturalWidth ?? 0) > 0,
      { polling: POLL_MS, timeout: 15_000 },
    );
    const cameraId = ingress!.participantIdentity;
    await page.waitForFunction(
      (id) => document.querySelector(`#encoder-cameras li[data-camera="${id}"]`)?.textContent?.includes('waiting'),
      { polling: POLL_MS, timeout: 15_000 },
      cameraId,
    );

    const payload = JSON.stringify({
      event: 'ingress_started',
      ingressInfo: {
        ingressId: ingress!.ingressId,
        roomName: ingress!.roomName,
        participantIdentity: cameraId,
        state: { status: 'ENDPOINT_PUBLISHING' },
      },
    });
    const hook = await fetch(`${stack.origin}/api/livekit/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', authorization: await stub.signWebhook(payload) },
      body: payload,
    });
    expect(hook.status).toBe(200);
    await page.waitForFunction(
      (id) => document.querySelector(`#encoder-cameras li[data-camera="${id}"] .state-publishing`) !== null,
      { polling: POLL_MS, timeout: 15_000 },
      cameraId,
    );

    // Closed, the key is gone from the page; only an operator's click reads it back from the controller.
    await page.$$eval('#encoder-cameras .encoder-access button', (buttons) =>
      (buttons[0] as HTMLButtonElement).click(),
    );
    expect(await page.content()).not.toContain(ingress!.streamKey);

    await page.$eval(`#encoder-cameras li[data-camera="${cameraId}"] button:last-of-type`, (b) => b.click());
    await page.waitForFunction(() => document.querySelectorAll('#encoder-cameras li').length === 0, {
      polling: POLL_MS,
      timeout: 15_000,
    });
    expect(stub.ingresses.size).toBe(0);
    const state = await stack.state();
    expect(state.sources.map((s) => s.id)).not.toContain(cameraId);
    await page.close();
  });
});
