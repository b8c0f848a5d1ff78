// Redis (append-only file on) restarted in the middle of a show: the controller process, the worker
// process recording the program, the template and an open director panel all carry on by themselves —
// no process restart, no page reload — and nothing stored before the restart is lost.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { testSourceColour, type Command } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { POLL_MS, waitOnline } from '../web/web-stack.ts';
import { colourDistance, hexToRgb, regionColour } from '../worker/media-checks.ts';
import { recordFaultResult } from './fault-results.ts';
import {
  ApiClient,
  ControllerProcess,
  FAULT_ADMIN_KEY,
  PrivateRedis,
  sleep,
  tempDir,
  until,
  WorkerProcess,
} from './fault-stack.ts';

/** The smallest format the template renders (issue 11 §3: one format schema for API and template). */
const VIDEO = { width: 1280, height: 720, fps: 30 } as const;
/** How long Redis stays down: a restart of the store, as an upgrade or an OOM kill and restart give. */
const REDIS_DOWN_MS = 2000;
/** Generous bounds on two loaded cores. */
const RECOVERY_BOUND_MS = 15_000;
const COLOUR_TOLERANCE = 24;

const redis = new PrivateRedis();
const dataDir = tempDir('redis-restart');
const controller = new ControllerProcess(() => redis.url, dataDir);
const worker = new WorkerProcess(() => redis.url, dataDir);
const api = new ApiClient(() => controller.origin, 'redis-restart');
let browser: Browser | null = null;

