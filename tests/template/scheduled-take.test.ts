// A scheduled take (`at`) switches every renderer on the same server time: two template pages at 30 fps,
// real controller, real Chromium; each page records, for every frame it draws, the server time it drew
// for and the check-region colour, and the switch is read off those frames.
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../runtime/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSourceColour, type ProgramState } from '../../protocol/index.ts';
import {
  colourDistance,
  drawnFrames,
  hexToRgb,
  recordDrawnFrames,
  waitReady,
  waitForRevision,
  type Rgb,
} from '../helpers/template-page.ts';
import { buildPages, EVENT_ID, WebStack } from '../web/web-stack.ts';

const FPS = 30;
const FRAME_MS = 1000 / FPS;
/** How far ahead the take is scheduled: long enough for the command to reach both pages under load. */
const LEAD_MS = 2500;

/** The server times of the last frame showing `from` and the first showing `to`. */
async function switchFrames(page: Page, from: string, to: string): Promise<{ lastOld: number; firstNew: number }> {
  const frames = await drawnFrames(page);
  const near = (rgb: Rgb, hex: string): boolean => colourDistance(rgb, hexToRgb(hex)) <= 6;
  const firstNewIndex = frames.findIndex((f) => near(f.rgb, to));
  const firstNew = frames[firstNewIndex];
  const lastOld = frames
    .slice(0, Math.max(0, firstNewIndex))
    .reverse()
    .find((f) => near(f.rgb, from));
  if (firstNew === undefined || lastOld === undefined) throw new Error(`no switch from ${from} to ${to} was drawn`);
  return { lastOld: lastOld.serverNow, firstNew: firstNew.serverNow };
}

describe('scheduled takes', () => {
  let stack: WebStack;
  let second: Browser | null = null;
  const pages: Page[] = [];

  beforeAll(async () => {
    stack = new WebStack(await buildPages());
    await stack.start();
    // Two renderers as two browsers (as Egress and the recorder are): a background tab draws no frames.
    second = await launchChromium({ width: 1280, height: 720 });
    for (const browser of [stack.browser!, second]) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 720 });
      const query = new URLSearchParams({
        event: EVENT_ID,
        key: stack.keys.template,
        width: '1280',
        height: '720',
        fps: String(FPS),
      });
      await page.goto(`${stack.origin}/template/?${query}`, { waitUntil: 'load' });
      await waitReady(page);
      pages.push(page);
    }
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await stack?.close();
  });

  it('two template pages switch on frames drawn for the same server time', async () => {
    const before = await stack.state();
    const from = before.program ?? 'camera-1';
    const to = before.sources.find((s) => s.id !== from && s.id !== before.preview)?.id ?? 'camera-3';
    for (const page of pages) await recordDrawnFrames(page);
    const at = Date.now() + LEAD_MS;
    const state: ProgramState = await stack.command({
      type: 'program.take',
      source: to,
      transition: { type: 'cut' },
      at,
    });
    expect(state.take).toMatchObject({ to, startedAt: at });
    for (const page of pages) await waitForRevision(page, state.revision, 10_000);
    // Let both pages draw past the scheduled time.
    await pages[0]!.waitForFunction(
      (t) => (window.pitchside?.frame().serverNow ?? 0) > t + 500,
      { timeout: LEAD_MS + 10_000, polling: 'raf' },
      at,
    );
    const fromHex = testSourceColour(Number(from.split('-')[1]));
    const toHex = testSourceColour(Number(to.split('-')[1]));
    const switches = await Promise.all(pages.map((page) => switchFrames(page, fromHex, toHex)));
    for (const s of switches) {
      // Each page: the old source up to the scheduled time, the new one from it (never early).
      expect(s.lastOld).toBeLessThan(at);
      expect(s.firstNew).toBeGreaterThanOrEqual(at);
    }
    const [a, b] = switches;
    // The first new frames of the two pages are at most one frame interval apart (a little slack for a
    // machine that is busy with other tests; the bench measures it idle).
    expect(Math.abs(a!.firstNew - b!.firstNew)).toBeLessThanOrEqual(FRAME_MS * 2);
  });

  it('a cancelled scheduled take never reaches the picture', async () => {
    const before = await stack.state();
    const from = before.program ?? 'camera-1';
    const to = before.sources.find((s) => s.id !== from)?.id ?? 'camera-2';
    const at = Date.now() + LEAD_MS;
    await stack.command({ type: 'program.take', source: to, transition: { type: 'cut' }, at });
    const cancelled = await stack.command({ type: 'program.cancel' });
    expect(cancelled.program).toBe(from);
    for (const page of pages) {
      await waitForRevision(page, cancelled.revision, 10_000);
      await recordDrawnFrames(page);
    }
    await pages[0]!.waitForFunction(
      (t) => (window.pitchside?.frame().serverNow ?? 0) > t + 300,
      { timeout: LEAD_MS + 10_000, polling: 'raf' },
      at,
    );
    const toHex = testSourceColour(Number(to.split('-')[1]));
    for (const page of pages) {
      const frames = await drawnFrames(page);
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.some((f) => colourDistance(f.rgb, hexToRgb(toHex)) <= 6)).toBe(false);
    }
  });
});
