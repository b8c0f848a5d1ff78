// Camera ISO segments (about 0.4 GB per camera-hour at the camera page's bitrate) are kept ISO_RETENTION_DAYS
// (0 = forever) and then removed, so a season of matches cannot fill the disk the next match records to.
// The index goes first and the file after: an indexed segment is always readable (a clip, an export or the
// re-render never meets a missing file), and a sweep cut off between the two leaves only an unindexed file,
// which the next sweep removes. Replay clips are separate files (`<event>/clips/`) and stay with their clip.
// Several controller processes may sweep at once: every step is idempotent.
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../protocol/index.ts';
import { DAY_MS } from '../../runtime/config.ts';
import type { FastifyBaseLogger } from 'fastify';
import { PeriodicTask } from '../../runtime/periodic-task.ts';
import { MAX_ISO_SEGMENT_MS } from '../../outputs/iso-index.ts';

/** The sweep runs at start and then this often. */
export const ISO_SWEEP_INTERVAL_MS = 3600 * 1000;
/** `<seq>-<startMs>.<ext>` (iso-store.ts); a `.part` upload in flight ends in `.part`. */
const SEGMENT_FILE = /^\d+-(\d+)\.[a-z0-9]+(\.part)?$/;
/** The per-event directory of clip media, not a camera's. */
const CLIPS_DIR = 'clips';

export interface IsoRetentionOptions {
  redis: Redis;
  keys: RedisKeys;
  /** `<root>/<event>/<camera>/<files>` */
  root: string;
  days: number;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
  now?: () => number;
}

/** Removes every segment that ended before the cutoff; returns the files removed. */
export async function sweepIsoRetention(options: IsoRetentionOptions): Promise<string[]> {
  if (options.days <= 0) return [];
  const { redis, keys, root } = options;
  // A segment starting before this ended before the retention cutoff (segments last at most MAX_ISO_SEGMENT_MS).
  const startedBefore = (options.now?.() ?? Date.now()) - options.days * DAY_MS - MAX_ISO_SEGMENT_MS;
  const removed: string[] = [];
  for (const eventId of await entries(root)) {
    const eventDir = join(root, eventId);
    for (const camera of (await entries(eventDir)).filter((name) => name !== CLIPS_DIR)) {
      const index = keys.isoSegments(eventId, camera);
      await redis.zremrangebyscore(index, '-inf', `(${startedBefore}`);
      const cameraDir = join(eventDir, camera);
      for (const name of await entries(cameraDir)) {
        const startMs = Number(SEGMENT_FILE.exec(name)?.[1] ?? Number.NaN);
        if (!(startMs < startedBefore)) continue;
        await rm(join(cameraDir, name), { force: true });
        removed.push(join(cameraDir, name));
      }
      await rmdir(cameraDir).catch(() => undefined); // only when empty
      if ((await redis.zcard(index)) === 0) await redis.srem(keys.isoCameras(eventId), camera);
    }
    await rmdir(eventDir).catch(() => undefined);
  }
  if (removed.length > 0) options.log.info({ count: removed.length }, 'ISO retention removed old camera segments');
  return removed;
}

/** Sweeps at start and every ISO_SWEEP_INTERVAL_MS until closed (nothing to do at 0 days). */
export function isoRetentionSweeper(options: IsoRetentionOptions): PeriodicTask {
  return new PeriodicTask({
    name: 'ISO retention sweep',
    intervalMs: ISO_SWEEP_INTERVAL_MS,
    run: () => sweepIsoRetention(options),
    log: options.log,
  });
}

async function entries(dir: string): Promise<string[]> {
  const found = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return found.map((entry) => entry.name);
}
