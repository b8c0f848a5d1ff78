// Faults under a running program output (the built-in recorder: Chromium renders the template, one ffmpeg
// per output), recording and streaming to two RTMP receivers, on one stack in order — each case starts
// from a healthy output, so they share the controller, the receivers and the first worker:
// 1. one receiver dies and comes back: the other and the recording never stop, the dead one reconnects
//    with backoff;
// 2. the template's renderer process is killed: the output recovers by itself;
// 2b. the template's renderer freezes (stopped, no crash event): the capture's frame watchdog notices and
//    the output recovers by itself;
// 3. the worker is killed with -9: a second worker adopts the output, the part recorded before the
//    crash is finalised and listed, both receivers get the stream again.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { testSourceColour, testSourceNumber, type Command, type OutputStatusMessage } from '../../protocol/index.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { FRAME_STALL_MS } from '../../worker/recorder/browser-capture.ts';
import { colourDistance, hexToRgb } from '../worker/media-checks.ts';
import { recordFaultResult } from './fault-results.ts';
import {
  alive,
  ApiClient,
  ByteTimeline,
  ControllerProcess,
  descendants,
  FAULT_ADMIN_KEY,
  lastFrameColour,
  PrivateRedis,
  RtmpReceiver,
  tempDir,
  until,
  WorkerProcess,
} from './fault-stack.ts';

const VIDEO = { width: 1280, height: 720, fps: 30 } as const;
/** The healthy output the receivers must keep getting: no stall longer than this (bytes sampled every 100 ms). */
const HEALTHY_STALL_MS = 1500;
/** Generous bounds on two loaded cores. */
const RECONNECT_BOUND_MS = 30_000;
const RECOVERY_BOUND_MS = 60_000;
/**
 * Reconnect attempts to see against a dead receiver before it comes back. After three the next wait is the
 * 10 s step (worker/recorder/ffmpeg-output.ts BACKOFF_STEPS_MS), which bounds how long the test waits.
 */
const BACKOFF_ATTEMPTS = 3;
/** Max channel difference between a received frame and the test colour (H.264 at 720p). */
const COLOUR_TOLERANCE = 24;

const redis = new PrivateRedis();
const dataDir = tempDir('outputs');
const controller = new ControllerProcess(() => redis.url, dataDir);
const workers = [new WorkerProcess(() => redis.url, dataDir), new WorkerProcess(() => redis.url, dataDir)];
const receivers = [new RtmpReceiver('a'), new RtmpReceiver('b')];
const timeline = new ByteTimeline(receivers);
const api = new ApiClient(() => controller.origin, 'outputs');
let director = '';

beforeAll(async () => {
  await redis.start();
  await Promise.all([controller.start(), workers[0]!.start(), ...receivers.map((r) => r.start())]);
  const keys = await api.createEvent();
  director = keys['director'] ?? '';
  await api.ok('PATCH', `/api/events/${api.eventId}`, FAULT_ADMIN_KEY, {
    destinations: receivers.map((r) => ({ id: r.name, kind: 'rtmp', serverUrl: r.serverUrl, streamKey: 'key' })),
  });
  await api.ok('POST', `/api/events/${api.eventId}/commands`, director, {
    type: 'program.take',
    source: 'camera-1',
    transition: { type: 'cut' },
  } satisfies Command);
  await api.ok('POST', `/api/events/${api.eventId}/outputs/record`, director, { video: VIDEO });
  await api.ok('POST', `/api/events/${api.eventId}/outputs/stream`, director, { video: VIDEO });
  timeline.start();
  await allLive('the first output');
}, 300_000);

afterAll(async () => {
  timeline.stop();
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await controller.kill();
  await Promise.all(receivers.map((r) => r.close()));
  await redis.close();
});

function explainFailure(): void {
  onTestFailed(async () => {
    const files = receivers.flatMap((r) => r.files().map((f) => `${f} ${statSync(f).size}`));
    const last = await status().catch(() => null);
    console.error(
      `controller:\n${controller.output}\n${workers.map((w, i) => `worker ${i}:\n${w.output}`).join('\n')}\n` +
        `receivers:\n${files.join('\n')}\nlast status: ${JSON.stringify(last)}`,
    );
  });
}

async function status(): Promise<OutputStatusMessage | null> {
  return api.outputStatus(director);
}

/** Recording and both destinations live, and both receivers getting bytes. */
async function allLive(what: string, timeoutMs = RECOVERY_BOUND_MS): Promise<number> {
  const since = Date.now();
  await until(
    `${what}: recording and both destinations live`,
    async () => {
      const s = await status();
      return s !== null && s.outputs.length === 3 && s.outputs.every((o) => o.state === 'live');
    },
    timeoutMs,
    100,
  );
  await until(
    `${what}: both receivers getting bytes`,
    () => receivers.every((_, i) => timeline.firstGrowthAfter(i, since) !== null),
    timeoutMs,
    100,
  );
  return Date.now();
}

