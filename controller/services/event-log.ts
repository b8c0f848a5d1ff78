// The event log operators watch: camera connects, stream and egress status, errors. Append-only stream
// per event; every entry is also pushed live as a `log` frame. The worker may import and use it too.
import type { Redis } from 'ioredis';
import type { EventLogEntry, EventLogInput, LogMessage, TimeRangeQuery } from '../../protocol/index.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';
import { DEFAULT_LOG_STREAM_MAX_ENTRIES } from '../../runtime/config.ts';
import { readStreamRange } from '../../runtime/stream-range.ts';

export class EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Entries kept per event (LOG_STREAM_MAX_ENTRIES), trimmed approximately (whole stream nodes). */
    private readonly maxEntries: number = DEFAULT_LOG_STREAM_MAX_ENTRIES,
  ) {}

  async append(eventId: string, input: EventLogInput): Promise<EventLogEntry> {
    const stored: Omit<EventLogEntry, 'id'> = { ...input, time: input.time ?? Date.now() };
    const id = await this.redis.xadd(
      this.keys.eventLog(eventId),
      'MAXLEN',
      '~',
      this.maxEntries,
      '*',
      'entry',
      JSON.stringify(stored),
    );
    const entry: EventLogEntry = { ...stored, id: id ?? '' };
    const frame: LogMessage = { type: 'log', eventId, entry };
    await this.redis.publish(this.keys.realtimeChannel(), JSON.stringify(frame));
    return entry;
  }

  query(eventId: string, range: TimeRangeQuery = {}): Promise<EventLogEntry[]> {
    return readStreamRange<Omit<EventLogEntry, 'id'>>(this.redis, this.keys.eventLog(eventId), range);
  }
}
