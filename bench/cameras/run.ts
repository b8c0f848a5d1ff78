// `npm run bench:cameras`: four direct cameras (Chromium with a fake 720p30 camera each, playing a clip with
// its frame number burned in) publish straight to the program; the built-in recorder records at 720p30
// and at 1080p30. Measured per format: recorded fps, duplicated/dropped frames, CPU of every process
// (camera browsers, recorder Chromium, ffmpeg, the controller process, Redis, this process = the worker's
// recorder side), and the latency from a camera capturing a frame to that frame in the recording (the
// number read where the camera page shows its own capture and read back from the MP4). Then the sender
// cost of 1 full + 3 reduced encodes per camera. Writes bench/results/cameras.json and prints tables.
//   npm run bench:cameras -- [--seconds 15]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { testSourceColour, type Camera, type RoleKey } from '../../protocol/index.ts';
import { fakeCaptureArgs, launchChromium } from '../../runtime/chromium.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { freePort } from '../../runtime/free-port.ts';
import { cpuDelta, treeCpu } from '../../runtime/process-cpu.ts';
import { Recorder } from '../../worker/recorder/recorder.ts';
import { CLIP_FRAMES, makeBarcodeClip, makeTone, readBarcode, STRIP, STRIP_READ } from './camera-barcode.ts';
import { idleLoadOrExit, percentile, runConditions } from '../bench-report.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' } } });
/** Length of each CPU/frame-rate measurement window. */
const MEASURE_S = Number(values.seconds);
/** The latency window: the on-air camera's page logs when it shows each frame number meanwhile. */
const LATENCY_S = 6;
/**
 * A new peer connection starts at a low bitrate and picture size and ramps up (bandwidth estimation, and
 * the encoder's CPU adaptation on a busy machine): measure once every camera sends its full 1280-wide
 * picture, or after this long at most (the JSON says which).
 */
const SETTLE_MAX_MS = 25_000;
/** Settling for the sender-cost run, whose added receivers get the reduced picture at once. */
const SETTLE_MS = 4000;
const FULL_WIDTH = 1280;
const CAMERAS = 4;
const CLIP_FPS = 30;
const CONNECT_TIMEOUT_MS = 90_000;
const EVENT = 'bench-cameras';
const ADMIN_KEY = 'psadm_bench-cameras-admin-key-0123456789';
const RESULTS = resolve(import.meta.dirname, '../results/cameras.json');
const DEBUG_DIR = resolve('out', 'bench-cameras');
const FORMATS = [
  { name: '720p30', width: 1280, height: 720, fps: 30 },
  { name: '1080p30', width: 1920, height: 1080, fps: 30 },
] as const;
type Format = (typeof FORMATS)[number];
/** The reduced receivers of the sender-cost run: template monitors in frames, as operator pages embed them. */
const REDUCED_RECEIVERS = 3;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const round = (v: number, digits = 2): number => Number(v.toFixed(digits));

async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The controller as a deployment runs it (its own process, so its CPU is its own). */
class ControllerProcess {
  #child: ChildProcess | null = null;
  #output = '';
  origin = '';

  async start(redisUrl: string, dataDir: string): Promise<number> {
    const port = await freePort();
    this.origin = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('controller/server.ts')], {
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        HOST: '127.0.0.1',
        PORT: String(port),
        HTTPS_HOST: '',
        OBS_WEBSOCKET_PORT: '0',
        PITCHSIDE_ADMIN_KEY: ADMIN_KEY,
        PITCHSIDE_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer): void => void (this.#output = (this.#output + d.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#child = child;
    await until(
      'the controller',
      async () => {
        if (child.exitCode !== null) throw new Error(`the controller exited: ${this.#output}`);
        return (await fetch(`${this.origin}/healthz`).catch(() => null))?.ok === true;
      },
      120_000,
    );
    return child.pid ?? 0;
  }

  close(): void {
    this.#child?.kill('SIGTERM');
  }
}

interface CameraPhone {
  label: string;
  id: string;
  browser: Browser;
  page: Page;
}

/** CPU seconds per named group of process trees, between two samples. */
class CpuMeter {
  readonly #groups: Record<string, () => number[]>;
  #before = new Map<string, Map<number, number>>();
  #startedAt = 0;

  constructor(groups: Record<string, () => number[]>) {
    this.#groups = groups;
  }

  start(): void {
    this.#before = new Map(Object.entries(this.#groups).map(([name, pids]) => [name, treeCpu(pids())]));
    this.#startedAt = performance.now();
  }

