// The Egress contract in real Chromium, with the page's LiveKit room stand-in (no LiveKit server runs
// here): START_RECORDING only once the program source has frames, div.error only for fatal errors,
// layout changes through participant metadata without a reload, and data messages on the one apply path.
import type { Browser, ConsoleMessage, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { TemplateControllerStub } from '../helpers/template-controller-stub.ts';
import { sampleRegion, waitForRegionColour, waitForRevision, waitReady } from '../helpers/template-page.ts';

interface StandIn {
  publishCamera(identity: string, colour: string): void;
  setLayout(layout: string): void;
  sendProgramData(message: unknown): void;
  connects: { url: string; token: string }[];
}

const CAMERA_COLOUR = '#12a4b6';
/** Long enough that an early START_RECORDING would show, short against the fallback timeout. */
const NO_FRAMES_WAIT_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function egressQuery(token = 'eyJ.stand-in.token'): Record<string, string> {
  return {
    width: '1280',
    height: '720',
    room: 'stand-in',
    url: 'wss://livekit.invalid',
    token,
    layout: 'single-speaker',
  };
}

async function errorText(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector<HTMLElement>('div.error')?.innerText ?? '');
}

describe('Egress contract', () => {
  let stub: TemplateControllerStub;
  let browser: Browser;

  beforeAll(async () => {
    stub = new TemplateControllerStub();
    await stub.start();
    stub.command(
      { type: 'source.add', source: { id: 'pitch-cam', label: 'Pitch cam', kind: 'livekit', participant: 'phone-7' } },
      { type: 'program.take', source: 'pitch-cam', transition: { type: 'cut' } },
    );
    browser = await launchChromium({ width: 1280, height: 720 });
  });

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
  });

  it('starts recording only once the program camera has decoded frames, once, with no div.error', async () => {
    const page = await browser.newPage();
    const logs: { type: string; text: string; at: number }[] = [];
    page.on('console', (m: ConsoleMessage) => logs.push({ type: m.type(), text: m.text(), at: Date.now() }));
    await page.goto(stub.templateUrl(egressQuery()), { waitUntil: 'load' });
    await page.waitForFunction(() => window.pitchside?.standInRoom !== undefined);
    await waitForRevision(page, stub.state.revision);
    await sleep(NO_FRAMES_WAIT_MS);
    expect(logs.filter((l) => l.text === 'START_RECORDING')).toEqual([]);

    const publishedAt = Date.now();
    await page.evaluate(
      (colour) => (window.pitchside?.standInRoom as StandIn).publishCamera('phone-7', colour),
      CAMERA_COLOUR,
    );
    await waitReady(page);
    await waitForRegionColour(page, CAMERA_COLOUR);
    await sleep(300);
    const starts = logs.filter((l) => l.text === 'START_RECORDING');
    expect(starts).toHaveLength(1);
    expect(starts[0]?.type).toBe('log');
    expect(starts[0]?.at).toBeGreaterThanOrEqual(publishedAt);
    // console.log is reserved for the Egress signals.
    expect(logs.filter((l) => l.type === 'log' && l.text !== 'START_RECORDING')).toEqual([]);
    const connects = await page.evaluate(() => (window.pitchside?.standInRoom as StandIn).connects);
    expect(connects).toEqual([{ url: 'wss://livekit.invalid', token: 'eyJ.stand-in.token' }]);
    expect(await errorText(page)).toBe('');

    // Layout change through participant metadata (UpdateLayout), applied live: no reload.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await page.evaluate(() => (window.pitchside?.standInRoom as StandIn).setLayout('grid'));
    await page.waitForFunction(() => window.pitchside?.frame().layout === 'quad');
    // Quad shows the first four sources: camera-1 top left, camera-3 bottom left.
    await waitForRegionColour(page, '#d62728', { x0: 0.1, x1: 0.2, y0: 0.2, y1: 0.3 });
    await waitForRegionColour(page, '#2ca02c', { x0: 0.1, x1: 0.2, y0: 0.7, y1: 0.8 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // Data messages share the apply path with the WebSocket: a newer revision applies, an older one not.
    const before = stub.message();
    const next = apply(before.state, { type: 'scorebug.set', visible: true, period: 'OT' }, { now: Date.now() });
    if (!next.ok) throw new Error('scorebug.set failed');
    await page.evaluate((m) => (window.pitchside?.standInRoom as StandIn).sendProgramData(m), {
      ...before,
      state: next.state,
    });
    await waitForRevision(page, next.state.revision);
    await page.evaluate((m) => (window.pitchside?.standInRoom as StandIn).sendProgramData(m), before);
    await sleep(200);
    expect((await sampleRegion(page)).frame.revision).toBe(next.state.revision);
    await page.close();
  });

  it('puts a message in div.error when the room cannot be joined (fatal), and only then', async () => {
    const page = await browser.newPage();
    await page.goto(stub.templateUrl(egressQuery('stand-in-rejected')), { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelector<HTMLElement>('div.error')?.innerText !== undefined, {
      timeout: 10_000,
    });
    expect(await errorText(page)).toMatch(/could not start.*invalid token/);
    await page.close();
  });

  it('puts a message naming the field in div.error for a bad template URL', async () => {
    const page = await browser.newPage();
    await page.goto(stub.templateUrl({ ...egressQuery(), width: '1000' }), { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelector('div.error') !== null, { timeout: 10_000 });
    expect(await errorText(page)).toMatch(/^Template URL: width /);
    await page.close();
  });
});
