// `npm run bench:latency`: take latency, command sent → the first program frame the template rendered
// with that command's revision, for the three doors a take comes through (HTTP route, event WebSocket
// `command` frame, obs-websocket `SetCurrentProgramScene` from obs-websocket-js as Companion runs it), with
// the template at 30 and 60 fps in the recorder's Chromium. Writes bench/results/latency.json and prints
// a table.
//   npm run bench:latency -- [--samples 150]
//
// Clocks: the controller runs in this process and the template on the same machine, so the send time
// (this process) and the frame time (the page's `frame().serverNow`, the server clock as the page
// estimates it) are on one clock; the page's estimate error is reported next to the figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OBSWebSocket } from 'obs-websocket-js';
import type { Page } from 'puppeteer-core';
import { WebSocket } from 'ws';
import { buildApp } from '../../controller/app.ts';
import { testSources, type Command, type ProgramState } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { loadConfig } from '../../runtime/config.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { DIST_DIR } from '../../tests/helpers/template-controller-stub.ts';
import { openTemplate } from '../../tests/helpers/template-page.ts';
import { idleLoadOrExit, percentile, runConditions } from '../bench-report.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '150' } } });
/** Takes measured per door and frame rate (after WARMUP_TAKES). */
const SAMPLES = Number(values.samples);
const WARMUP_TAKES = 10;
/** The target: p99 within one frame interval plus this. */
const TARGET_MARGIN_MS = 5;
/** A take that shows no frame within this is counted as lost (and fails the run). */
const FRAME_TIMEOUT_MS = 5000;
const EVENT = 'bench-latency';
const RESULTS = resolve(import.meta.dirname, '../results/latency.json');
const SIZE = { width: 1280, height: 720 };

type Door = 'http' | 'websocket' | 'obs-websocket';
const DOORS: Door[] = ['http', 'websocket', 'obs-websocket'];
const RATES = [30, 60] as const;

interface FirstFrame {
  /** The page's estimate of server time when it rendered the frame. */
  serverNow: number;
  /** Date.now() in the page right after the frame was drawn (the recorder encodes it then). */
  drawnAt: number;
}

interface DoorResult {
  door: Door;
  fps: number;
  frameIntervalMs: number;
  samples: number;
  /** Command sent → first rendered frame carrying its revision (the frame's server time). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Same, to the moment the page had finished drawing that frame. */
  drawnP50Ms: number;
  drawnP99Ms: number;
  /** Command sent → the client's answer (HTTP response, `result` frame, RequestResponse). */
  answerP50Ms: number;
  answerP99Ms: number;
  targetMs: number;
  meetsTarget: boolean;
}

const round = (v: number): number => Math.round(v * 10) / 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Remembers, in the page, the first frame that carried each revision (every frame is seen: onFrame). */
async function watchFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const api = window.pitchside;
    if (api === undefined) throw new Error('no window.pitchside');
    const first = new Map<number, { serverNow: number; drawnAt: number }>();
    (window as unknown as { firstFrames: typeof first }).firstFrames = first;
    api.capture.onFrame(() => {
      const frame = api.frame();
      if (!first.has(frame.revision)) first.set(frame.revision, { serverNow: frame.serverNow, drawnAt: Date.now() });
    });
  });
}

async function firstFrame(page: Page, revision: number): Promise<FirstFrame> {
  const handle = await page.waitForFunction(
    (r) => (window as unknown as { firstFrames: Map<number, unknown> }).firstFrames.get(r) ?? null,
    { timeout: FRAME_TIMEOUT_MS, polling: 'raf' },
    revision,
  );
  return (await handle.jsonValue()) as FirstFrame;
}

/** Sends one take through a door; resolves when the client has its answer. */
type Sender = (source: string) => Promise<void>;

