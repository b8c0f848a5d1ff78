// The program template in real headless Chromium, checked by its pixels: takes, mixes, wipes, PiP,
// scorebug, and a reload that resyncs program and clock. State changes go through the real controller
// (HTTP commands, WebSocket snapshot + updates), as in production.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clockValueMs,
  cornerRect,
  testSourceColour,
  testSourceToneHz,
  type FrameInfo,
  type ProgramState,
  type WipeFrom,
} from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { TemplateTestController } from '../helpers/template-controller.ts';
import {
  colourDistance,
  hexToRgb,
  openTemplate,
  pageFrame,
  programSpectrum,
  sampleRegion,
  steadyPixels,
  waitForRegionColour,
  waitForRevision,
  waitForServerTime,
  waitReady,
  type NormalisedRect,
} from '../helpers/template-page.ts';

const FPS = 30;
const FRAME_MS = 1000 / FPS;
/** A take must be on screen within this many output frames of the state reaching the page. */
const MAX_TAKE_FRAMES = 3;
const colour = (n: number) => testSourceColour(n);
const around = (x: number, y: number, r = 0.01): NormalisedRect => ({ x0: x - r, x1: x + r, y0: y - r, y1: y + r });
/** How long the clock check may wait for the ping/pong offset estimate (5 quick pings take ~1 s). */
const CLOCK_SETTLE_MS = 5000;
/** Each wipe's revealed side and the side not yet reached, sampled at 1 s of 2.4 s. */
const WIPES: [WipeFrom, NormalisedRect, NormalisedRect][] = [
  ['left', around(0.2, 0.5), around(0.8, 0.5)],
  ['right', around(0.8, 0.5), around(0.2, 0.5)],
  ['top', around(0.5, 0.22), around(0.5, 0.78)],
  ['bottom', around(0.5, 0.78), around(0.5, 0.22)],
];

