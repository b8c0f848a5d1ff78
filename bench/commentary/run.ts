// `npm run bench:commentary`: the commentator's two latencies (issue 21), direct WebRTC, the built-in recorder.
// - glass-to-ear: a fake-device camera on program plays a keyed tone X; its page timestamps each onset of X
//   in its own captured microphone, the commentator's page each onset of X in the program return it plays
//   (the template's mix stream in its iframe, before the page's audio output: the output device's own
//   latency is not in the figure). Sound only: a picture flash would need a frame reader in both pages.
// - mouth-to-program: the commentator's fake microphone plays a keyed tone Y; their page timestamps its
//   onsets in the captured track, and the recording's onsets of Y are put on the wall clock by the output's
//   recordingStartedAt (its first frame). Also glass-to-program (X, camera page → recording) for comparison.
// Every page runs on this machine, so Date.now() is one clock. Each far onset is paired with the latest near
// onset less than PULSE_PERIOD_MS before it (2 s: a longer latency, or a near onset the page missed, leaves it
// unpaired and counted). How regular the near end's onsets are about their periodic grid is reported too
// (nearJitterP95Ms): on an idle machine a few ms; a loaded one stalls the fake device or the page's polling.
// Pages read their audio through an AnalyserNode polled every ONSET_POLL_MS (43 ms windows), so each onset is
// placed within a few ms. Writes bench/results/commentary.json and prints a table.
//   npm run bench:commentary -- [--seconds 60]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'puppeteer-core';
import { buildApp } from '../../controller/app.ts';
import { DEMO_EVENT_ID, ensureDemoEvent } from '../../controller/services/demo-event.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { BuiltinBackend } from '../../worker/builtin-backend.ts';
import { JobClient } from '../../outputs/job-client.ts';
import { createRedisKeys, type OutputStatusMessage, type SeatView } from '../../protocol/index.ts';
import { fakeCaptureArgs, launchChromium } from '../../runtime/chromium.ts';
import { loadConfig } from '../../runtime/config.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { createLogger } from '../../runtime/logger.ts';
import { decodePcm, keyedOnsetsMs } from '../../tests/helpers/audio-checks.ts';
import { CAMERA_COLOUR, CAMERA_TONE_HZ, FPS, H, makeCameraMedia, W } from '../../tests/helpers/phone-media.ts';
import { DIST_DIR } from '../../tests/helpers/template-controller-stub.ts';
import { StatusListener, until } from '../../tests/worker/helpers.ts';
import { idleLoadOrExit, percentile, runConditions } from '../bench-report.ts';
import { ONSET_POLL_MS, ONSET_WATCH_SCRIPT, READ_ONSETS } from './onset-watch.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
/** How long onsets are collected for, once the return and the recording both carry the tones. */
const MEASURE_S = Number(values.seconds);
/** Both tones sound for the first half of each period: one onset every two seconds per tone. */
const PULSE_PERIOD_MS = 2000;
const VOICE_TONE_HZ = 3250;
/** A new peer connection's jitter buffer and bitrate settle in the first seconds: measured after this. */
const SETTLE_MS = 5000;
const CONNECT_TIMEOUT_MS = 90_000;
const RESULTS = resolve(import.meta.dirname, '../results/commentary.json');
const ADMIN_KEY = 'psadm_bench-commentary-admin-key-0123456789';

interface Latency {
  samples: number;
  /** Far onsets with no near onset less than a period before them (none expected on an idle machine). */
  unpaired: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** The near end's onsets about their periodic grid: the 95th percentile of their distance from it. */
  nearJitterP95Ms: number;
  /** Least-squares slope of the samples over the run: a clock slipping (the recording's) shows here. */
  driftMsPerMin: number;
}

const round = (v: number): number => Math.round(v * 10) / 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** `v` into [0, PULSE_PERIOD_MS). */
const wrap = (v: number): number => ((v % PULSE_PERIOD_MS) + PULSE_PERIOD_MS) % PULSE_PERIOD_MS;

/** How far the near end's onsets stray from one periodic grid (its phase: their circular mean). */
function gridJitterP95(near: readonly number[]): number {
  const angle = (t: number): number => (2 * Math.PI * t) / PULSE_PERIOD_MS;
  const x = near.reduce((sum, t) => sum + Math.cos(angle(t)), 0);
  const y = near.reduce((sum, t) => sum + Math.sin(angle(t)), 0);
  const phase = (Math.atan2(y, x) / (2 * Math.PI)) * PULSE_PERIOD_MS;
  return percentile(
    near.map((t) => Math.abs(wrap(t - phase + PULSE_PERIOD_MS / 2) - PULSE_PERIOD_MS / 2)),
    95,
  );
}

