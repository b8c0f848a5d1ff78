// The template's preview view (`view=preview`), as the director's preview monitor loads it: the preview
// source full frame as the next take would show it, graphics as on program, no sound, no Egress signal.
// Real controller (commands over HTTP, WebSocket to the page), real Chromium, pages built privately.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cornerRect, TEMPLATE_QUERY, testSourceColour } from '../../protocol/index.ts';
import {
  programSpectrum,
  waitForRegionColour,
  waitForRevision,
  waitReady,
  type NormalisedRect,
} from '../helpers/template-page.ts';
import { buildPages, EVENT_ID, WebStack } from '../web/web-stack.ts';

const colour = (n: number) => testSourceColour(n);
/** Anything louder than this on the preview page's mix is sound it must not make. */
const SILENCE_DB = -120;

describe('template preview view', () => {
  let stack: WebStack;
  let page: Page;
  const consoleLogs: string[] = [];

  beforeAll(async () => {
    stack = new WebStack(await buildPages());
    await stack.start();
    const query = new URLSearchParams({
      event: EVENT_ID,
      key: stack.keys.template,
      width: '1280',
      height: '720',
      [TEMPLATE_QUERY.view]: 'preview',
    });
    page = await stack.browser!.newPage();
    // Listening before the page loads: console.log is the Egress signal channel (START_RECORDING).
    page.on('console', (message) => {
      if (message.type() === 'log') consoleLogs.push(message.text());
    });
    await page.setViewport({ width: 1280, height: 720 });
    await page.goto(`${stack.origin}/template/?${query}`, { waitUntil: 'load' });
    await waitReady(page);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('shows the preview source full frame, not the program source', async () => {
    const state = await stack.state();
    expect(state.program).toBe('camera-1');
    expect(state.preview).toBe('camera-2');
    await waitForRegionColour(page, colour(2));
    const frame = await page.evaluate(() => window.pitchside!.frame());
    expect(frame.layout).toBe('single');
  });

  it('follows a preview change and ignores a take in progress on program', async () => {
    let state = await stack.command({ type: 'program.preview', source: 'camera-3' });
    await waitForRevision(page, state.revision);
    await waitForRegionColour(page, colour(3));
    // A long mix on program: the preview picture is settled, never a blend.
    await stack.command({ type: 'program.preview', source: 'camera-4' });
    state = await stack.command({
      type: 'program.take',
      source: 'camera-2',
      transition: { type: 'mix', durationMs: 3000 },
    });
    await waitForRevision(page, state.revision);
    await waitForRegionColour(page, colour(Number(String(state.preview).slice(-1))), undefined, 1000);
  });

  it('draws the graphics program draws (PiP)', async () => {
    const state = await stack.command({ type: 'pip.set', source: 'camera-1', corner: 'top-right', visible: true });
    await waitForRevision(page, state.revision);
    const rect = cornerRect('top-right');
    const centre: NormalisedRect = {
      x0: rect.x + rect.w / 2 - 0.03,
      x1: rect.x + rect.w / 2 + 0.03,
      y0: rect.y + rect.h / 2 - 0.03,
      y1: rect.y + rect.h / 2 + 0.03,
    };
    await waitForRegionColour(page, colour(1), centre, 3000);
  });

  it('is silent and never logs an Egress signal', async () => {
    const { bins } = await programSpectrum(page, 2048);
    const loudestDb = Math.max(...bins);
    expect(loudestDb).toBeLessThan(SILENCE_DB);
    expect(consoleLogs.filter((text) => /RECORDING/.test(text))).toEqual([]);
  });
});