describe('program template pixels', () => {
  const session = templateSession(1280, 720);

  it('shows the program source and, after a cut, the new one within a bounded number of frames', async () => {
    await waitForRegionColour(session.page, colour(1));
    const state = await session.stub.command({ type: 'program.take', source: 'camera-2', transition: { type: 'cut' } });
    const applied = await waitForRevision(session.page, state.revision);
    const shown = await waitForRegionColour(session.page, colour(2));
    expect(shown.frame.index - applied.index).toBeLessThanOrEqual(MAX_TAKE_FRAMES);
  });

  it('plays the program source tone (audio follows video)', async () => {
    const { bins, binHz } = await programSpectrum(session.page);
    const peakHz = bins.indexOf(Math.max(...bins)) * binHz;
    expect(Math.abs(peakHz - testSourceToneHz(2))).toBeLessThan(15);
  });

  it('shows a blend mid-mix, matching the transition progress', async () => {
    await expectMidMixBlend(session.page, session.stub);
  });

  for (const [from, revealed, notYet] of WIPES) {
    it(`a wipe from ${from} reveals the new source from the ${from}`, async () => {
      await expectWipe(session.page, session.stub, from, revealed, notYet);
    });
  }

  it('shows the PiP source inside the PiP rectangle, clear of the check region', async () => {
    const program = Number(String(session.stub.state.program).slice(-1));
    const state = await session.stub.command({
      type: 'pip.set',
      source: 'camera-4',
      corner: 'top-right',
      visible: true,
    });
    await waitForRevision(session.page, state.revision);
    const rect = cornerRect('top-right');
    await waitForRegionColour(session.page, colour(4), around(rect.x + rect.w / 2, rect.y + rect.h / 2, 0.03), 3000);
    await waitForRegionColour(session.page, colour(program));
  });

  it('changes the scorebug pixels when a score changes', async () => {
    const scorebug: NormalisedRect = { x0: 0.02, x1: 0.3, y0: 0.03, y1: 0.1 };
    let state = await session.stub.command({ type: 'scorebug.set', visible: true });
    const shot = () => session.page.screenshot({ clip: clipOf(scorebug), encoding: 'base64' });
    await waitForRevision(session.page, state.revision);
    // Each sample once the scorebug's fade or score flash has ended: the pixels hold across frames.
    const before = await steadyPixels(session.page, shot);
    state = await session.stub.command({ type: 'score.adjust', team: 'home', delta: 1 });
    await waitForRevision(session.page, state.revision);
    const after = await steadyPixels(session.page, shot);
    expect(after).not.toEqual(before);
    // And back: the same score draws the same pixels, so the difference was the score.
    state = await session.stub.command({ type: 'score.adjust', team: 'home', delta: -1 });
    await waitForRevision(session.page, state.revision);
    expect(await steadyPixels(session.page, shot)).toEqual(before);
  });

  // A reload is a new document: it is one here, opened beside the session's page. Reloading the session's page
  // in place (page.reload under puppeteer) intermittently stopped the page answering CDP calls in CI (3 of 5
  // full runs on 7 Dec 2026), which no product path does: a program renderer is loaded once per output.
  it('resyncs to the same program and clock when loaded mid-match and after a lost connection', async () => {
    const state = await session.stub.command(
      { type: 'clock.set', valueMs: 754_321 },
      { type: 'clock.start' },
      { type: 'program.take', source: 'camera-4', transition: { type: 'cut' } },
    );
    await waitForRevision(session.page, state.revision);
    const page = await openTemplate(session.browser, session.stub.templateUrl({ width: 1280, height: 720, fps: FPS }), {
      width: 1280,
      height: 720,
    });
    try {
      await resyncs(page, state);
    } finally {
      await page.close();
    }
  });

  async function resyncs(page: Page, state: ProgramState): Promise<void> {
    await waitReady(page);
    await waitForRegionColour(page, colour(4));
    // Same host, so the true server time of a frame is its wall time: once the first pings have set the
    // offset estimate, the clock shown is within a frame of it.
    const clockError = (frame: FrameInfo): number =>
      Math.abs(frame.clockMs - clockValueMs(session.stub.state.clock, frame.wallTime));
    // Polled on a timer, not on the page's animation frames: waiting frame by frame here stalled the
    // page's drawing in headless Chromium after the reload (seen in CI), which no product path does.
    const clock = session.stub.state.clock;
    await page
      .waitForFunction(
        (c, tolerance) => {
          const f = window.pitchside?.frame();
          if (f === undefined) return false;
          const expected = c.running && c.startedAt !== null ? c.baseMs + (f.wallTime - c.startedAt) : c.baseMs;
          return Math.abs(f.clockMs - expected) <= tolerance;
        },
        { timeout: CLOCK_SETTLE_MS, polling: 50 },
        clock,
        FRAME_MS,
      )
      .catch(() => undefined); // the assertion below reports the error
    const frame = await pageFrame(page);
    expect(frame.revision).toBe(state.revision);
    expect(clockError(frame)).toBeLessThanOrEqual(FRAME_MS);

    await session.stub.dropConnections();
    const later = await session.stub.command({ type: 'program.take', source: 'camera-1', transition: { type: 'cut' } });
    await waitForRevision(page, later.revision, 10_000);
    await waitForRegionColour(page, colour(1));
  }
});

// At 1080p with 720p sources a transition is composited at 720p and scaled once (LayerCompositor):
// the same checks must hold on that path.
describe("program template pixels at 1080p (transitions composited at the sources' resolution)", () => {
  const session = templateSession(1920, 1080);

  it('shows a blend mid-mix, matching the transition progress', async () => {
    await waitForRegionColour(session.page, colour(1));
    await expectMidMixBlend(session.page, session.stub);
  });

  it('a wipe from left reveals the new source from the left', async () => {
    const [from, revealed, notYet] = WIPES[0] ?? ['left', around(0.2, 0.5), around(0.8, 0.5)];
    await expectWipe(session.page, session.stub, from, revealed, notYet);
  });
});

