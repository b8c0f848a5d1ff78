// Backend facts that must survive the worker: which egresses run for the event, which recording parts
// exist. A worker that adopts a stalled or handed-back job reads them instead of starting over.
import type { Redis } from 'ioredis';
import { outputKeys } from './keys.ts';

export async function readSessionRecord<T extends object>(redis: Redis, eventId: string): Promise<Partial<T>> {
  const raw = await redis.get(outputKeys(eventId).session);
  return raw === null ? {} : (JSON.parse(raw) as Partial<T>);
}

export async function writeSessionRecord<T extends object>(redis: Redis, eventId: string, record: T): Promise<void> {
  await redis.set(outputKeys(eventId).session, JSON.stringify(record));
}

export async function clearSessionRecord(redis: Redis, eventId: string): Promise<void> {
  await redis.del(outputKeys(eventId).session);
}