  /** Cores (CPU seconds per second) each group used since start(). */
  stop(): Record<string, number> {
    const wall = (performance.now() - this.#startedAt) / 1000;
    return Object.fromEntries(
      Object.entries(this.#groups).map(([name, pids]) => [
        name,
        round(cpuDelta(this.#before.get(name) ?? new Map<number, number>(), treeCpu(pids())) / wall),
      ]),
    );
  }
}

/** The bench process's own CPU (controller-less: the recorder's Node side and this script). */
function selfCpuS(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function childPids(comm: RegExp): number[] {
  const out: number[] = [];
  for (const pid of treeCpu([process.pid]).keys()) {
    try {
      if (comm.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function main(): Promise<void> {
  const loadBefore = idleLoadOrExit();
  const work = mkdtempSync(join(tmpdir(), 'pitchside-bench-cameras-'));
  const redis = new EmbeddedRedis({ appendOnly: false });
  const controller = new ControllerProcess();
  const phones: CameraPhone[] = [];
  let monitors: Browser | null = null;
  try {
    const tone = makeTone(work, 1000);
    const clips = Array.from({ length: CAMERAS }, (_, i) =>
      makeBarcodeClip(work, `camera-${i + 1}`, `Camera ${i + 1}`, testSourceColour(i + 1)),
    );
    const controllerPid = await controller.start(await redis.start(), join(work, 'data'));
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${controller.origin}/api/events`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        id: EVENT,
        name: 'Camera bench',
        sport: 'football',
        home: { name: 'Home' },
        away: { name: 'Away' },
      }),
    });
    if (created.status !== 201) throw new Error(`create event: ${created.status} ${await created.text()}`);
    const { joinCode } = (await created.json()) as { joinCode: string };
    const keysAnswer = (await (
      await fetch(`${controller.origin}/api/events/${EVENT}/keys`, { headers: admin })
    ).json()) as { keys: RoleKey[] };
    const keys = Object.fromEntries(keysAnswer.keys.map((k) => [k.role, k.key]));
    const director = { authorization: `Bearer ${keys['director']}`, 'content-type': 'application/json' };
    const api = `${controller.origin}/api/events/${EVENT}`;
    const cameras = async (): Promise<Camera[]> =>
      ((await (await fetch(`${api}/cameras`, { headers: director })).json()) as { cameras: Camera[] }).cameras;

    // Four phones, each its own browser, join by the camera link as a person would.
    for (const [i, clip] of clips.entries()) {
      const label = `Camera ${i + 1}`;
      const browser = await launchChromium({ width: 390, height: 844, args: fakeCaptureArgs(clip, tone) });
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`[${label} pageerror]`, error));
      await page.goto(`${controller.origin}/camera?code=${joinCode}`, { waitUntil: 'load' });
      await page.waitForSelector('#join-label');
      await page.type('#join-label', label);
      await page.click('#join-button');
      await page.waitForFunction(() => document.body.dataset.connection === 'online', { timeout: 30_000 });
      const id = await page.$eval('#camera-id', (el) => el.textContent ?? '');
      phones.push({ label, id, browser, page });
    }
    const onAir = phones[0]!;
    const take = await fetch(`${api}/program/take`, {
      method: 'POST',
      headers: director,
      body: JSON.stringify({ source: onAir.id, transition: { type: 'cut', durationMs: 0 } }),
    });
    if (!take.ok) throw new Error(`take: ${take.status} ${await take.text()}`);

    const waitPeers = (peers: number): Promise<Camera[]> =>
      until(
        `every camera sending to ${peers} page(s)`,
        async () => {
          const list = await cameras();
          const ours = phones.map((p) => list.find((c) => c.id === p.id));
          return ours.every((c) => (c?.health?.peers ?? 0) >= peers) ? (ours as Camera[]) : null;
        },
        CONNECT_TIMEOUT_MS,
      );

    const results = [];
    let senderCost = null;
    for (const format of FORMATS) {
      const ffmpegPids: number[] = [];
      const file = join(work, `${format.name}.mp4`);
      const recorder = new Recorder({
        url: `${controller.origin}/template/?${new URLSearchParams({
          event: EVENT,
          key: keys['template'] ?? '',
          width: String(format.width),
          height: String(format.height),
          fps: String(format.fps),
        })}`,
        width: format.width,
        height: format.height,
        fps: format.fps,
        outputs: [{ id: 'program', kind: 'file', path: file }],
        onSpawn: (pid) => ffmpegPids.push(pid),
      });
      const info = await recorder.start();
      const recorderPid = info.browserPid ?? 0;
      // Frame slot 0's wall time: slot k is rendered at or after origin + k/fps and before the stats call
      // that reports it, so every reply bounds the origin from above; the smallest bound is the estimate.
      let origin = Number.POSITIVE_INFINITY;
      const sampleOrigin = async (): Promise<void> => {
        const stats = await recorder.stats();
        const frame = stats.capture.lastStreamFrame;
        if (frame >= 0) origin = Math.min(origin, Date.now() - (frame * 1000) / format.fps);
      };
      const originTimer = setInterval(() => void sampleOrigin().catch(() => undefined), 100);
      try {
        const connectedAt = Date.now();
        await waitPeers(1);
        const fullPicture = await until(
          'every camera sending its full picture',
          async () => (await waitPeers(1)).every((c) => (c.health?.width ?? 0) >= FULL_WIDTH),
          SETTLE_MAX_MS,
        ).catch(() => false);
        const settledS = round((Date.now() - connectedAt) / 1000, 1);

        // Latency: the on-air phone logs when its page shows each frame number; the MP4 shows the same.
        // First, so that the frames are well inside the file (and the log costs nothing in the CPU window).
        await startFrameLog(onAir.page);
        const latencyFrom = Date.now();
        await sleep(LATENCY_S * 1000);
        const shown = await stopFrameLog(onAir.page);
        const latencyTo = Date.now();

        const meter = new CpuMeter({
          ...Object.fromEntries(phones.map((p) => [p.label, () => [p.browser.process()?.pid ?? 0]])),
          'recorder Chromium': () => [recorderPid],
          ffmpeg: () => ffmpegPids,
          controller: () => [controllerPid],
          redis: () => childPids(/^redis-server$/),
        });
        const before = (await recorder.stats()).capture;
        const selfBefore = selfCpuS();
        const t0 = performance.now();
        meter.start();
        await sleep(MEASURE_S * 1000);
        const cpu = meter.stop();
        const wall = (performance.now() - t0) / 1000;
        const after = (await recorder.stats()).capture;
        cpu['worker (recorder Node side)'] = round((selfCpuS() - selfBefore) / wall);
        const sending = await waitPeers(1);

        if (format.name === '720p30') {
          monitors = await launchChromium({ width: 1280, height: 720 });
          senderCost = await measureSenderCost(monitors, controller.origin, keys['template'] ?? '', phones, {
            fullOnly: sending,
            fullOnlyCpu: cpu,
            waitPeers,
          });
          await monitors.close();
          monitors = null;
        }

        clearInterval(originTimer);
        await recorder.close();
        const latency = recordingLatency(file, format, origin, shown, latencyFrom, latencyTo);
        const frames = after.framesRendered - before.framesRendered;
        results.push({
          format: format.name,
          width: format.width,
          height: format.height,
          targetFps: format.fps,
          measuredS: round(wall),
          /** Recorder start → measuring: every camera sent its full picture (or SETTLE_MAX_MS passed). */
          settledS,
          settledAtFullPicture: fullPicture,
          renderedFps: round(frames / wall),
          duplicated: after.duplicated - before.duplicated,
          dropped: after.dropped - before.dropped,
          cpuCores: cpu,
          cpuCoresTotal: round(Object.values(cpu).reduce((a, b) => a + b, 0)),
          camerasSent: sending.map((c) => ({
            label: c.label,
            width: c.health?.width,
            height: c.health?.height,
            fps: c.health?.fps,
            bitrateKbps: c.health?.bitrateKbps,
          })),
          latency,
          loadAverage: loadavg(),
        });
        console.error(`${format.name}: done`);
      } finally {
        clearInterval(originTimer);
        await recorder.close().catch(() => undefined);
      }
    }

    const report = {
      name: 'cameras',
      ...runConditions(loadBefore),
      cameras: `${CAMERAS} × Chromium fake capture, 1280×720@${CLIP_FPS} y4m, direct WebRTC (no LiveKit)`,
      measureS: MEASURE_S,
      results,
      senderCost,
    };
    mkdirSync(resolve(RESULTS, '..'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    printTables(report);
  } finally {
    await monitors?.close().catch(() => undefined);
    for (const phone of phones) await phone.browser.close().catch(() => undefined);
    controller.close();
    await redis.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** In the camera page: from now on, remember when its own preview shows each frame number. */
async function startFrameLog(page: Page): Promise<void> {
  // tsx names the functions it compiles with a helper the page does not have.
  await page.evaluate('globalThis.__name = (f) => f');
  await page.evaluate(
    (strip, read) => {
      const video = document.querySelector('video');
      if (video === null) throw new Error('the camera page shows no preview');
      const canvas = document.createElement('canvas');
      canvas.width = read.width;
      canvas.height = read.height;
      const g = canvas.getContext('2d', { willReadFrequently: true });
      if (g === null) throw new Error('no 2D context');
      const log: { luma: number[]; at: number; captured: boolean }[] = [];
      const state = { log, running: true };
      (window as unknown as { frameLog: typeof state }).frameLog = state;
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
        if (!state.running) return;
        const sx = video.videoWidth / 1280;
        const sy = video.videoHeight / 720;
        g.drawImage(
          video,
          strip.x * sx,
          strip.y * sy,
          strip.width * sx,
          strip.height * sy,
          0,
          0,
          read.width,
          read.height,
        );
        const rgba = g.getImageData(0, 0, read.width, read.height).data;
        const luma: number[] = [];
        for (let i = 0; i < rgba.length; i += 4)
          luma.push(Math.round(0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0)));
        // captureTime: when the camera produced the frame (performance clock); else when it was shown.
        const t = meta.captureTime ?? meta.expectedDisplayTime;
        log.push({ luma, at: performance.timeOrigin + t, captured: meta.captureTime !== undefined });
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    },
    STRIP,
    STRIP_READ,
  );
}

async function stopFrameLog(page: Page): Promise<{ n: number; at: number; captured: boolean }[]> {
  const log = await page.evaluate(() => {
    const state = (window as unknown as { frameLog: { log: unknown[]; running: boolean } }).frameLog;
    state.running = false;
    return state.log as { luma: number[]; at: number; captured: boolean }[];
  });
  return log.flatMap((e) => {
    const n = readBarcode(e.luma);
    return n === null ? [] : [{ n, at: e.at, captured: e.captured }];
  });
}

/**
 * Reads the frame numbers back from the recording: the first recorded frame showing each number, at
 * its wall time (origin + index / fps), minus when the camera page saw that number last before then.
 */
function recordingLatency(
  file: string,
  format: Format,
  origin: number,
  shown: { n: number; at: number; captured: boolean }[],
  from: number,
  to: number,
): Record<string, number | string> {
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-an', '-vf'],
      `scale=1280:720,crop=${STRIP.width}:${STRIP.height}:${STRIP.x}:${STRIP.y},scale=${STRIP_READ.width}:${STRIP_READ.height},format=gray`,
      ...['-f', 'rawvideo', '-'],
    ],
    { maxBuffer: 512 * 1024 * 1024 },
  );
  const size = STRIP_READ.width * STRIP_READ.height;
  // BENCH_DEBUG=1 keeps the recording and what both sides read in out/bench-cameras/.
  if (process.env['BENCH_DEBUG'] !== undefined) {
    const numbers = Array.from({ length: Math.floor(raw.length / size) }, (_, i) =>
      readBarcode(raw.subarray(i * size, (i + 1) * size)),
    );
    mkdirSync(DEBUG_DIR, { recursive: true });
    writeFileSync(join(DEBUG_DIR, `${format.name}.json`), JSON.stringify({ origin, from, to, shown, numbers }));
    copyFileSync(file, join(DEBUG_DIR, `${format.name}.mp4`));
  }
  const latencies: number[] = [];
  let previous: number | null = null;
  let unreadable = 0;
  let unmatched = 0;
  for (let i = 0; (i + 1) * size <= raw.length; i += 1) {
    const at = origin + (i * 1000) / format.fps;
    const n = readBarcode(raw.subarray(i * size, (i + 1) * size));
    if (at < from || at > to) continue;
    if (n === null) {
      unreadable += 1;
      continue;
    }
    if (n === previous) continue; // the same camera frame again: only its first appearance counts
    previous = n;
    const seen = shown.filter((s) => s.n === n && s.at <= at).at(-1);
    // The clip loops every CLIP_FRAMES: a match older than half a loop is another pass of the same number
    // (the page missed showing it this time round).
    if (seen === undefined || at - seen.at > (CLIP_FRAMES * 1000) / CLIP_FPS / 2) {
      unmatched += 1;
      continue;
    }
    latencies.push(at - seen.at);
  }
  return {
    samples: latencies.length,
    p50Ms: round(percentile(latencies, 50), 1),
    p95Ms: round(percentile(latencies, 95), 1),
    maxMs: round(percentile(latencies, 100), 1),
    unreadableFrames: unreadable,
    /** Camera frames in the recording whose number the camera page had not logged in the last half loop. */
    unmatched,
    cameraClock: shown.every((s) => s.captured) ? 'captureTime' : 'display time (captureTime missing)',
  };
}

interface SenderCostOptions {
  fullOnly: Camera[];
  fullOnlyCpu: Record<string, number>;
  waitPeers: (peers: number) => Promise<Camera[]>;
}

/** Every camera already sends one full picture (the recorder); three monitors add a reduced one each. */
async function measureSenderCost(
  browser: Browser,
  origin: string,
  templateKey: string,
  phones: CameraPhone[],
  options: SenderCostOptions,
): Promise<Record<string, unknown>> {
  const page = await browser.newPage();
  // Frames: the template in a frame is a monitor, which asks for the reduced picture (an operator page's).
  const src = `${origin}/template/?${new URLSearchParams({ event: EVENT, key: templateKey, view: 'preview' })}`;
  await page.goto(`${origin}/healthz`);
  await page.evaluate(
    (url, count) => {
      document.body.innerHTML = '';
      for (let i = 0; i < count; i += 1) {
        const frame = document.createElement('iframe');
        frame.src = url;
        frame.width = '320';
        frame.height = '180';
        document.body.appendChild(frame);
      }
    },
    src,
    REDUCED_RECEIVERS,
  );
  await options.waitPeers(1 + REDUCED_RECEIVERS);
  await sleep(SETTLE_MS);
  const meter = new CpuMeter(Object.fromEntries(phones.map((p) => [p.label, () => [p.browser.process()?.pid ?? 0]])));
  meter.start();
  await sleep(MEASURE_S * 1000);
  const cpu = meter.stop();
  const sending = await options.waitPeers(1 + REDUCED_RECEIVERS);
  const mean = (values: number[]): number => round(values.reduce((a, b) => a + b, 0) / values.length);
  const perCamera = (c: Record<string, number>): number => mean(phones.map((p) => c[p.label] ?? 0));
  return {
    receivers: `1 full (the recorder's template) + ${REDUCED_RECEIVERS} reduced (template monitors in frames)`,
    cameraCoresFullOnly: perCamera(options.fullOnlyCpu),
    cameraCoresFullPlusReduced: perCamera(cpu),
    perCamera: phones.map((p, i) => ({
      label: p.label,
      coresFullOnly: options.fullOnlyCpu[p.label],
      coresFullPlusReduced: cpu[p.label],
      sentKbpsFullOnly: options.fullOnly[i]?.health?.bitrateKbps,
      sentKbpsFullPlusReduced: sending[i]?.health?.bitrateKbps,
      peers: sending[i]?.health?.peers,
    })),
  };
}

function printTables(report: {
  results: {
    format: string;
    renderedFps: number;
    duplicated: number;
    dropped: number;
    cpuCores: Record<string, number>;
    cpuCoresTotal: number;
    latency: Record<string, number | string>;
  }[];
  senderCost: Record<string, unknown> | null;
  cpu: { model: string; cores: number };
  loadAverage: { before: number[]; after: number[] };
}): void {
  console.log('| format | fps | duplicated | dropped | latency p50 / p95 / max ms | CPU cores total |');
  console.log('|---|---|---|---|---|---|');
  for (const r of report.results) {
    const l = r.latency;
    console.log(
      `| ${r.format} | ${r.renderedFps} | ${r.duplicated} | ${r.dropped} | ${l['p50Ms']} / ${l['p95Ms']} / ${l['maxMs']} (${l['samples']}) | ${r.cpuCoresTotal} |`,
    );
  }
  const names = Object.keys(report.results[0]?.cpuCores ?? {});
  console.log(`| process | ${report.results.map((r) => r.format).join(' | ')} |`);
  console.log(`|---|${report.results.map(() => '---').join('|')}|`);
  for (const name of names) console.log(`| ${name} | ${report.results.map((r) => r.cpuCores[name]).join(' | ')} |`);
  if (report.senderCost !== null)
    console.log(
      `sender, cores per camera: 1 full ${String(report.senderCost['cameraCoresFullOnly'])}, 1 full + ${REDUCED_RECEIVERS} reduced ${String(report.senderCost['cameraCoresFullPlusReduced'])}`,
    );
  const [b] = report.loadAverage.before;
  const [a] = report.loadAverage.after;
  console.log(`${report.cpu.model} × ${report.cpu.cores}, load ${b?.toFixed(2)} → ${a?.toFixed(2)} → ${RESULTS}`);
}

await main();
