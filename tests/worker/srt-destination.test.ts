// An SRT destination with the built-in backend: the real controller serving the template, Chromium + the
// recorder, and a real SRT receiver (ffmpeg in listener mode, with the destination's passphrase and stream
// id) that must receive the program; the stream id and passphrase appear in no status.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import {
  PROGRAM_OUTPUT_QUEUE,
  createRedisKeys,
  testSourceColour,
  type OutputStatusMessage,
  type RedisKeys,
} from '../../protocol/index.ts';
import { freePort } from '../../runtime/free-port.ts';
import { BuiltinBackend } from '../../worker/builtin-backend.ts';
import { JobClient } from '../../outputs/job-client.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { bearer, listen, seedEvent, take, testApp } from '../controller/controller-helpers.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { StatusListener } from './helpers.ts';
import { colourDistance, hexToRgb, regionColour } from './media-checks.ts';
import { testLogger } from '../helpers/logger.ts';

const W = 1280 as const;
const H = 720 as const;
const FPS = 30;
/** Seconds the receiver should get: enough for a keyframe interval and a picture to sample. */
const STREAM_S = 5;
/** Max channel difference between the sampled region and the test colour (H.264 + scaling). */
const COLOUR_TOLERANCE = 24;
/** The receiver ends this soon after the caller hangs up, or it never had a caller. */
const RECEIVER_EXIT_MS = 20_000;
const STREAM_ID = 'venue-feed-Secret-4471';
const PASSPHRASE = 'srt pass+Secret&0815';
const eventId = 'srt-out';

let dir: string;
let app: FastifyInstance;
let worker: OutputWorker;
let client: JobClient;
let redisKeys: RedisKeys;
let receiver: ChildProcess | null = null;

/** Presentation times (s) of one stream's packets, in file order. */
function packetTimes(file: string, stream: 'v:0' | 'a:0'): number[] {
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    stream,
    '-show_entries',
    'packet=pts_time',
    '-of',
    'csv=p=0',
    file,
  ]);
  return out
    .toString()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Number.parseFloat(l));
}

/** One caller, then exits (when the caller goes): what the caller sent is in `file`. */
function srtReceiver(port: number, file: string): ChildProcess {
  const query = new URLSearchParams({ mode: 'listener', passphrase: PASSPHRASE, streamid: STREAM_ID });
  const url = `srt://127.0.0.1:${port}?${query.toString().replace(/\+/g, '%20')}`;
  return spawn('ffmpeg', ['-v', 'error', '-i', url, '-c', 'copy', '-f', 'mpegts', '-y', file], { stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-srt-'));
  app = await testApp({ distDir: resolve('dist') });
  await seedEvent(app, eventId);
  redisKeys = createRedisKeys(freshPrefix('srt'));
  worker = new OutputWorker({
    log: testLogger('output'),
    redisUrl: testRedisUrl(),
    keys: redisKeys,
    backends: { builtin: new BuiltinBackend({ recordingsDir: dir }) },
  });
  await worker.start();
  client = new JobClient({ redis: testRedisUrl(), keys: redisKeys });
  await client.start();
});

afterAll(async () => {
  receiver?.kill('SIGKILL');
  await worker?.close();
  const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: redisKeys.queuePrefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SRT destination (built-in recorder)', () => {
  it('a real SRT listener with the passphrase and stream id receives the program', async () => {
    const host = await listen(app);
    const keys = Object.fromEntries((await app.apiKeys.ensureEventKeys(eventId)).map((k) => [k.role, k.key]));
    const took = await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/commands`,
      headers: bearer(keys['director'] ?? ''),
      payload: take('camera-1'),
    });
    expect(took.statusCode, took.body).toBe(200);
    const port = await freePort();
    const file = join(dir, 'received.ts');
    receiver = srtReceiver(port, file);
    const exited = once(receiver, 'exit');
    const status = new StatusListener(testRedis(), redisKeys);
    await status.start(eventId);

    const serverUrl = `srt://127.0.0.1:${port}`;
    await client.startStream(
      eventId,
      {
        templateUrl: `http://${host}/template/?event=${eventId}&key=${keys['template']}`,
        video: { width: W, height: H, fps: FPS },
      },
      { destinations: [{ id: 'venue', kind: 'srt', serverUrl, streamKey: STREAM_ID, passphrase: PASSPHRASE }] },
    );
    const live = (await status.waitFor(
      (m) => m.type === 'job.output' && m.outputs.some((o) => o.id === 'venue' && o.state === 'live'),
      60_000,
    )) as OutputStatusMessage;
    expect(live.outputs.find((o) => o.id === 'venue')).toMatchObject({
      kind: 'srt',
      target: `${serverUrl}?mode=caller&streamid=****&passphrase=****`,
    });
    await new Promise((r) => setTimeout(r, STREAM_S * 1000));
    await client.stop(eventId);
    await status.waitFor((m) => m.state === 'completed', 60_000);
    status.close();
    // The caller hung up: the listener writes its file's end and exits (it never does if no caller got in).
    const gone = setTimeout(() => receiver?.kill('SIGKILL'), RECEIVER_EXIT_MS);
    const exit = await exited;
    clearTimeout(gone);
    expect(exit[0], 'the SRT receiver ended by itself after the caller hung up').toBe(0);

    const info = await probe(file);
    expect([info.video?.codec, info.video?.width, info.video?.height]).toEqual(['h264', W, H]);
    expect(info.audio?.codec).toBe('aac');
    expect(info.durationMs).toBeGreaterThan((STREAM_S - 2) * 1000);
    // Frames stamped at the program's rate on MPEG-TS's clock, and the sound starting with the picture
    // (the audio's first packet is the AAC priming, one 1024-sample frame before it).
    const video = packetTimes(file, 'v:0');
    const audio = packetTimes(file, 'a:0');
    expect((video.at(-1)! - video[0]!) / (video.length - 1)).toBeCloseTo(1 / FPS, 4);
    expect(video[0]! - audio[0]!).toBeCloseTo(1024 / 48_000, 2);
    const colour = regionColour(file, info.durationMs / 2000, W, H);
    expect(colourDistance(colour, hexToRgb(testSourceColour(1)))).toBeLessThanOrEqual(COLOUR_TOLERANCE);

    for (const secret of [STREAM_ID, PASSPHRASE, encodeURIComponent(PASSPHRASE)])
      expect(status.raw.join('\n')).not.toContain(secret);
  }, 120_000);
});