/**
 * Proof that a renderer is drawing for every destination now: take `source`, and wait until the newest
 * stream each receiver has shows it, and a status published after `since` says everything is live.
 * Returns when all of that was true.
 */
async function showsOnEveryReceiver(source: string, since: number, timeoutMs = RECOVERY_BOUND_MS): Promise<number> {
  await api.ok('POST', `/api/events/${api.eventId}/commands`, director, {
    type: 'program.take',
    source,
    transition: { type: 'cut' },
  } satisfies Command);
  const want = hexToRgb(testSourceColour(testSourceNumber(source) ?? 0));
  await until(
    `${source} on every receiver`,
    () =>
      receivers.every((r) => {
        const file = r.files().at(-1);
        return file !== undefined && colourDistance(lastFrameColour(file), want) <= COLOUR_TOLERANCE;
      }),
    timeoutMs,
    250,
  );
  await until(
    'a status after the fault with everything live',
    async () => {
      const s = await status();
      return s !== null && s.at > since && s.outputs.length === 3 && s.outputs.every((o) => o.state === 'live');
    },
    timeoutMs,
    100,
  );
  return Date.now();
}

function recordingFiles(): string[] {
  const dir = join(dataDir, 'recordings', api.eventId);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mp4') && !f.endsWith('.frag.mp4'))
    .map((f) => join(dir, f));
}