beforeAll(async () => {
  await redis.start();
  await Promise.all([controller.start(), worker.start()]);
  browser = await launchChromium({ width: 1280, height: 720 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await worker.kill('SIGTERM');
  await controller.kill();
  await redis.close();
});

const take = (source: string): Command => ({ type: 'program.take', source, transition: { type: 'cut' } });

async function programFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('iframe[title*="Program output"]');
  const frame = await handle!.contentFrame();
  await frame.waitForFunction(() => window.pitchside !== undefined, { timeout: 20_000, polling: POLL_MS });
  return frame;
}

describe('Redis restarted during a show', () => {
  it('controller, worker, template and an open panel recover without a restart or a reload', async () => {
    // A failure is explained by what the processes said.
    onTestFailed(() => console.error(`controller:\n${controller.output}\nworker:\n${worker.output}`));
    const keys = await api.createEvent();
    const director = keys['director'] ?? '';
    expect((await api.command(director, take('camera-1'))).status).toBe(200);

    await api.ok('POST', `/api/events/${api.eventId}/outputs/record`, director, { video: VIDEO });
    const live = await until(
      'the recording live',
      async () => {
        const status = await api.outputStatus(director);
        return status?.recordingStartedAt != null && status.outputs.some((o) => o.state === 'live') ? status : null;
      },
      60_000,
      200,
    );

    const page = await browser!.newPage();
    page.on('pageerror', (error) => console.error('[director pageerror]', error));
    await page.goto(`${controller.origin}/director?event=${api.eventId}&key=${encodeURIComponent(director)}`);
    await waitOnline(page);
    const program = await programFrame(page);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // Redis goes away and comes back with its AOF.
    const stateBefore = await api.state(director);
    await redis.stop();
    const downAt = Date.now();
    // While it is down a take fails cleanly (an error answer, no crash) and nothing changes.
    const during = await api.command(director, take('camera-3')).catch(() => ({ status: 0 }));
    expect(during.status).not.toBe(200);
    await sleep(Math.max(0, REDIS_DOWN_MS - (Date.now() - downAt)));
    await redis.start();
    const upAt = Date.now();
    expect(controller.running && worker.running).toBe(true);

    // Controller: the first take after the restart is answered 200, on top of the state from before.
    const answer = await until(
      'a take answered 200 after the restart',
      async () => {
        const a = await api.command(director, take('camera-2'));
        return a.status === 200 ? a : null;
      },
      RECOVERY_BOUND_MS,
      100,
    );
    const answeredAt = Date.now();
    const revision = answer.body.revision ?? -1;
    expect(revision).toBe(stateBefore.revision + 1);

    // Panel and template: the open page hears the take on its old socket or a new one, without reload.
    await page.waitForFunction(
      () =>
        document.querySelector('#multiview .source-tile[data-source="camera-2"]')?.getAttribute('data-tally') ===
        'program',
      { timeout: RECOVERY_BOUND_MS, polling: POLL_MS },
    );
    const panelAt = Date.now();
    await program.waitForFunction(
      (r) => (window.pitchside?.frame().revision ?? -1) >= r,
      {
        timeout: RECOVERY_BOUND_MS,
        polling: POLL_MS,
      },
      revision,
    );
    const templateAt = Date.now();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // Worker: still the same process and recording; a plan change after the restart reaches it (stop),
    // and the one recording it finalises covers the whole show, the take after the restart included.
    await sleep(1500); // camera-2 on program for a while, so it is in the recording
    const stopAt = Date.now();
    await api.ok('POST', `/api/events/${api.eventId}/outputs/stop`, director, {});
    const { recordings } = await until(
      'the recording finalised and listed',
      async () => {
        const outputs = await api.outputs(director);
        return outputs.recordings.length > 0 && outputs.plan === null ? outputs : null;
      },
      60_000,
      200,
    );
    const stoppedAt = Date.now();
    expect(recordings).toHaveLength(1);
    const eventDir = join(dataDir, 'recordings', api.eventId);
    const files = readdirSync(eventDir).filter((f) => f.endsWith('.mp4') && !f.endsWith('.frag.mp4'));
    expect(files).toHaveLength(1);
    const file = join(eventDir, files[0] ?? '');
    const info = await probe(file);
    const startedAt = live.recordingStartedAt ?? 0;
    const wallMs = stopAt - startedAt;
    // One continuous part: at least as long as the show was, from start to the stop request.
    expect(info.durationMs).toBeGreaterThan(wallMs - 1000);
    const lastS = (stopAt - startedAt) / 1000 - 0.5;
    const colour = regionColour(file, lastS, VIDEO.width, VIDEO.height);
    expect(
      colourDistance(colour, hexToRgb(testSourceColour(2))),
      `camera-2 at ${lastS.toFixed(2)} s`,
    ).toBeLessThanOrEqual(COLOUR_TOLERANCE);
    const beforeS = (downAt - startedAt) / 1000 - 0.5;
    expect(
      colourDistance(regionColour(file, beforeS, VIDEO.width, VIDEO.height), hexToRgb(testSourceColour(1))),
    ).toBeLessThanOrEqual(COLOUR_TOLERANCE);

    // The switch log kept the take from before the restart and has the one after it.
    const log = await api.switchLog(FAULT_ADMIN_KEY);
    expect(log.map((e) => e.source)).toEqual(['camera-1', 'camera-2']);

    await recordFaultResult('redis-restart', 'Redis restart (AOF) during a show', {
      redisDownMs: { value: upAt - downAt, unit: 'ms', note: 'Redis down (stop to accepting again)' },
      controllerRecoveryMs: { value: answeredAt - upAt, unit: 'ms', note: 'Redis back to the first take answered 200' },
      panelResyncMs: { value: panelAt - answeredAt, unit: 'ms', note: 'take answered to the director tally' },
      templateResyncMs: { value: templateAt - answeredAt, unit: 'ms', note: 'take answered to the template frame' },
      workerStopMs: { value: stoppedAt - stopAt, unit: 'ms', note: 'stop after the restart to the recording listed' },
      recordingParts: { value: files.length, unit: 'count', note: 'recording parts (1 = never interrupted)' },
      recordingShortMs: {
        value: Math.max(0, Math.round(wallMs - info.durationMs)),
        unit: 'ms',
        note: 'recording shorter than the show',
      },
      takesLost: { value: 2 - log.length, unit: 'takes', note: 'takes missing from the switch log' },
    });
  }, 180_000);
});
