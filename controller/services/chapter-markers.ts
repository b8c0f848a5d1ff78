// Named chapter markers of an event (obs-websocket CreateRecordChapter, or the API), kept in a capped Redis
// stream and handed to VOD exports with the job, so the worker needs no second reader of controller keys.
import type { Redis } from 'ioredis';
import { MAX_CHAPTER_MARKERS, type ChapterMarker } from '../../protocol/index.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

export class ChapterMarkers {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Adds a marker; without a name it is "Chapter N" (N counting this one). */
  async add(eventId: string, time: number, name: string | undefined): Promise<ChapterMarker> {
    const key = this.keys.chapters(eventId);
    const marker = { time, name: name ?? `Chapter ${(await this.redis.xlen(key)) + 1}` };
    await this.redis.xadd(key, 'MAXLEN', '~', MAX_CHAPTER_MARKERS, '*', 'marker', JSON.stringify(marker));
    return marker;
  }

  async list(eventId: string): Promise<ChapterMarker[]> {
    const entries = await this.redis.xrange(this.keys.chapters(eventId), '-', '+');
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as ChapterMarker);
  }
}
