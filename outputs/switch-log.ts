// The switch log: one append-only stream entry per take (written by ProgramService's commit script),
// read back by time range and exported as JSON or CSV.
import type { Redis } from 'ioredis';
import type { SwitchLogEntry, TimeRangeQuery } from '../protocol/index.ts';
import type { RedisKeys } from '../protocol/redis-keys.ts';
import { readStreamRange } from '../runtime/stream-range.ts';

export const SWITCH_LOG_CSV_COLUMNS = [
  'id',
  'time',
  'iso_time',
  'revision',
  'source',
  'from',
  'transition',
  'duration_ms',
  'who',
] as const;

export class SwitchLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  query(eventId: string, range: TimeRangeQuery = {}): Promise<SwitchLogEntry[]> {
    return readStreamRange<Omit<SwitchLogEntry, 'id'>>(this.redis, this.keys.switchLog(eventId), range);
  }
}

export function switchLogCsv(entries: SwitchLogEntry[]): string {
  const rows = entries.map((e) =>
    [
      e.id,
      e.time,
      new Date(e.time).toISOString(),
      e.revision,
      e.source,
      e.from ?? '',
      e.transition.type,
      e.transition.durationMs,
      e.who,
    ]
      .map(csvCell)
      .join(','),
  );
  return [SWITCH_LOG_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

/** One CSV cell, quoted when it must be, and never a spreadsheet formula. */
export function csvCell(value: string | number): string {
  const text = String(value);
  // A leading = + - @ would be a formula in a spreadsheet: quote it and prefix an apostrophe.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}
