// The console offers an SRT destination (its kind's preset): server URL, stream id and passphrase typed in,
// stored as kind `srt`, shown again as saved fingerprints and never as the secrets themselves.
import { resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PitchsideEvent } from '../../protocol/index.ts';
import { findPage } from '../../controller/plugins/static-pages.ts';
import { ADMIN_KEY, buildPages, POLL_MS, WebStack } from './web-stack.ts';

const STREAM_ID = 'venue-feed-Secret-6203';
const PASSPHRASE = 'srt-pass-Secret-9917';
let stack: WebStack;

beforeAll(async () => {
  stack = new WebStack(findPage(resolve('dist'), 'admin') !== null ? resolve('dist') : await buildPages());
  await stack.start();
}, 300_000);

afterAll(async () => {
  await stack?.close();
});

async function value(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (e) => (e as HTMLInputElement).value);
}

describe('SRT destination in the console', () => {
  it('is created from its own service choice and comes back with its secrets as fingerprints only', async () => {
    const page = await stack.browser!.newPage();
    const bodies: string[] = [];
    page.on('response', (response) => {
      if (response.request().method() !== 'OPTIONS')
        void response.text().then(
          (t) => bodies.push(t),
          () => {},
        );
    });
    await page.goto(`${stack.origin}/admin?new#key=${ADMIN_KEY}`, { waitUntil: 'load' });
    await page.waitForSelector('#event-form');
    await page.type('#event-name-input', 'Venue feed');
    await page.type('#home-name', 'Reds');
    await page.type('#away-name', 'Blues');
    await page.click('#add-destination');
    await page.select('.destination-row .dest-service', 'srt');
    // Only SRT asks for a passphrase; its URL example is an srt:// one.
    expect(await page.$eval('.destination-row .dest-passphrase', (e) => e.closest<HTMLElement>('.field')!.hidden)).toBe(
      false,
    );
    expect(await page.$eval('.destination-row .dest-url', (e) => (e as HTMLInputElement).placeholder)).toMatch(
      /^srt:\/\//,
    );
    await page.type('.destination-row .dest-url', 'srt://203.0.113.30:9000');
    await page.type('.destination-row .dest-key', STREAM_ID);
    await page.type('.destination-row .dest-passphrase', PASSPHRASE);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { polling: POLL_MS });

    const eventId = new URL(page.url()).searchParams.get('event') ?? '';
    const response = await fetch(`${stack.origin}/api/events/${eventId}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const event = (await response.json()) as PitchsideEvent;
    expect(event.destinations).toMatchObject([
      { id: 'srt', kind: 'srt', label: 'SRT (caller)', serverUrl: 'srt://203.0.113.30:9000' },
    ]);
    expect(await stack.app!.events.getDestinationsWithSecrets(eventId)).toMatchObject([
      { streamKey: STREAM_ID, passphrase: PASSPHRASE },
    ]);

    await page.click('#tab-setup');
    await page.waitForSelector('.destination-row .dest-passphrase');
    expect(await value(page, '.destination-row .dest-service')).toBe('srt');
    expect(await value(page, '.destination-row .dest-url')).toBe('srt://203.0.113.30:9000');
    expect(await page.$eval('.destination-row .dest-passphrase', (e) => (e as HTMLInputElement).placeholder)).toMatch(
      /^Saved •••• #[0-9a-f]{4}/,
    );
    const text = await page.evaluate(
      () => document.documentElement.outerHTML + [...document.querySelectorAll('input')].map((e) => e.value).join('\n'),
    );
    for (const secret of [STREAM_ID, PASSPHRASE]) {
      expect(text).not.toContain(secret);
      expect(bodies.some((b) => b.includes(secret))).toBe(false);
    }
    await page.close();
  }, 120_000);
});
