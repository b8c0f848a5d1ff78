// Every door that stores a file (ISO segments, team logos) goes through here before it writes a byte: the
// file system keeps UPLOAD_MIN_FREE_BYTES free (507 below it, and the event's operators are told in the event
// log, once a minute at most), and each key and each event stays inside its windows (protocol
// UPLOAD_QUOTAS; 429 naming what ran out). Windows are counted in Redis, so every controller process counts
// together, and the check and the charge are one script: concurrent uploads cannot both slip under a limit.
import { statfs } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { UPLOAD_QUOTAS, type QuotaLimit, type UploadKind } from '../../protocol/index.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';
import { AppError } from './app-error.ts';
import type { EventLog } from './event-log.ts';

/** The event log hears of a full disk at most this often per event. */
const LOW_SPACE_NOTICE_MS = 60_000;

/**
 * KEYS: one counter per limit. ARGV: n, then per limit its amount, max and window (ms). Returns 0 when every
 * counter stays within its max (and charges them all), else the 1-based index of the first that would not.
 */
const CHARGE = `
for i = 1, #KEYS do
  local amount = tonumber(ARGV[(i - 1) * 3 + 1])
  local max = tonumber(ARGV[(i - 1) * 3 + 2])
  if (tonumber(redis.call('GET', KEYS[i]) or '0') + amount) > max then return i end
end
for i = 1, #KEYS do
  local amount = tonumber(ARGV[(i - 1) * 3 + 1])
  local window = tonumber(ARGV[(i - 1) * 3 + 3])
  if redis.call('INCRBY', KEYS[i], amount) == amount then redis.call('PEXPIRE', KEYS[i], window) end
end
return 0
`;

export interface UploadCost {
  bytes: number;
  files: number;
  mediaMs?: number;
}

export interface UploadQuotaOptions {
  /** The directory uploads are written to (its file system's free space is what is checked). */
  dataDir: string;
  minFreeBytes: number;
  now?: () => number;
  /** Free bytes of the file system holding `dir` (tests replace it). */
  freeBytes?: (dir: string) => Promise<number>;
}

const systemFreeBytes = async (dir: string): Promise<number> => {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
};

export class UploadQuota {
  readonly #noticeAt = new Map<string, number>();
  readonly #now: () => number;
  readonly #freeBytes: (dir: string) => Promise<number>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly eventLog: EventLog,
    private readonly options: UploadQuotaOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#freeBytes = options.freeBytes ?? systemFreeBytes;
  }

  /**
   * Charges an upload of `kind` by `keyId` to event `eventId`, or throws the AppError that refuses it (507
   * INSUFFICIENT_STORAGE, 429 QUOTA_EXCEEDED), with `field` naming the upload. Nothing is charged on refusal.
   */
  async charge(kind: UploadKind, eventId: string, keyId: string, cost: UploadCost, field: string): Promise<void> {
    await this.#checkSpace(eventId, cost.bytes, field);
    const limits: readonly QuotaLimit[] = UPLOAD_QUOTAS[kind];
    const now = this.#now();
    const counters = limits.map((limit) => {
      const who = limit.scope === 'key' ? `key:${keyId}` : `event:${eventId}`;
      const window = Math.floor(now / limit.windowMs);
      return this.keys.uploadQuota(kind, limit.measure, who, window);
    });
    const args = limits.flatMap((limit) => [amountOf(cost, limit), limit.max, limit.windowMs]);
    const over = Number(await this.redis.eval(CHARGE, counters.length, ...counters, ...args));
    const limit = limits[over - 1];
    if (limit === undefined) return;
    const windowEnds = (Math.floor(now / limit.windowMs) + 1) * limit.windowMs;
    throw new AppError(
      429,
      'QUOTA_EXCEEDED',
      `This ${limit.scope === 'key' ? 'key' : 'event'} may upload at most ${describe(limit)} of ${kind} per ${
        limit.windowMs / 60_000
      } min; retry in ${Math.ceil((windowEnds - now) / 1000)} s.`,
      field,
    );
  }

  async #checkSpace(eventId: string, bytes: number, field: string): Promise<void> {
    const { minFreeBytes, dataDir } = this.options;
    if (minFreeBytes <= 0) return;
    const free = await this.#freeBytes(dataDir).catch(() => Number.POSITIVE_INFINITY);
    if (free - bytes >= minFreeBytes) return;
    const now = this.#now();
    if (now - (this.#noticeAt.get(eventId) ?? -Infinity) >= LOW_SPACE_NOTICE_MS) {
      this.#noticeAt.set(eventId, now);
      await this.eventLog
        .append(eventId, {
          level: 'error',
          kind: 'storage.low',
          message: `The data disk has ${gib(free)} free, under the ${gib(minFreeBytes)} kept free: uploads (ISO for replays, logos) are refused until space is made.`,
          data: { freeBytes: free, minFreeBytes },
        })
        .catch(() => undefined);
    }
    throw new AppError(
      507,
      'INSUFFICIENT_STORAGE',
      `The server's data disk is nearly full (${gib(free)} free): nothing more is stored until space is made.`,
      field,
    );
  }
}

function amountOf(cost: UploadCost, limit: QuotaLimit): number {
  return Math.max(0, Math.ceil(limit.measure === 'mediaMs' ? (cost.mediaMs ?? 0) : cost[limit.measure]));
}

function describe(limit: QuotaLimit): string {
  if (limit.measure === 'bytes') return `${Math.round(limit.max / 1024 / 1024)} MiB`;
  if (limit.measure === 'mediaMs') return `${limit.max / 1000} s of media`;
  return `${limit.max} files`;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
