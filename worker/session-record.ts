// Backend facts that must survive the worker: which egresses run for the event, which recording parts
// exist. A worker that adopts a stalled or handed-back job reads them instead of starting over.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../protocol/index.ts';

export async function readSessionRecord<T extends object>(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
): Promise<Partial<T>> {
  const raw = await redis.get(keys.output(eventId).session);
  return raw === null ? {} : (JSON.parse(raw) as Partial<T>);
}

export async function writeSessionRecord<T extends object>(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  record: T,
): Promise<void> {
  await redis.set(keys.output(eventId).session, JSON.stringify(record));
}

export async function clearSessionRecord(redis: Redis, keys: RedisKeys, eventId: string): Promise<void> {
  await redis.del(keys.output(eventId).session);
}
