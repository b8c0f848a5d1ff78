// The console's setup form beyond names and keys: the producer sets a team's scorebug logo (uploaded at
// once, shown as a thumbnail, removable) and the event's public playback (the watch info and HLS
// playback without the viewer key), in real Chromium against the real controller.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, EVENT_ID, POLL_MS, until, useWebStack } from './web-stack.ts';

const TABLET = { width: 820, height: 1180 };

const suite = useWebStack();
const files = mkdtempSync(join(tmpdir(), 'pitchside-console-setup-'));

async function openSetup(): Promise<Page> {
  const page = await suite.stack.browser!.newPage();
  await page.setViewport(TABLET);
  page.on('pageerror', (error) => console.error('[pageerror admin]', error));
  await page.goto(`${suite.stack.origin}/console?event=${EVENT_ID}&tab=setup#key=${ADMIN_KEY}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 20_000, polling: POLL_MS });
  return page;
}

/** The watch info as a stranger without any key gets it. */
async function watchStatusWithoutKey(): Promise<number> {
  return (await fetch(`${suite.stack.origin}/api/events/${EVENT_ID}/watch`)).status;
}

async function saveAndWait(page: Page): Promise<void> {
  await page.$eval('#form-summary', (e) => (e.textContent = ''));
  await page.$eval('#save-event', (e) => (e as HTMLButtonElement).click());
  await page.waitForFunction(() => document.querySelector('#form-summary')?.textContent === 'Saved.', {
    polling: POLL_MS,
    timeout: 10_000,
  });
}

describe('console setup', () => {
  it('public playback: ticked and saved, the watch info opens without a key; unticked, it closes again', async () => {
    expect(await watchStatusWithoutKey()).toBe(401);
    const page = await openSetup();
    expect(await page.$eval('#event-public-playback', (e) => (e as HTMLInputElement).checked)).toBe(false);

    await page.$eval('#event-public-playback', (e) => (e as HTMLInputElement).click());
    await saveAndWait(page);
    expect((await suite.stack.app!.events.require(EVENT_ID)).publicPlayback).toBe(true);
    expect(await watchStatusWithoutKey()).toBe(200);

    // A reload shows what is saved.
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { polling: POLL_MS });
    expect(await page.$eval('#event-public-playback', (e) => (e as HTMLInputElement).checked)).toBe(true);

    await page.$eval('#event-public-playback', (e) => (e as HTMLInputElement).click());
    await saveAndWait(page);
    expect((await suite.stack.app!.events.require(EVENT_ID)).publicPlayback).toBe(false);
    expect(await watchStatusWithoutKey()).toBe(401);
    await page.close();
  });

  it('a team logo uploaded in the console goes on the scorebug at once, shows as a thumbnail, and Remove takes it off', async () => {
    const png = join(files, 'crest.png');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x00ff88:s=64x64', '-frames:v', '1', png]);
    const page = await openSetup();
    expect((await suite.stack.state()).scorebug.away.logo ?? null).toBeNull();
    expect(await page.$eval('#away-logo-remove', (e) => (e as HTMLButtonElement).disabled)).toBe(true);

    await (await page.$('input#away-logo'))!.uploadFile(png);
    const logo = await until('the away logo on the scorebug state', async () => {
      return (await suite.stack.state()).scorebug.away.logo ?? null;
    });
    expect(logo).toMatch(/\.png$/);
    // No Save needed: the form's unsaved fields are not sent, the thumbnail shows the stored image.
    await page.waitForFunction(
      () => {
        const thumb = document.querySelector<HTMLImageElement>('#away-logo-thumb');
        return thumb !== null && thumb.complete && thumb.naturalWidth === 64;
      },
      { polling: POLL_MS, timeout: 10_000 },
    );
    expect(await page.$eval('#away-logo-thumb', (e) => (e as HTMLImageElement).src)).toContain(logo);
    // Saving the form afterwards with the team renamed keeps the logo (the form does not carry it).
    await page.$eval('#away-name', (e) => ((e as HTMLInputElement).value = 'Away United FC'));
    await saveAndWait(page);
    const saved = await suite.stack.state();
    expect(saved.scorebug.away.name).toBe('Away United FC');
    expect(saved.scorebug.away.logo).toBe(logo);

    await page.$eval('#away-logo-remove', (e) => (e as HTMLButtonElement).click());
    await until('the away logo off the scorebug state', async () =>
      (await suite.stack.state()).scorebug.away.logo == null ? true : null,
    );
    await page.waitForFunction(
      () =>
        !document.querySelector('#away-logo-thumb')!.hasAttribute('src') &&
        (document.querySelector('#away-logo-remove') as HTMLButtonElement).disabled,
      { polling: POLL_MS, timeout: 10_000 },
    );
    await page.close();
  });

  it('a new event has no logo picker yet, and says when it will', async () => {
    const page = await suite.stack.browser!.newPage();
    await page.setViewport(TABLET);
    await page.goto(`${suite.stack.origin}/console?new#key=${ADMIN_KEY}`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { polling: POLL_MS });
    expect(await page.$('input#home-logo')).toBeNull();
    expect(await page.$eval('.team-logo-cell', (e) => e.textContent)).toMatch(/once the event is created/);
    await page.close();
  });
});
