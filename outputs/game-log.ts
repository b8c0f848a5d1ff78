// The game log: one stream entry per score or period change (written by ProgramService's commit script with
// the state), read back whole for VOD chapters.
import type { Redis } from 'ioredis';
import type { GameLogEntry } from '../protocol/index.ts';
import type { RedisKeys } from '../protocol/redis-keys.ts';
import { readStreamRange } from '../runtime/stream-range.ts';

/** A match's score and period changes fit many times over (the stream is capped like the switch log). */
const GAME_LOG_READ_LIMIT = 10_000;

export class GameLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Every entry, oldest first. */
  read(eventId: string): Promise<GameLogEntry[]> {
    return readStreamRange<Omit<GameLogEntry, 'id'>>(this.redis, this.keys.gameLog(eventId), {
      limit: GAME_LOG_READ_LIMIT,
    });
  }
}
