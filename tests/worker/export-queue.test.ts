// Exports queue without bound no more (issue 11, hole 11): past EXPORT_QUEUE_MAX waiting or running
// exports a new one is refused with 429 naming the setting, and nothing is queued; the same request again
// is the same job, never refused. No export worker runs here, so every export stays queued.
import { describe, expect, it } from 'vitest';
import { EXPORT_QUEUE } from '../../protocol/index.ts';
import { noteRecordings } from '../../outputs/recording-notes.ts';
import { testRedis } from '../helpers/redis.ts';
import { bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';
import { Queue } from 'bullmq';

const LIMIT = 2;

describe('export queue', () => {
  it('refuses an export past EXPORT_QUEUE_MAX with 429, and queues nothing', async () => {
    const app = await testApp({ config: testConfig({ EXPORT_QUEUE_MAX: LIMIT }) });
    const keys = await seedEvent(app);
    const redis = testRedis();
    await noteRecordings(redis, app.redisKeys, 'match', {
      recordings: ['/recordings/match/match-1.mp4'],
      recordingStartedAt: Date.now() - 60_000,
    });
    const exportWith = (options: object) =>
      app.inject({
        method: 'POST',
        url: '/api/events/match/exports',
        headers: bearer(keys.director!.key),
        payload: options,
      });
    const first = await exportWith({ inMs: 0 });
    expect(first.statusCode, first.body).toBe(200);
    expect((await exportWith({ inMs: 1000 })).statusCode).toBe(200);
    const full = await exportWith({ inMs: 2000 });
    expect(full.statusCode, full.body).toBe(429);
    expect(full.json().error).toMatchObject({ code: 'QUEUE_FULL' });
    expect(full.json().error.message).toMatch(/EXPORT_QUEUE_MAX/);
    // A double click on a queued export is the same job, not a new one.
    const again = await exportWith({ inMs: 0 });
    expect(again.statusCode).toBe(200);
    expect(again.json().jobId).toBe(first.json().jobId);

    const queue = new Queue(EXPORT_QUEUE, { connection: redis, prefix: app.redisKeys.queuePrefix });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(LIMIT);
    await queue.close();
    redis.disconnect();
  });

  it('holds the cap when many different exports arrive at once, on two controllers', async () => {
    const config = testConfig({ EXPORT_QUEUE_MAX: LIMIT });
    const app = await testApp({ config });
    const keys = await seedEvent(app);
    const other = await testApp({ config, keyPrefix: app.redisKeys.prefix });
    const redis = testRedis();
    await noteRecordings(redis, app.redisKeys, 'match', {
      recordings: ['/recordings/match/match-1.mp4'],
      recordingStartedAt: Date.now() - 60_000,
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? app : other).inject({
          method: 'POST',
          url: '/api/events/match/exports',
          headers: bearer(keys.director!.key),
          payload: { inMs: i * 1000 },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(LIMIT);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(12 - LIMIT);
    const queue = new Queue(EXPORT_QUEUE, { connection: redis, prefix: app.redisKeys.queuePrefix });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(LIMIT);
    await queue.close();
    redis.disconnect();
    await other.close();
  });
});