async function expectMidMixBlend(page: Page, stub: TemplateTestController): Promise<void> {
  const before = Number(String(stub.state.program).slice(-1));
  const to = before === 3 ? 2 : 3;
  const state = await stub.command({
    type: 'program.take',
    source: `camera-${to}`,
    transition: { type: 'mix', durationMs: 3000 },
  });
  await waitForRevision(page, state.revision);
  const take = state.take;
  if (take === null) throw new Error('no take');
  await waitForServerTime(page, take.startedAt + 0.4 * take.transition.durationMs);
  const sample = await sampleRegion(page);
  const p = (sample.frame.serverNow - take.startedAt) / take.transition.durationMs;
  expect(p).toBeGreaterThan(0.2);
  expect(p).toBeLessThan(0.8);
  const a = hexToRgb(colour(before));
  const b = hexToRgb(colour(to));
  const expected = a.map((v, i) => v + ((b[i] ?? 0) - v) * p) as [number, number, number];
  expect(colourDistance(sample.mean, expected)).toBeLessThanOrEqual(4);
  expect(colourDistance(sample.mean, a)).toBeGreaterThan(20);
  expect(colourDistance(sample.mean, b)).toBeGreaterThan(20);
  await waitForTakeEnd(page, state);
  await waitForRegionColour(page, colour(to));
}

async function expectWipe(
  page: Page,
  stub: TemplateTestController,
  from: WipeFrom,
  revealed: NormalisedRect,
  notYet: NormalisedRect,
): Promise<void> {
  const before = stub.state.program;
  const to = before === 'camera-1' ? 'camera-2' : 'camera-1';
  const state = await stub.command({
    type: 'program.take',
    source: to,
    transition: { type: 'wipe', durationMs: 2400, from },
  });
  await waitForRevision(page, state.revision);
  if (state.take === null) throw new Error('no take');
  await waitForServerTime(page, state.take.startedAt + 0.4 * state.take.transition.durationMs);
  const [near, far] = [await sampleRegion(page, revealed), await sampleRegion(page, notYet)];
  expect(colourDistance(near.mean, hexToRgb(colour(Number(to.slice(-1)))))).toBeLessThanOrEqual(3);
  expect(colourDistance(far.mean, hexToRgb(colour(Number(String(before).slice(-1)))))).toBeLessThanOrEqual(3);
  await waitForTakeEnd(page, state);
  await waitForRegionColour(page, colour(Number(to.slice(-1))));
}

/** One controller and one template page at the given output size for a describe block. */
function templateSession(
  width: number,
  height: number,
): { stub: TemplateTestController; browser: Browser; page: Page } {
  const session = {} as { stub: TemplateTestController; browser: Browser; page: Page };
  beforeAll(async () => {
    session.stub = new TemplateTestController();
    await session.stub.start();
    session.browser = await launchChromium({ width, height });
    session.page = await openTemplate(session.browser, session.stub.templateUrl({ width, height, fps: FPS }), {
      width,
      height,
    });
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.stub?.close();
  });
  return session;
}

/** Wait until the page draws frames past the end of the state's take (a later take would interrupt it). */
async function waitForTakeEnd(page: Page, state: ProgramState): Promise<void> {
  const take = state.take;
  if (take === null) return;
  const end = take.startedAt + take.transition.durationMs;
  await page.waitForFunction((t) => (window.pitchside?.frame().serverNow ?? 0) > t, { timeout: 10_000 }, end);
}

function clipOf(rect: NormalisedRect, width = 1280, height = 720) {
  return {
    x: rect.x0 * width,
    y: rect.y0 * height,
    width: (rect.x1 - rect.x0) * width,
    height: (rect.y1 - rect.y0) * height,
  };
}