describe('faults under a running program output', () => {
  it('one RTMP receiver dies and comes back: the other and the recording never stop; it reconnects with backoff', async () => {
    explainFailure();
    const [a] = receivers;
    await a!.kill();
    const killedAt = Date.now();
    await until(
      'destination a retrying',
      async () => (await status())?.outputs.find((o) => o.id === 'a')?.state === 'retrying',
      RECONNECT_BOUND_MS,
      100,
    );
    // Down long enough to see the backoff at work: three attempts against the dead ingest.
    await until('three reconnect attempts', () => a!.attempts.length >= BACKOFF_ATTEMPTS, RECONNECT_BOUND_MS * 2, 50);
    await a!.start();
    const backAt = Date.now();
    const reconnectedAt = await until(
      'a receiving again',
      () => timeline.firstGrowthAfter(0, backAt),
      RECONNECT_BOUND_MS,
      100,
    );
    await until(
      'a live again',
      async () => (await status())?.outputs.find((o) => o.id === 'a')?.state === 'live',
      RECONNECT_BOUND_MS,
      100,
    );

    // b never stalled, and the recording stayed live through it.
    const bStall = timeline.longestStall(1, killedAt, reconnectedAt);
    expect(bStall).toBeLessThan(HEALTHY_STALL_MS);
    const now = await status();
    expect(now?.outputs.find((o) => o.id === 'recording')?.state).toBe('live');
    // Still the one part being written: nothing finalised or listed yet.
    expect(recordingFiles()).toHaveLength(1);
    expect((await api.outputs(director)).recordings).toHaveLength(0);

    // Backoff: attempts against the dead receiver are spaced out, not a hot loop. (Each spacing is a backoff
    // step plus the wait for the next keyframe and an ffmpeg start, so it is not compared with the steps.)
    const attempts = a!.attempts.slice(0, BACKOFF_ATTEMPTS);
    const spacing = attempts.slice(1).map((t, i) => t - (attempts[i] ?? t));
    for (const gap of spacing) expect(gap).toBeGreaterThanOrEqual(900);

    await recordFaultResult('receiver-restart', 'One RTMP receiver dies and comes back', {
      otherStallMs: { value: bStall, unit: 'ms', note: 'longest stall of the other destination' },
      recordingParts: { value: 1, unit: 'count', note: 'recording parts (never interrupted)' },
      downMs: { value: backAt - killedAt, unit: 'ms', note: 'receiver down' },
      retrySpacingMs: { value: spacing[0] ?? 0, unit: 'ms', note: 'first wait between reconnect attempts' },
      retrySpacing2Ms: { value: spacing[1] ?? 0, unit: 'ms', note: 'second wait between attempts' },
      reconnectMs: { value: reconnectedAt - backAt, unit: 'ms', note: 'receiver back to receiving again' },
    });
  }, 120_000);

  it('the template renderer is killed mid-recording: the output recovers by itself', async () => {
    explainFailure();
    await allLive('before the renderer crash');
    const renderers = descendants(workers[0]!.pid).filter((p) => p.args.includes('--type=renderer'));
    expect(renderers.length).toBeGreaterThan(0);
    const crashedAt = Date.now();
    for (const r of renderers) process.kill(r.pid, 'SIGKILL');
    const recoveredAt = await showsOnEveryReceiver('camera-2', crashedAt);
    const gaps = receivers.map((_, i) => timeline.longestStall(i, crashedAt, recoveredAt));
    const newRenderers = descendants(workers[0]!.pid).filter((p) => p.args.includes('--type=renderer'));
    expect(newRenderers.some((p) => !renderers.some((r) => r.pid === p.pid))).toBe(true);

    await recordFaultResult('renderer-crash', 'Template renderer process killed mid-recording', {
      recoveryMs: { value: recoveredAt - crashedAt, unit: 'ms', note: 'crash to every output live again' },
      gapMs: { value: Math.max(...gaps), unit: 'ms', note: 'longest gap at an RTMP receiver' },
    });
    expect(Math.max(...gaps)).toBeLessThan(RECOVERY_BOUND_MS);
  }, 120_000);

  it('the template renderer freezes (stopped, not crashed) mid-recording: the output recovers by itself', async () => {
    explainFailure();
    await allLive('before the renderer freeze');
    // SIGSTOP: the renderer neither draws nor answers CDP and no crash event comes, as with a hung GPU
    // readback or a page script in a loop. Only the capture's frame watchdog (FRAME_STALL_MS) can tell.
    const renderers = descendants(workers[0]!.pid).filter((p) => p.args.includes('--type=renderer'));
    expect(renderers.length).toBeGreaterThan(0);
    const frozenAt = Date.now();
    for (const r of renderers) process.kill(r.pid, 'SIGSTOP');
    const recoveredAt = await showsOnEveryReceiver('camera-4', frozenAt);
    const gaps = receivers.map((_, i) => timeline.longestStall(i, frozenAt, recoveredAt));
    const newRenderers = descendants(workers[0]!.pid).filter((p) => p.args.includes('--type=renderer'));
    expect(newRenderers.some((p) => !renderers.some((r) => r.pid === p.pid))).toBe(true);
    // The frozen renderers' browser was killed: once they run again they find it gone and exit.
    for (const r of renderers) if (alive(r.pid)) process.kill(r.pid, 'SIGCONT');
    await until('the frozen renderers gone', () => renderers.every((r) => !alive(r.pid)), 15_000, 200);

    await recordFaultResult('renderer-freeze', 'Template renderer frozen (SIGSTOP) mid-recording', {
      recoveryMs: {
        value: recoveredAt - frozenAt,
        unit: 'ms',
        note: `freeze to every output live again (watchdog ${FRAME_STALL_MS} ms)`,
      },
      gapMs: { value: Math.max(...gaps), unit: 'ms', note: 'longest gap at an RTMP receiver' },
    });
    expect(recoveredAt - frozenAt).toBeLessThan(RECOVERY_BOUND_MS);
  }, 120_000);

  it('the worker is killed with -9: a second worker adopts the output; the part before the crash is listed', async () => {
    explainFailure();
    await allLive('before the worker kill');
    const [first, second] = workers;
    await second!.start();
    const children = descendants(first!.pid);
    const partsBefore = (await api.outputs(director)).recordings.length;
    const killedAt = Date.now();
    await first!.kill('SIGKILL');
    const adoptedAt = await showsOnEveryReceiver('camera-3', killedAt);
    const gaps = receivers.map((_, i) => timeline.longestStall(i, killedAt, adoptedAt));

    // The part written before the crash is finalised and listed (the adopting worker does it first).
    const { recordings } = await api.outputs(director);
    expect(recordings.length).toBeGreaterThan(partsBefore);
    // Parts by start time: the adopting worker's own (still being written) is the last; the one before it
    // is what the killed worker was writing, now finalised.
    const files = recordingFiles().sort();
    expect(files.length).toBeGreaterThanOrEqual(2);
    const killedPart = await probe(files.at(-2) ?? '');
    expect(killedPart.video?.codec).toBe('h264');
    expect(killedPart.durationMs).toBeGreaterThan(2000);

    // Nothing of the dead worker lives on (a Chromium rendering for nobody, an ffmpeg holding a socket).
    await until('the dead worker’s children gone', () => children.every((c) => !alive(c.pid)), 15_000, 200);

    await recordFaultResult('worker-kill', 'Worker kill -9 while recording + 2 RTMP destinations', {
      adoptionMs: { value: adoptedAt - killedAt, unit: 'ms', note: 'kill to every output live on the second worker' },
      gapMs: { value: Math.max(...gaps), unit: 'ms', note: 'longest gap at an RTMP receiver' },
      recoveredPartMs: {
        value: Math.round(killedPart.durationMs),
        unit: 'ms',
        note: 'length of the part recorded before the crash',
      },
    });
    expect(adoptedAt - killedAt).toBeLessThan(RECOVERY_BOUND_MS);
  }, 150_000);
});