/** Each far onset's delay after the latest near onset less than a period before it (see the header). */
function latency(near: readonly number[], far: readonly number[]): Latency {
  const pairs: { at: number; ms: number }[] = [];
  for (const at of far) {
    const from = near.filter((t) => t <= at && at - t < PULSE_PERIOD_MS).at(-1);
    if (from !== undefined) pairs.push({ at, ms: at - from });
  }
  if (pairs.length === 0) throw new Error(`no onsets paired (near ${near.length}, far ${far.length})`);
  const ms = pairs.map((p) => p.ms);
  const meanAt = pairs.reduce((s, p) => s + p.at, 0) / pairs.length;
  const meanMs = ms.reduce((s, v) => s + v, 0) / ms.length;
  const cov = pairs.reduce((s, p) => s + (p.at - meanAt) * (p.ms - meanMs), 0);
  const varAt = pairs.reduce((s, p) => s + (p.at - meanAt) ** 2, 0);
  return {
    samples: ms.length,
    unpaired: far.length - pairs.length,
    p50Ms: round(percentile(ms, 50)),
    p95Ms: round(percentile(ms, 95)),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    nearJitterP95Ms: round(gridJitterP95(near)),
    driftMsPerMin: round(varAt > 0 ? (cov / varAt) * 60_000 : 0),
  };
}

async function onsets(page: Page): Promise<Record<string, number[]>> {
  return JSON.parse(String(await page.evaluate(READ_ONSETS))) as Record<string, number[]>;
}

/**
 * A Chromium whose fake camera and microphone play `colour` and a tone keyed at PULSE_PERIOD_MS, and a page in
 * it that watches its audio's onsets from before it loads.
 */
async function phonePage(
  dir: string,
  browsers: Browser[],
  name: string,
  media: { colour: string; toneHz: number; width: number; height: number },
): Promise<Page> {
  const files = makeCameraMedia(dir, { ...media, pulsePeriodMs: PULSE_PERIOD_MS }, name);
  const browser = await launchChromium({
    width: media.width,
    height: media.height,
    args: fakeCaptureArgs(files.video, files.audio),
  });
  browsers.push(browser);
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error(`[${name} pageerror]`, error));
  await page.evaluateOnNewDocument(ONSET_WATCH_SCRIPT);
  return page;
}

