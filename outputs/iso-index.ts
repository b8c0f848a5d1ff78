// Reading a camera's ISO recording index (written by the controller's IsoStore): the controller lists and
// clips from it, the worker's re-render places the segments on the program's timeline from it.
import type { Redis } from 'ioredis';
import { ISO_SEGMENT_MS, IsoSegmentSchema, parse, type IsoSegment, type RedisKeys } from '../protocol/index.ts';

/** A segment may be at most this long (the page restarts its recorder every ISO_SEGMENT_MS; a busy page later). */
export const MAX_ISO_SEGMENT_MS = 4 * ISO_SEGMENT_MS;

/** Segments of a camera overlapping [fromMs, toMs], in start order. */
export async function readIsoSegments(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  camera: string,
  fromMs: number,
  toMs: number,
): Promise<IsoSegment[]> {
  const raw = await redis.zrangebyscore(keys.isoSegments(eventId, camera), fromMs - MAX_ISO_SEGMENT_MS, toMs);
  return raw.flatMap((text) => {
    const parsed = parse(IsoSegmentSchema, JSON.parse(text));
    return parsed.ok && parsed.value.endMs > fromMs && parsed.value.startMs < toMs ? [parsed.value] : [];
  });
}

/** The cameras that have uploaded ISO segments for the event. */
export async function readIsoCameras(redis: Redis, keys: RedisKeys, eventId: string): Promise<string[]> {
  return (await redis.smembers(keys.isoCameras(eventId))).sort();
}
