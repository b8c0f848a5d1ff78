// The Redis command connection and the key names under this app's prefix. Every other service depends on
// it, so it opens first and quits last.
import fp from 'fastify-plugin';
import { Redis, type RedisOptions } from 'ioredis';
import { createRedisKeys, type RedisKeys } from '../../../protocol/redis-keys.ts';

export interface RedisPluginOptions {
  redisUrl: string;
  keyPrefix: string;
}

/** A command fails after a few retries instead of waiting forever; the connection is opened (and awaited) at start. */
export const REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 3,
  lazyConnect: true,
  // Under the test runner a command's error names the code that sent it (a stack per command: tests only), so
  // a command sent after a close ("Connection is closed.") can be traced to its sender.
  showFriendlyErrorStack: process.env['VITEST'] !== undefined,
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The command connection (never subscribe on it: the realtime hub has its own subscriber). */
    redis: Redis;
    redisKeys: RedisKeys;
  }
}

export const redisPlugin = fp<RedisPluginOptions>(
  async (app, options) => {
    const log = app.log.child({ component: 'redis' });
    const redis = new Redis(options.redisUrl, REDIS_OPTIONS);
    redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
    await redis.connect();
    app.decorate('redis', redis);
    app.decorate('redisKeys', createRedisKeys(options.keyPrefix));
    app.addHook('onClose', async () => {
      await redis.quit();
    });
  },
  { name: 'pitchside-redis' },
);