async function main(): Promise<void> {
  const loadBefore = idleLoadOrExit();
  const redis = new EmbeddedRedis({ appendOnly: false });
  const app = await buildApp({
    config: loadConfig({ PORT: 0, LOG_LEVEL: 'warn' }, {}),
    redisUrl: await redis.start(),
    adminKey: 'psadm_bench-latency-admin-key-0123456789',
    keyPrefix: 'bench-latency:',
    distDir: DIST_DIR,
    livekit: null,
    logger: false,
    obsWebSocketPort: 0,
  });
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  await app.events.create(
    { id: EVENT, name: 'Latency bench', sport: 'football', home: { name: 'Home' }, away: { name: 'Away' } },
    { sources: testSources(4) },
  );
  const keys = Object.fromEntries((await app.apiKeys.ensureEventKeys(EVENT)).map((k) => [k.role, k.key]));
  const director = keys['director'] ?? '';
  const auth = { authorization: `Bearer ${director}`, 'content-type': 'application/json' };
  const api = `${origin}/api/events/${EVENT}`;
  const http = async (command: Command): Promise<ProgramState> => {
    const response = await fetch(`${api}/commands`, { method: 'POST', headers: auth, body: JSON.stringify(command) });
    if (!response.ok) throw new Error(`${command.type}: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { state: ProgramState }).state;
  };
  // A cut, so the take's frame is the one that switches; the revision is what is timed either way.
  let state = await http({ type: 'transition.set', transition: { type: 'cut' } });
  const labels = new Map(state.sources.map((s) => [s.id, s.label]));

  const ws = new WebSocket(`${api.replace('http', 'ws')}/ws?key=${director}`);
  const pendingResults = new Map<string, (ok: boolean) => void>();
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { type: string; id?: string; ok?: boolean };
    if (frame.type === 'result' && frame.id !== undefined) pendingResults.get(frame.id)?.(frame.ok === true);
  });
  await new Promise((done, fail) => ws.once('open', done).once('error', fail));
  const obs = new OBSWebSocket();
  await obs.connect(`ws://127.0.0.1:${app.obsWebSocketPort}`, director, { rpcVersion: 1 });

  let wsIds = 0;
  const senders: Record<Door, Sender> = {
    http: async (source) => {
      const response = await fetch(`${api}/program/take`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ source }),
      });
      if (!response.ok) throw new Error(`take: HTTP ${response.status}`);
      await response.arrayBuffer();
    },
    websocket: (source) =>
      new Promise((done, fail) => {
        const id = `t${++wsIds}`;
        pendingResults.set(id, (ok) => {
          pendingResults.delete(id);
          if (ok) done();
          else fail(new Error('websocket take refused'));
        });
        ws.send(JSON.stringify({ type: 'command', id, command: { type: 'program.take', source } }));
      }),
    'obs-websocket': async (source) => {
      await obs.call('SetCurrentProgramScene', { sceneName: labels.get(source) ?? source });
    },
  };

  const results: DoorResult[] = [];
  const offsets: number[] = [];
  let target = 1;
  try {
    for (const fps of RATES) {
      const browser = await launchChromium(SIZE);
      try {
        const query = new URLSearchParams({ event: EVENT, key: keys['template'] ?? '', fps: String(fps) });
        const page = await openTemplate(browser, `${origin}/template/?${query}`, SIZE);
        await watchFrames(page);
        const interval = 1000 / fps;
        for (const door of DOORS) {
          const latencies: number[] = [];
          const drawn: number[] = [];
          const answers: number[] = [];
          for (let i = 0; i < WARMUP_TAKES + SAMPLES; i += 1) {
            // Land takes at every phase of the frame slot, as button presses do.
            await sleep(Math.random() * interval);
            target = (target % 2) + 1;
            const revision = state.revision + 1;
            const sentAt = Date.now();
            const sentPerf = performance.now();
            await senders[door](`camera-${target}`);
            const answer = performance.now() - sentPerf;
            const frame = await firstFrame(page, revision);
            state = { ...state, revision };
            if (i < WARMUP_TAKES) continue;
            latencies.push(frame.serverNow - sentAt);
            drawn.push(frame.drawnAt - sentAt);
            answers.push(answer);
          }
          // Nothing else changes the state here, so each take is the previous revision + 1: check it.
          const actual = await fetch(`${api}/state`, { headers: auth });
          const { revision } = ((await actual.json()) as { state: ProgramState }).state;
          if (revision !== state.revision)
            throw new Error(`revisions drifted: expected ${state.revision}, the controller has ${revision}`);
          offsets.push(await page.evaluate(() => window.pitchside?.serverOffsetMs() ?? Number.NaN));
          const targetMs = interval + TARGET_MARGIN_MS;
          const p99 = percentile(latencies, 99);
          results.push({
            door,
            fps,
            frameIntervalMs: round(interval),
            samples: latencies.length,
            p50Ms: round(percentile(latencies, 50)),
            p99Ms: round(p99),
            maxMs: round(Math.max(...latencies)),
            drawnP50Ms: round(percentile(drawn, 50)),
            drawnP99Ms: round(percentile(drawn, 99)),
            answerP50Ms: round(percentile(answers, 50)),
            answerP99Ms: round(percentile(answers, 99)),
            targetMs: round(targetMs),
            meetsTarget: p99 <= targetMs,
          });
          console.error(`${door} at ${fps} fps: done`);
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    await obs.disconnect();
    ws.close();
    await app.close();
    await redis.close();
  }

  const report = {
    name: 'latency',
    ...runConditions(loadBefore),
    template: { ...SIZE, renderer: 'auto (canvas without a GPU)', sources: 'built-in test sources' },
    /** The page's estimated server-clock offset (same machine: the true offset is 0), ms, per run. */
    pageClockOffsetMs: offsets.map(round),
    results,
  };
  mkdirSync(resolve(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    '| door | fps | takes | p50 ms | p99 ms | max ms | drawn p99 ms | answer p50 / p99 ms | target p99 ≤ | met |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.door} | ${r.fps} | ${r.samples} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.drawnP99Ms} | ${r.answerP50Ms} / ${r.answerP99Ms} | ${r.targetMs} | ${r.meetsTarget ? 'yes' : 'no'} |`,
    );
  }
  const [l1b] = report.loadAverage.before;
  const [l1a] = report.loadAverage.after;
  console.log(`${report.cpu.model} × ${report.cpu.cores}, load ${l1b?.toFixed(2)} → ${l1a?.toFixed(2)} → ${RESULTS}`);
}

await main();
