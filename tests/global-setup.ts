// One private Redis for the whole test run (tests isolate themselves with a fresh key prefix / queue
// name each); REDIS_URL set outside wins.
import type { TestProject } from 'vitest/node';
import { EmbeddedRedis } from '../runtime/embedded-redis.ts';

let redis: EmbeddedRedis | null = null;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (url === undefined || url === '') {
    redis = new EmbeddedRedis({ appendOnly: false });
    url = await redis.start();
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await redis?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
