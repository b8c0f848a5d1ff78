// The console's Sponsors section in real Chromium against the real controller: the producer adds a
// sponsor (artwork uploaded, then the list through the reducer), edits its weight, turns the rotation on,
// the program template draws its bug, and the exposure table lists it.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { solidPng } from '../helpers/solid-png.ts';
import { openTemplate, waitForRegionColour, type NormalisedRect } from '../helpers/template-page.ts';
import { hexToRgb } from '../worker/media-checks.ts';
import { ADMIN_KEY, EVENT_ID, POLL_MS, until, useWebStack } from './web-stack.ts';

const SPONSOR_COLOUR = '#00ffff';
/** The middle of the sponsor bug at 1080p (template/scene/sponsor-view.ts: the artwork centred at 1720, 110). */
const BUG_REGION: NormalisedRect = { x0: 1690 / 1920, x1: 1750 / 1920, y0: 95 / 1080, y1: 125 / 1080 };

const suite = useWebStack();
const files = mkdtempSync(join(tmpdir(), 'pitchside-sponsors-console-'));

async function openSetup(): Promise<Page> {
  const page = await suite.stack.browser!.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  page.on('pageerror', (error) => console.error('[pageerror admin]', error));
  await page.goto(`${suite.stack.origin}/console?event=${EVENT_ID}&tab=setup#key=${ADMIN_KEY}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 20_000, polling: POLL_MS });
  return page;
}

describe('console sponsors', () => {
  it('adds a sponsor, sets its weight, turns the rotation on, and the program shows its bug', async () => {
    const { stack } = suite;
    const page = await openSetup();
    const file = join(files, 'acme.png');
    writeFileSync(file, solidPng(hexToRgb(SPONSOR_COLOUR), 240, 96));

    await page.type('#sponsor-new-name', 'Acme Tyres');
    await (await page.$('input#sponsor-file'))!.uploadFile(file);
    await page.click('#sponsor-add');
    const added = await until('the sponsor in the state', async () => {
      const state = await stack.state();
      return state.sponsors?.sponsors.length === 1 ? state.sponsors.sponsors[0] : null;
    });
    expect(added).toMatchObject({ name: 'Acme Tyres', kind: 'image', weight: 1, windows: ['play', 'break'] });
    expect(added.id).toMatch(/^acme-tyres-/);

    const weight = `li[data-sponsor="${added.id}"] .sponsor-weight`;
    await page.waitForSelector(weight, { timeout: 10_000 });
    await page.$eval(weight, (input) => {
      (input as HTMLInputElement).value = '3';
      input.dispatchEvent(new Event('change'));
    });
    await until('weight 3', async () => (await stack.state()).sponsors?.sponsors[0]?.weight === 3);

    await page.click('#sponsor-rotation');
    await until('rotation on', async () => (await stack.state()).sponsors?.on === true);
    await page.waitForFunction(
      () => document.querySelector('#sponsor-rotation')?.getAttribute('aria-pressed') === 'true',
      { timeout: 10_000, polling: POLL_MS },
    );

    const template = await openTemplate(
      stack.browser!,
      `${stack.origin}/template/?event=${EVENT_ID}&key=${encodeURIComponent(stack.keys.template)}`,
    );
    await waitForRegionColour(template, SPONSOR_COLOUR, BUG_REGION, 15_000, 12);

    await new Promise((r) => setTimeout(r, 1000));
    // The console again in front: a background tab's clicks and timers are throttled.
    await page.bringToFront();
    await page.$eval('#sponsor-report-refresh', (button) => (button as HTMLButtonElement).click());
    const row = await page.waitForSelector(`#sponsor-report tr[data-sponsor="${added.id}"]`, { timeout: 10_000 });
    expect(await row!.evaluate((e) => e.textContent ?? '')).toMatch(/^Acme Tyres\d+100\.0 %/);
    await template.close();
    await page.close();
  }, 120_000);
});
