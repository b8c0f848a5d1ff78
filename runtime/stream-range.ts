// Reading a Redis stream by server-time range: stream ids start with the ms time Redis added them at.
import type { Redis } from 'ioredis';
import type { TimeRangeQuery } from '../protocol/index.ts';

export const DEFAULT_RANGE_LIMIT = 1000;

/** Entries stored as one JSON field `entry`, oldest first, with their stream id as `id`. */
export async function readStreamRange<T>(
  redis: Redis,
  key: string,
  range: TimeRangeQuery,
): Promise<Array<T & { id: string }>> {
  const start = range.from === undefined ? '-' : String(range.from);
  const end = range.to === undefined ? '+' : String(range.to);
  const rows = await redis.xrange(key, start, end, 'COUNT', range.limit ?? DEFAULT_RANGE_LIMIT);
  return rows.map(([id, fields]) => {
    const json = fields[fields.indexOf('entry') + 1] ?? '{}';
    return { ...(JSON.parse(json) as T), id };
  });
}