async function main(): Promise<void> {
  const loadBefore = idleLoadOrExit();
  const dir = mkdtempSync(join(tmpdir(), 'pitchside-bench-commentary-'));
  const redis = new EmbeddedRedis({ appendOnly: false });
  const redisUrl = await redis.start();
  const app = await buildApp({
    config: loadConfig({ PORT: 0, LOG_LEVEL: 'warn', PITCHSIDE_DATA_DIR: dir }, {}),
    redisUrl,
    adminKey: ADMIN_KEY,
    keyPrefix: 'bench-commentary:',
    distDir: DIST_DIR,
    livekit: null,
    logger: false,
    obsWebSocketPort: 0,
  });
  const keys = createRedisKeys('bench-commentary-out:');
  const worker = new OutputWorker({
    log: createLogger({ level: 'warn' }).child({ component: 'output' }),
    redisUrl,
    keys,
    backends: { builtin: new BuiltinBackend({ recordingsDir: dir }) },
  });
  const client = new JobClient({ redis: redisUrl, keys });
  const status = new StatusListener(new Redis(redisUrl, { maxRetriesPerRequest: null }), keys);
  const browsers: Browser[] = [];
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const host = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const roleKeys = Object.fromEntries((await ensureDemoEvent(app.events, app.apiKeys)).map((k) => [k.role, k.key]));
    const director = { authorization: `Bearer ${roleKeys['director'] ?? ''}` };
    const api = async (url: string, payload: Record<string, unknown>): Promise<string> => {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${DEMO_EVENT_ID}${url}`,
        headers: director,
        payload,
      });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.body;
    };
    await worker.start();
    await client.start();
    await status.start(DEMO_EVENT_ID);

    // The camera: its page joins by the event's code, as a phone does, and goes on program.
    const camera = await phonePage(dir, browsers, 'camera', {
      colour: CAMERA_COLOUR,
      toneHz: CAMERA_TONE_HZ,
      width: 390,
      height: 844,
    });
    const { joinCode } = await app.events.require(DEMO_EVENT_ID);
    await camera.goto(`http://${host}/camera?code=${joinCode}`, { waitUntil: 'load' });
    await camera.waitForSelector('#join-label');
    await camera.type('#join-label', 'Bench camera');
    await camera.click('#join-button');
    await camera.waitForFunction(() => document.body.dataset.connection === 'online', { timeout: CONNECT_TIMEOUT_MS });
    const cameraId = await camera.$eval('#camera-id', (el) => el.textContent ?? '');
    await api('/program/take', { source: cameraId, transition: { type: 'cut', durationMs: 0 } });

    // The seat, with ducking off: X keeps one level under Y, so its onsets read alike all through.
    const seat = (JSON.parse(await api('/commentary', { label: 'Bench commentator' })) as { seat: SeatView }).seat;
    await api('/commands', { type: 'audio.source', source: seat.id, duckOthers: false });

    await client.startRecording(DEMO_EVENT_ID, {
      templateUrl: `http://${host}/template/?event=${DEMO_EVENT_ID}&key=${roleKeys['template'] ?? ''}`,
      video: { width: W, height: H, fps: FPS },
    });
    const live = (await status.waitFor(
      (m) => m.type === 'job.output' && m.recordingStartedAt !== null,
      CONNECT_TIMEOUT_MS,
    )) as OutputStatusMessage;
    const recordingStartedAt = live.recordingStartedAt ?? 0;

    // The commentator opens the seat's link and joins (noise suppression off: it would take a tone for noise).
    const commentator = await phonePage(dir, browsers, 'voice', {
      colour: '#808080',
      toneHz: VOICE_TONE_HZ,
      width: 1440,
      height: 900,
    });
    await commentator.goto(`http://${host}/commentary${new URL(seat.url ?? '').search}`, { waitUntil: 'load' });
    await commentator.waitForSelector('#join-button');
    await commentator.click('#noise-suppression');
    await commentator.click('#join-button');
    await commentator.waitForFunction(() => window.pitchsideCommentary?.joined === true, {
      timeout: CONNECT_TIMEOUT_MS,
    });
    // The return: the template's mix stream in the page's iframe, watched in the commentator's page.
    await commentator.waitForFunction(
      `(() => { const s = document.querySelector('iframe')?.contentWindow?.pitchside?.audioStream;
        if (s === undefined) return false; window.benchWatchOnsets('return', s); return true; })()`,
      { timeout: CONNECT_TIMEOUT_MS, polling: 200 },
    );
    await until(
      async () => ((await onsets(commentator))['return']?.length ?? 0) >= 2,
      CONNECT_TIMEOUT_MS,
      'X in the return',
    );
    await sleep(SETTLE_MS);

    const from = Date.now();
    console.error(`measuring for ${MEASURE_S} s…`);
    await sleep(MEASURE_S * 1000);
    const to = Date.now();
    const inWindow = (list: number[] | undefined): number[] => (list ?? []).filter((t) => t >= from && t < to);
    const cameraMic = inWindow((await onsets(camera))['mic']);
    const heard = await onsets(commentator);
    await client.stop(DEMO_EVENT_ID);
    await status.waitFor((m) => m.state === 'completed', CONNECT_TIMEOUT_MS);
    const file = (await client.recordings(DEMO_EVENT_ID)).at(-1)?.file;
    if (file === undefined) throw new Error('no recording');

    // The recording's onsets, on the wall clock (its time 0 is recordingStartedAt).
    const fromS = (from - recordingStartedAt) / 1000;
    const pcm = decodePcm(file, fromS, MEASURE_S);
    const recorded = (hz: number): number[] =>
      keyedOnsetsMs(pcm, hz, PULSE_PERIOD_MS).map((ms) => recordingStartedAt + fromS * 1000 + ms);
    const result = {
      ...runConditions(loadBefore),
      transport: 'direct',
      measureS: MEASURE_S,
      pulsePeriodMs: PULSE_PERIOD_MS,
      pagePollMs: ONSET_POLL_MS,
      glassToEar: latency(cameraMic, inWindow(heard['return'])),
      mouthToProgram: latency(inWindow(heard['mic']), recorded(VOICE_TONE_HZ)),
      glassToProgram: latency(cameraMic, recorded(CAMERA_TONE_HZ)),
    };
    mkdirSync(resolve(RESULTS, '..'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log('| path | n | p50 ms | p95 ms | min–max ms | unpaired | near jitter p95 ms | drift ms/min |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const [name, r] of [
      ['glass-to-ear (camera mic → commentator return)', result.glassToEar],
      ['mouth-to-program (commentator mic → recording)', result.mouthToProgram],
      ['glass-to-program (camera mic → recording)', result.glassToProgram],
    ] as const)
      console.log(
        `| ${name} | ${r.samples} | ${r.p50Ms} | ${r.p95Ms} | ${r.minMs}–${r.maxMs} | ${r.unpaired} | ${r.nearJitterP95Ms} | ${r.driftMsPerMin} |`,
      );
    console.log(
      `\nCPU: ${result.cpu.model} (${result.cpu.cores} cores), 1-min load before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${result.loadAverage.after.map((l) => l.toFixed(2)).join(' ')}`,
    );
  } finally {
    for (const browser of browsers) await browser.close();
    status.close();
    await client.close();
    await worker.close();
    await app.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
