// Highlight reels through the real controller, Redis, worker and ffmpeg: two cameras' ISO segments (real
// WebM files: one red 320×180 with sound, one blue 640×360 without a microphone), three clips joined by a
// half-second mix, then by cuts. The MP4 lasts the clips' sum less one transition per join, shows each
// clip's colour where the reel's arithmetic puts it, and bad input is a 4xx naming the field with nothing queued.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIP_EXPORT_QUEUE,
  reelDurationMs,
  type JoinResponse,
  type ReelExportStatus,
  type ReelTransition,
  type ReplayClip,
} from '../../protocol/index.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { ClipExportWorker } from '../../worker/export/clip-export-worker.ts';
import { armIso, bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';
import { testLogger } from '../helpers/logger.ts';
import { testRedisUrl } from '../helpers/redis.ts';
import { until } from '../worker/helpers.ts';
import { colourDistance, hexToRgb, regionColour } from '../worker/media-checks.ts';

const SEGMENT_MS = 2000;
const SEGMENTS = 3;
const RED = '#e01010';
const BLUE = '#1040e0';
/** The reel may differ from its arithmetic by a frame or two and the AAC priming. */
const DURATION_TOLERANCE_MS = 150;
const COLOUR_TOLERANCE = 40;

let dir = '';
const segments: Record<'red' | 'blue', Buffer> = { red: Buffer.alloc(0), blue: Buffer.alloc(0) };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-reel-'));
  const encode = (name: 'red' | 'blue', colour: string, size: string, sound: boolean) => {
    const file = join(dir, `${name}.webm`);
    const seconds = SEGMENT_MS / 1000;
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=${size}:r=30:d=${seconds}`],
      ...(sound ? ['-f', 'lavfi', '-i', `sine=f=1000:sample_rate=48000:d=${seconds}`, '-c:a', 'libopus'] : []),
      ...['-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-y', file],
    ]);
    segments[name] = readFileSync(file);
  };
  encode('red', RED, '320x180', true);
  encode('blue', BLUE, '640x360', false);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function join2(app: FastifyInstance, label: string): Promise<JoinResponse> {
  const code = (await app.events.require('match')).joinCode;
  const joined = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label } });
  return JSON.parse(joined.body) as JoinResponse;
}

describe('highlight reels', () => {
  let app: FastifyInstance;
  let worker: ClipExportWorker | null = null;
  afterAll(async () => {
    await worker?.close();
    await app?.close();
  });

  it('joins clips with a mix (and with cuts) into one MP4 of the expected length, naming bad fields', async () => {
    app = await testApp({ config: testConfig({ PITCHSIDE_DATA_DIR: mkdtempSync(join(dir, 'data-')) }) });
    const director = (await seedEvent(app))['director']!.key;
    await armIso(app);
    const red = await join2(app, 'North');
    const blue = await join2(app, 'South');
    const t0 = Date.now() - SEGMENTS * SEGMENT_MS;
    for (const [camera, body] of [
      [red, segments.red],
      [blue, segments.blue],
    ] as const)
      for (let i = 0; i < SEGMENTS; i++) {
        const startMs = t0 + i * SEGMENT_MS;
        const uploaded = await app.inject({
          method: 'POST',
          url: `/api/events/match/cameras/${camera.camera.id}/iso?startMs=${startMs}&endMs=${startMs + SEGMENT_MS}`,
          headers: { ...bearer(camera.key), 'content-type': 'video/webm' },
          payload: body,
        });
        expect(uploaded.statusCode, uploaded.body).toBe(200);
      }
    const mark = async (camera: JoinResponse, fromMs: number, toMs: number): Promise<ReplayClip> => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/events/match/replay/clips',
        headers: bearer(director),
        payload: { source: camera.camera.id, fromMs, toMs },
      });
      expect(res.statusCode, res.body).toBe(200);
      return (JSON.parse(res.body) as { clip: ReplayClip }).clip;
    };
    // 3 s of red, 4 s of blue, 2 s of red again.
    const clips = [
      await mark(red, t0 + 500, t0 + 3500),
      await mark(blue, t0 + 1000, t0 + 5000),
      await mark(red, t0 + 2000, t0 + 4000),
    ];
    const ids = clips.map((c) => c.id);
    const reels = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/events/match/replay/reels', headers: bearer(director), payload });

    const queue = new Queue(CLIP_EXPORT_QUEUE, {
      connection: app.redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: app.redisKeys.queuePrefix,
    });
    try {
      const bad = await Promise.all([
        reels({ clips: [ids[0], 'nosuchclip', ids[1]] }),
        reels({ clips: [] }),
        reels({ clips: ids, transition: { type: 'mix', durationMs: 5000 } }),
        reels({ clips: ids, transition: { type: 'spin', durationMs: 500 } }),
        // 1.5 s in and out of the 2 s clip would overlap.
        reels({ clips: ids, transition: { type: 'mix', durationMs: 1500 } }),
      ]);
      expect(bad.map((r) => [r.statusCode, JSON.parse(r.body).error.field])).toEqual([
        [404, '/clips/1'],
        [400, '/clips'],
        [400, '/transition/durationMs'],
        [400, '/transition/type'],
        [422, '/transition/durationMs'],
      ]);
      expect(await queue.count(), 'nothing queued by bad input').toBe(0);

      worker = new ClipExportWorker({ redisUrl: testRedisUrl(), keys: app.redisKeys, log: testLogger('reel') });
      await worker.start();
      const exportReel = async (transition?: ReelTransition): Promise<{ status: ReelExportStatus; file: string }> => {
        const queued = await reels({ clips: ids, ...(transition === undefined ? {} : { transition }) });
        expect(queued.statusCode, queued.body).toBe(200);
        const first = JSON.parse(queued.body) as ReelExportStatus;
        expect(first.clips).toEqual(ids);
        // The same reel asked for again is the same job.
        const again = JSON.parse((await reels({ clips: ids, ...(transition ? { transition } : {}) })).body);
        expect(again.jobId).toBe(first.jobId);
        const progress: number[] = [];
        let status = first;
        await until(
          async () => {
            const res = await app.inject({
              url: `/api/events/match/replay/reels/${first.reelId}`,
              headers: bearer(director),
            });
            status = JSON.parse(res.body) as ReelExportStatus;
            if (status.state === 'failed') throw new Error(`reel export failed: ${status.error}`);
            progress.push(status.progress);
            return status.state === 'completed';
          },
          90_000,
          'reel export',
        );
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
        expect(status.url).toBe(`/api/events/match/replay/reels/${first.reelId}/reel.mp4`);
        const mp4 = await app.inject({ url: status.url!, headers: bearer(director) });
        expect([mp4.statusCode, mp4.headers['content-type']]).toEqual([200, 'video/mp4']);
        const file = join(dir, `${first.reelId}.mp4`);
        writeFileSync(file, mp4.rawPayload);
        return { status, file };
      };

      // The default: a half-second mix. 3 + 4 + 2 s less two overlaps = 8 s.
      const mixed = await exportReel();
      expect(mixed.status.transition).toEqual({ type: 'mix', durationMs: 500 });
      const want = reelDurationMs(
        clips.map((c) => c.durationMs),
        mixed.status.transition,
      );
      expect(want).toBe(8000);
      const info = await probe(mixed.file);
      expect([info.video?.codec, info.video?.width, info.video?.height, info.audio?.codec]).toEqual([
        'h264',
        320,
        180,
        'aac',
      ]);
      expect(Math.abs(info.durationMs - want), `reel ${info.durationMs} ms, want ${want}`).toBeLessThanOrEqual(
        DURATION_TOLERANCE_MS,
      );
      expect(Math.abs((mixed.status.durationMs ?? 0) - info.durationMs)).toBeLessThanOrEqual(50);
      // Red 0–3 s, the mix 2.5–3, blue to 6.5 (mixing out from 6), red again to 8.
      const colourAt = (file: string, s: number) => regionColour(file, s, 320, 180);
      for (const [s, colour] of [
        [1, RED],
        [2.3, RED],
        [3.2, BLUE],
        [5.8, BLUE],
        [6.7, RED],
        [7.8, RED],
      ] as const)
        expect(colourDistance(colourAt(mixed.file, s), hexToRgb(colour)), `${s} s`).toBeLessThanOrEqual(
          COLOUR_TOLERANCE,
        );
      // Mid-mix (2.75 s): both pictures, neither alone.
      const mid = colourAt(mixed.file, 2.75);
      expect(colourDistance(mid, hexToRgb(RED))).toBeGreaterThan(COLOUR_TOLERANCE);
      expect(colourDistance(mid, hexToRgb(BLUE))).toBeGreaterThan(COLOUR_TOLERANCE);

      // Cuts: no overlap, the full 9 s; blue starts exactly at 3 s.
      const cut = await exportReel({ type: 'cut', durationMs: 0 });
      const cutInfo = await probe(cut.file);
      expect(Math.abs(cutInfo.durationMs - 9000), `cut reel ${cutInfo.durationMs} ms`).toBeLessThanOrEqual(
        DURATION_TOLERANCE_MS,
      );
      expect(colourDistance(colourAt(cut.file, 2.9), hexToRgb(RED))).toBeLessThanOrEqual(COLOUR_TOLERANCE);
      expect(colourDistance(colourAt(cut.file, 3.1), hexToRgb(BLUE))).toBeLessThanOrEqual(COLOUR_TOLERANCE);
    } finally {
      const connection = await queue.client;
      await queue.close();
      connection.disconnect();
    }
  }, 180_000);
});
