// The controller process killed (-9) and started again under open operator pages: a director panel, a
// graphics panel, a joined camera page and the program template. Each page reconnects by itself (no
// reload) and follows what happens after the restart, and the match clock the template draws runs on
// through the outage without a jump.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Command, FrameInfo } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { POLL_MS, waitOnline } from '../web/web-stack.ts';
import { recordFaultResult } from './fault-results.ts';
import { ApiClient, ControllerProcess, PrivateRedis, tempDir } from './fault-stack.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 720 };
/** Generous bounds on two loaded cores. */
const RESYNC_BOUND_MS = 30_000;
/**
 * The clock the template draws may move against wall time by at most this much over the whole outage:
 * a frame's worth of sampling jitter, far below the 1 s a viewer would see as a jump.
 */
const CLOCK_JUMP_BOUND_MS = 100;

const redis = new PrivateRedis();
const controller = new ControllerProcess(() => redis.url, tempDir('controller-restart'));
const api = new ApiClient(() => controller.origin, 'restart');
let browser: Browser | null = null;
/** The template gets a browser of its own: a tab not in front gets no animation frames, so it would not draw. */
let templateBrowser: Browser | null = null;

beforeAll(async () => {
  await redis.start();
  await controller.start();
  [browser, templateBrowser] = await Promise.all([launchChromium(DESKTOP), launchChromium(DESKTOP)]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await templateBrowser?.close();
  await controller.kill();
  await redis.close();
});

const take = (source: string): Command => ({ type: 'program.take', source, transition: { type: 'cut' } });

async function open(url: string, size = DESKTOP, on = browser): Promise<Page> {
  const page = await on!.newPage();
  await page.setViewport(size);
  page.on('pageerror', (error) => console.error(`[pageerror ${url.split('?')[0]}]`, error));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

interface ClockSample {
  wall: number;
  clockMs: number;
  revision: number;
}

describe('controller killed and restarted under open pages', () => {
  it('every page resyncs without a reload and the template clock runs on without a jump', async () => {
    onTestFailed(() => console.error(`controller:\n${controller.output}`));
    const keys = await api.createEvent();
    const director = keys['director'] ?? '';
    await api.ok('POST', `/api/events/${api.eventId}/commands`, director, take('camera-1'));
    await api.ok('POST', `/api/events/${api.eventId}/commands`, director, { type: 'clock.start' });

    const q = (role: string): string => `event=${api.eventId}&key=${encodeURIComponent(keys[role] ?? '')}`;
    const directorPage = await open(`${controller.origin}/director?${q('director')}`);
    const graphicsPage = await open(`${controller.origin}/graphics?${q('graphics')}`);
    const template = await open(
      `${controller.origin}/template/?${q('template')}&width=1280&height=720&fps=30`,
      DESKTOP,
      templateBrowser,
    );
    const { code } = await api.ok<{ code: string }>('GET', `/api/events/${api.eventId}/join`, director);
    const camera = await open(`${controller.origin}/camera?code=${code}`, PHONE);
    await camera.type('#join-label', 'North stand');
    await camera.click('#join-button');
    const panels = { director: directorPage, graphics: graphicsPage, camera };
    for (const page of Object.values(panels)) await waitOnline(page, RESYNC_BOUND_MS);
    await template.waitForFunction(() => (window.pitchside?.frame().revision ?? -1) >= 0, {
      polling: POLL_MS,
      timeout: RESYNC_BOUND_MS,
    });
    const cameraId = await camera.$eval('#camera-id', (e) => e.textContent ?? '');
    for (const page of [...Object.values(panels), template])
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // The template's own record of what it drew: the clock of each frame against the page's wall clock.
    await template.evaluate(() => {
      const samples: { wall: number; clockMs: number; revision: number }[] = [];
      (window as unknown as { clockSamples: typeof samples }).clockSamples = samples;
      setInterval(() => {
        const f = window.pitchside?.frame();
        if (f !== undefined && f.index >= 0)
          samples.push({ wall: f.wallTime, clockMs: f.clockMs, revision: f.revision });
      }, 50);
    });
    const frameBefore = await template.evaluate(() => window.pitchside!.frame());

    const killedAt = Date.now();
    await controller.kill('SIGKILL');
    // The pages notice (their sockets close) before the controller is back.
    await directorPage.waitForFunction(() => document.body.dataset.connection !== 'online', {
      timeout: RESYNC_BOUND_MS,
      polling: POLL_MS,
    });
    const startMs = await controller.start();
    const upAt = Date.now();
    const online: Record<string, number> = {};
    await Promise.all(
      Object.entries(panels).map(async ([name, page]) => {
        await waitOnline(page, RESYNC_BOUND_MS);
        online[name] = Date.now() - upAt;
      }),
    );

    // After the restart every page follows: a take of the joined camera, a score change.
    const answer = await api.ok<{ revision: number }>(
      'POST',
      `/api/events/${api.eventId}/commands`,
      director,
      take(cameraId),
    );
    const answeredAt = Date.now();
    await api.ok('POST', `/api/events/${api.eventId}/commands`, keys['graphics'] ?? '', {
      type: 'score.set',
      team: 'home',
      score: 3,
    });
    const wait = { timeout: RESYNC_BOUND_MS, polling: POLL_MS };
    await directorPage.waitForFunction(
      (id) =>
        document.querySelector(`#multiview .source-tile[data-source="${id}"]`)?.getAttribute('data-tally') ===
        'program',
      wait,
      cameraId,
    );
    await camera.waitForFunction(() => document.body.dataset.tally === 'program', wait);
    await graphicsPage.waitForFunction(() => document.querySelector('#home-score')?.textContent === '3', wait);
    await template.waitForFunction((r) => (window.pitchside?.frame().revision ?? -1) >= r, wait, answer.revision + 1);
    const followedMs = Date.now() - answeredAt;
    for (const page of [...Object.values(panels), template])
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // The clock: drawn value minus wall time is constant through the outage and the resync.
    const samples = await template.evaluate(() => (window as unknown as { clockSamples: ClockSample[] }).clockSamples);
    const through = samples.filter((s) => s.wall >= frameBefore.wallTime);
    expect(through.at(-1)!.wall - through[0]!.wall).toBeGreaterThan(Date.now() - killedAt - 2000);
    const offsets = through.map((s) => s.clockMs - s.wall);
    const clockJumpMs = Math.max(...offsets) - Math.min(...offsets);
    expect(clockJumpMs).toBeLessThan(CLOCK_JUMP_BOUND_MS);
    // It kept drawing while the controller was away: no gap in its frames longer than a few frames.
    const longestFrameGapMs = Math.max(...through.slice(1).map((s, i) => s.wall - through[i]!.wall));
    const frameAfter: FrameInfo = await template.evaluate(() => window.pitchside!.frame());
    expect(frameAfter.index).toBeGreaterThan(frameBefore.index);

    await recordFaultResult('controller-restart-pages', 'Controller kill -9 and restart under open pages', {
      processStartMs: { value: startMs, unit: 'ms', note: 'controller process start to /healthz 200' },
      directorResyncMs: { value: online['director'] ?? -1, unit: 'ms', note: 'controller up to director online' },
      graphicsResyncMs: { value: online['graphics'] ?? -1, unit: 'ms', note: 'controller up to graphics online' },
      cameraResyncMs: { value: online['camera'] ?? -1, unit: 'ms', note: 'controller up to camera page online' },
      followMs: { value: followedMs, unit: 'ms', note: 'first take after restart to every page showing it' },
      clockJumpMs: { value: Math.round(clockJumpMs), unit: 'ms', note: 'template clock drift across the outage' },
      longestFrameGapMs: {
        value: Math.round(longestFrameGapMs),
        unit: 'ms',
        note: 'longest gap between template frames sampled',
      },
    });
  }, 180_000);
});
