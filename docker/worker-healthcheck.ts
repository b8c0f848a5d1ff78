// The worker container's compose healthcheck: healthy while a BullMQ worker is connected to the stack's
// Redis and listening on the program-output queue. It asks Redis (CLIENT LIST through BullMQ), so it
// fails both when the worker process hangs up on Redis and when Redis is unreachable.
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { PROGRAM_OUTPUT_QUEUE, createRedisKeys, type RedisKeys } from '../protocol/index.ts';
import { loadConfig } from '../runtime/config.ts';

/** Longer than compose's healthcheck timeout would be pointless: answer within it. */
const REDIS_CONNECT_TIMEOUT_MS = 2_000;

export interface WorkerHealthOptions {
  redisUrl: string;
  /** Redis names (tests use a fresh prefix; production the default). */
  keys?: RedisKeys;
}

export async function workerConnected(options: WorkerHealthOptions): Promise<boolean> {
  const connection = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: () => null,
  });
  connection.on('error', () => {}); // reported by the failing command below
  const queue = new Queue(PROGRAM_OUTPUT_QUEUE, {
    connection,
    prefix: (options.keys ?? createRedisKeys()).queuePrefix,
  });
  try {
    return (await queue.getWorkersCount()) > 0;
  } catch {
    return false;
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  process.exitCode = (await workerConnected({ redisUrl: config.REDIS_URL })) ? 0 : 1;
}
