// `npm start`: the whole stack on embedded defaults in one process tree, printing the URLs that exist.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EmbeddedRedis } from '../runtime/embedded-redis.ts';

const dataDir = resolve(process.env.PITCHSIDE_DATA_DIR ?? 'data');
await mkdir(dataDir, { recursive: true });

let redis: EmbeddedRedis | null = null;
let redisUrl = process.env.REDIS_URL ?? '';
if (redisUrl === '') {
  redis = new EmbeddedRedis({ dataDir: resolve(dataDir, 'redis'), appendOnly: true });
  redisUrl = await redis.start();
}

console.log(`Pitchside is running.\n  Redis: ${redisUrl}${redis ? ' (embedded, data in ' + dataDir + ')' : ''}`);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  console.log(`${signal}: shutting down`);
  await redis?.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
