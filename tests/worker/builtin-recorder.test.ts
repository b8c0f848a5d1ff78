// The built-in backend end to end: the real controller serving the real template, Chromium + the
// recorder, a 1280×720@30 recording with takes at known times, and two real RTMP receivers (ffmpeg in
// listen mode), one of which is killed mid-stream.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import {
  PROGRAM_OUTPUT_QUEUE,
  createRedisKeys,
  type RedisKeys,
  testSourceColour,
  testSourceNumber,
  testSourceToneHz,
  type OutputStatusMessage,
} from '../../protocol/index.ts';
import { freePort } from '../../runtime/free-port.ts';
import { readRecordingStart } from '../../worker/recording-start.ts';
import { BuiltinBackend } from '../../worker/builtin-backend.ts';
import { JobClient } from '../../outputs/job-client.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { bearer, listen, seedEvent, testApp } from '../controller/controller-helpers.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { StatusListener, until } from './helpers.ts';
import { colourDistance, hexToRgb, regionColour, tonePowers } from './media-checks.ts';
import { testLogger } from '../helpers/logger.ts';

const W = 1280 as const;
const H = 720 as const;
const FPS = 30;
const RECORD_S = 10;
/** Takes after the first frame (ms): the colour and tone at take + 1 s must be that source's. */
const TAKES = [
  { atMs: 2000, source: 'camera-2' },
  { atMs: 4500, source: 'camera-3' },
  { atMs: 7000, source: 'camera-4' },
];
/** Max channel difference between the sampled region and the test colour (H.264 + scaling). */
const COLOUR_TOLERANCE = 24;
const eventId = 'builtin-rec';

let dir: string;
let app: FastifyInstance;
let worker: OutputWorker;
let client: JobClient;
let redisKeys: RedisKeys;
const receivers: ChildProcess[] = [];

function rtmpReceiver(port: number, file: string): ChildProcess {
  const child = spawn(
    'ffmpeg',
    ['-v', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/key`, '-c', 'copy', '-f', 'flv', '-y', file],
    { stdio: 'ignore' },
  );
  receivers.push(child);
  return child;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-builtin-'));
  app = await testApp({ distDir: resolve('dist') });
  await seedEvent(app, eventId);
  redisKeys = createRedisKeys(freshPrefix('builtin'));
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
  for (const r of receivers) r.kill('SIGKILL');
  await worker?.close();
  const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: redisKeys.queuePrefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('built-in recorder backend', () => {
  it('records 1280×720@30 with the right pictures and tones, and two RTMP destinations survive each other', async () => {
    const host = await listen(app);
    const keys = Object.fromEntries((await app.apiKeys.ensureEventKeys(eventId)).map((k) => [k.role, k.key]));
    const director = bearer(keys['director'] ?? '');
    const take = async (source: string) => {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${eventId}/commands`,
        headers: director,
        payload: { type: 'program.take', source, transition: { type: 'cut', durationMs: 0 } },
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    await take('camera-1');

    const [portA, portB] = [await freePort(), await freePort()];
    const flvA = join(dir, 'a.flv');
    const flvB = join(dir, 'b.flv');
    const receiverA = rtmpReceiver(portA, flvA);
    rtmpReceiver(portB, flvB);
    const status = new StatusListener(testRedis(), redisKeys);
    await status.start(eventId);

    const target = {
      templateUrl: `http://${host}/template/?event=${eventId}&key=${keys['template']}`,
      video: { width: W, height: H, fps: FPS as 30 },
    };
    await client.startRecording(eventId, target);
    await client.startStream(eventId, target, {
      destinations: [
        { id: 'a', kind: 'rtmp', serverUrl: `rtmp://127.0.0.1:${portA}/live`, streamKey: 'key' },
        { id: 'b', kind: 'rtmp', serverUrl: `rtmp://127.0.0.1:${portB}/live`, streamKey: 'key' },
      ],
    });
    const live = (await status.waitFor(
      (m) =>
        m.type === 'job.output' &&
        m.recordingStartedAt !== null &&
        m.outputs.filter((o) => o.state === 'live').length === 3,
      60_000,
    )) as OutputStatusMessage;
    const startedAt = live.recordingStartedAt ?? 0;

    const takeTimes: { source: string; atS: number }[] = [{ source: 'camera-1', atS: 0 }];
    for (const t of TAKES) {
      const wait = startedAt + t.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const before = Date.now();
      await take(t.source);
      takeTimes.push({ source: t.source, atS: (before - startedAt) / 1000 });
      if (t === TAKES[0]) {
        // Kill destination A mid-stream: B and the recording must carry on.
        receiverA.kill('SIGKILL');
      }
    }
    const sizeB = statSync(flvB).size;
    await until(() => statSync(flvB).size > sizeB, 10_000, 'destination B still receiving after A died');
    const wait = startedAt + RECORD_S * 1000 + 300 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const running = status.messages.filter((m): m is OutputStatusMessage => m.type === 'job.output').at(-1);
    expect(running?.outputs.find((o) => o.id === 'recording')?.state).toBe('live');
    expect(running?.outputs.find((o) => o.id === 'b')?.state).toBe('live');

    await client.stop(eventId);
    const done = (await status.waitFor((m) => m.state === 'completed', 60_000)) as OutputStatusMessage;
    status.close();
    expect(done.outputs.map((o) => o.id).sort()).toEqual(['a', 'b', 'recording']);
    const notes = await client.recordings(eventId);
    const file = notes.at(-1)?.file ?? '';
    expect(existsSync(file)).toBe(true);
    // Kept beside the file too, for a worker that recovers it after a crash.
    expect(await readRecordingStart(file)).toBe(notes.at(-1)?.startedAt);

    const info = await probe(file);
    expect([info.video?.codec, info.video?.width, info.video?.height]).toEqual(['h264', W, H]);
    expect(info.video?.fps).toBeCloseTo(FPS, 1);
    expect(info.audio?.codec).toBe('aac');
    // Nobody asked for the international sound (audio.master.international): the program's stereo track alone.
    expect([info.audioStreams, info.audio?.channels]).toEqual([1, 2]);
    expect(info.durationMs).toBeGreaterThanOrEqual(RECORD_S * 1000 - 1000 / FPS);
    const b = await probe(flvB);
    expect([b.video?.codec, b.audio?.codec]).toEqual(['h264', 'aac']);
    expect(b.durationMs).toBeGreaterThan(RECORD_S * 1000 - 2000);

    for (const t of takeTimes) {
      const n = testSourceNumber(t.source) ?? 0;
      const at = t.atS + 1;
      const colour = regionColour(file, at, W, H);
      expect(
        colourDistance(colour, hexToRgb(testSourceColour(n))),
        `${t.source} at ${at.toFixed(2)} s: rgb(${colour.join(',')})`,
      ).toBeLessThanOrEqual(COLOUR_TOLERANCE);
      const tones = [1, 2, 3, 4].map(testSourceToneHz);
      const powers = tonePowers(file, at, 0.5, tones);
      const loudest = tones[powers.indexOf(Math.max(...powers))];
      expect(loudest, `tone at ${at.toFixed(2)} s`).toBe(testSourceToneHz(n));
    }
  }, 180_000);
});
