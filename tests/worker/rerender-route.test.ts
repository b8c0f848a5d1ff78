// The re-render route without a worker: what it refuses (each a 4xx naming the field, nothing queued) and
// the job it queues (the recording's window, the ISO directory, the event's test sources), once per request.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { RERENDER_QUEUE, type RerenderJob } from '../../protocol/index.ts';
import { noteRecordings } from '../../outputs/recording-notes.ts';
import { IsoStore } from '../../controller/services/iso-store.ts';
import { testRedis } from '../helpers/redis.ts';
import { bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The smallest body the ISO store takes as WebM: the EBML magic and padding. */
const WEBM = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(60)]);

describe('POST /api/events/:id/exports/rerender', () => {
  it('refuses a window without ISO or a recording without a start time, and queues the recording’s window once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pitchside-rerender-route-'));
    const app = await testApp({ config: testConfig({ PITCHSIDE_DATA_DIR: dataDir }) });
    const keys = await seedEvent(app);
    const redis = testRedis();
    const rerender = (payload: object) =>
      app.inject({
        method: 'POST',
        url: '/api/events/match/exports/rerender',
        headers: bearer(keys.director!.key),
        payload,
      });
    const queue = new Queue(RERENDER_QUEUE, { connection: testRedis(), prefix: app.redisKeys.queuePrefix });
    try {
      await noteRecordings(redis, app.redisKeys, 'match', { recordings: ['/rec/a.mp4'], recordingStartedAt: null });
      const started = Date.now() - 30_000;
      await noteRecordings(redis, app.redisKeys, 'match', { recordings: ['/rec/b.mp4'], recordingStartedAt: started });

      const noStart = await rerender({ recording: 0 });
      expect([noStart.statusCode, noStart.json().error.field]).toEqual([409, '/recording']);
      const noIso = await rerender({});
      expect([noIso.statusCode, noIso.json().error.code, noIso.json().error.field]).toEqual([
        422,
        'NO_ISO_COVERAGE',
        '/recording',
      ]);
      expect(await queue.count()).toBe(0);

      // A camera's segment inside the recording: now there is something to render.
      // Its bytes are a stand-in (tests/security/upload-quotas checks real media and junk).
      const iso = new IsoStore(app.redis, app.redisKeys, join(dataDir, 'iso'), Date.now, () => true);
      await iso.append('match', 'cam-a', {
        startMs: started + 1000,
        endMs: started + 3000,
        mime: 'video/webm',
        body: WEBM,
      });
      const video = { width: 1280, height: 720, fps: 30 };
      const ok = await rerender({ recording: 1, video });
      expect(ok.statusCode, ok.body).toBe(200);
      const { jobId, file } = ok.json<{ jobId: string; file: string }>();
      expect(file).toBe(`/api/events/match/exports/${jobId}/program.mp4`);
      const job = await queue.getJob(jobId);
      const data = job?.data as RerenderJob;
      expect(data).toMatchObject({
        eventId: 'match',
        fromMs: started,
        video,
        feed: 'clean',
        isoDir: join(dataDir, 'iso'),
      });
      expect(data.toMs).toBeGreaterThan(started);
      expect(data.testSources).toEqual(['camera-1', 'camera-2', 'camera-3', 'camera-4']);
      expect(data.outDir).toBe(join(dataDir, 'exports', 'match', jobId));
      // The same request is the same job; another size is another.
      expect((await rerender({ recording: 1, video })).json().jobId).toBe(jobId);
      const big = await rerender({ recording: 1, video: { width: 1920, height: 1080, fps: 30 } });
      expect(big.json().jobId).not.toBe(jobId);
      expect(await queue.count()).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
