// Recordings, self-hosted HLS streams and VOD exports on the worker's disk are kept for a set number of days
// (RECORDING_RETENTION_DAYS for recordings and HLS, EXPORT_RETENTION_DAYS; 0 = forever) and then removed, so a season of shows
// cannot fill the disk a live recording writes to. A file still being written has a fresh mtime and is
// never old enough; several workers sharing the disk may sweep at once (removal is idempotent).
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_MS } from '../runtime/config.ts';
import type { Logger } from '../runtime/logger.ts';
import { PeriodicTask } from '../runtime/periodic-task.ts';

/** The sweep runs at start and then this often. */
export const RETENTION_SWEEP_INTERVAL_MS = 3600 * 1000;

export interface RetentionOptions {
  /** <dir>/<eventId>/<files> */
  recordingsDir: string;
  /** <dir>/<eventId>/<jobId>/<files> */
  exportsDir: string;
  /**
   * <dir>/<eventId>/<destinationId>/<playlist and segments>: a finished stream's DVR window stays for replay
   * on the watch page as long as the recording does; a live one is rewritten every segment, so never old.
   */
  hlsDir?: string;
  recordingDays: number;
  exportDays: number;
  log: Logger;
  now?: () => number;
}

/** Removes what is past retention; returns the paths removed (files of recordings, directories of exports). */
export async function sweepRetention(options: RetentionOptions): Promise<string[]> {
  const now = options.now?.() ?? Date.now();
  const removed: string[] = [];
  if (options.recordingDays > 0) {
    const cutoff = now - options.recordingDays * DAY_MS;
    for (const eventDir of await subdirectories(options.recordingsDir)) {
      for (const name of await readdir(eventDir).catch(() => [])) {
        const file = join(eventDir, name);
        const info = await stat(file).catch(() => null);
        if (info === null || !info.isFile() || info.mtimeMs >= cutoff) continue;
        await rm(file, { force: true });
        removed.push(file);
      }
      await rmdir(eventDir).catch(() => undefined); // only when empty
    }
  }
  if (options.exportDays > 0)
    removed.push(...(await sweepGroups(options.exportsDir, now - options.exportDays * DAY_MS)));
  if (options.recordingDays > 0 && options.hlsDir !== undefined)
    removed.push(...(await sweepGroups(options.hlsDir, now - options.recordingDays * DAY_MS)));
  if (removed.length > 0) options.log.info({ count: removed.length }, 'retention sweep removed old media');
  return removed;
}

/** <dir>/<eventId>/<group>/<files>: removes each group whose newest file is older than the cutoff, whole. */
async function sweepGroups(dir: string, cutoff: number): Promise<string[]> {
  const removed: string[] = [];
  for (const eventDir of await subdirectories(dir)) {
    for (const groupDir of await subdirectories(eventDir)) {
      if ((await newestMtime(groupDir)) >= cutoff) continue;
      await rm(groupDir, { recursive: true, force: true });
      removed.push(groupDir);
    }
    await rmdir(eventDir).catch(() => undefined); // only when empty
  }
  return removed;
}

/** Sweeps at start and every RETENTION_SWEEP_INTERVAL_MS until closed. */
export function retentionSweeper(options: RetentionOptions): PeriodicTask {
  return new PeriodicTask({
    name: 'retention sweep',
    intervalMs: RETENTION_SWEEP_INTERVAL_MS,
    run: () => sweepRetention(options),
    log: options.log,
  });
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
}

/** When the export's files were last written (the directory's own time when it holds none). */
async function newestMtime(dir: string): Promise<number> {
  let newest = -Infinity;
  for (const name of await readdir(dir).catch(() => [])) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info !== null) newest = Math.max(newest, info.mtimeMs);
  }
  return Number.isFinite(newest) ? newest : (await stat(dir)).mtimeMs;
}
