import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { workerConnected } from '../../docker/worker-healthcheck.ts';
import { PROGRAM_OUTPUT_QUEUE, createRedisKeys } from '../../protocol/index.ts';
import { freePort } from '../../runtime/free-port.ts';
import { freshPrefix, testRedisUrl } from '../helpers/redis.ts';

let worker: Worker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
});

describe('worker container healthcheck', () => {
  it('is healthy only while a worker listens on the program-output queue', async () => {
    const keys = createRedisKeys(freshPrefix('health'));
    expect(await workerConnected({ redisUrl: testRedisUrl(), keys })).toBe(false);

    worker = new Worker(PROGRAM_OUTPUT_QUEUE, async () => {}, {
      connection: new Redis(testRedisUrl(), { maxRetriesPerRequest: null }),
      prefix: keys.queuePrefix,
    });
    await worker.waitUntilReady();
    await expect.poll(() => workerConnected({ redisUrl: testRedisUrl(), keys }), { timeout: 5_000 }).toBe(true);

    await worker.close();
    worker = null;
    await expect.poll(() => workerConnected({ redisUrl: testRedisUrl(), keys }), { timeout: 5_000 }).toBe(false);
  });

  it('is unhealthy, quickly, when Redis does not answer', async () => {
    const started = Date.now();
    expect(await workerConnected({ redisUrl: `redis://127.0.0.1:${await freePort()}` })).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
