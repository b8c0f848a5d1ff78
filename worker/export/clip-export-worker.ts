// The clip export queue's worker: a replay clip's ISO segments concatenated, trimmed to the clip's in and
// out points (server time → media time through each segment's stamped start) and encoded to an H.264/AAC
// MP4 (faststart), at the same low priority as VOD exports so live outputs keep their cores. Highlight reels
// (REEL_EXPORT_JOB, reel-export.ts) run on the same queue, one export at a time.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Static, TSchema } from '@sinclair/typebox';
import {
  CLIP_EXPORT_QUEUE,
  ClipExportJobSchema,
  parse,
  REEL_EXPORT_JOB,
  ReelExportJobSchema,
  type ClipExportJob,
  type RedisKeys,
  type ReelExportJob,
} from '../../protocol/index.ts';
import { probe, runFfmpeg } from '../../runtime/ffmpeg.ts';
import type { Logger } from '../../runtime/logger.ts';
import { exportReel } from './reel-export.ts';
import { EXPORT_NICENESS } from './vod-export.ts';

export interface ClipExportResult {
  file: string;
  durationMs: number;
}

export interface ClipExportWorkerOptions {
  redisUrl: string;
  keys: RedisKeys;
  /** This component's logger (a child of the process's root logger). */
  log: Logger;
}

/** Encodes one clip; exported for tests and tools that run it without a queue. */
export async function exportClip(
  job: ClipExportJob,
  onProgress: (progress: number) => void = () => undefined,
): Promise<ClipExportResult> {
  const first = job.segments[0];
  if (first === undefined || job.toMs <= job.fromMs) throw new UnrecoverableError('the clip has no media');
  const durationMs = job.toMs - job.fromMs;
  await mkdir(dirname(job.out), { recursive: true });
  const list = `${job.out}.${randomUUID().slice(0, 8)}.txt`;
  await writeFile(list, job.segments.map((s) => `file '${s.path.replaceAll("'", "'\\''")}'\n`).join(''));
  const part = `${job.out}.part.mp4`;
  try {
    await runFfmpeg(
      [
        ...['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list],
        // Output-side seek: decoded and dropped up to the in point, so the cut is frame accurate.
        ...['-ss', (Math.max(0, job.fromMs - first.startMs) / 1000).toFixed(3), '-t', (durationMs / 1000).toFixed(3)],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'],
        ...['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-movflags', '+faststart', part],
      ],
      { niceness: EXPORT_NICENESS, onProgress: (ms) => onProgress(Math.min(1, ms / durationMs)) },
    );
    await rename(part, job.out);
  } finally {
    await rm(list, { force: true });
    await rm(part, { force: true });
  }
  return { file: job.out, durationMs: (await probe(job.out)).durationMs };
}

export class ClipExportWorker {
  readonly id = randomUUID().slice(0, 8);
  #worker: Worker<ClipExportJob | ReelExportJob, ClipExportResult> | null = null;
  #connection: Redis | null = null;
  readonly #log: Logger;

  constructor(private readonly options: ClipExportWorkerOptions) {
    this.#log = options.log;
  }

  async start(): Promise<void> {
    this.#connection = new Redis(this.options.redisUrl, {
      maxRetriesPerRequest: null,
      connectionName: `pitchside-clip-export-${this.id}`,
    });
    this.#worker = new Worker(CLIP_EXPORT_QUEUE, (job) => this.#process(job), {
      connection: this.#connection,
      autorun: false,
      concurrency: 1,
      prefix: this.options.keys.queuePrefix,
    });
    this.#worker.on('error', (error) => this.#log.error({ err: error }, 'clip export worker error'));
    void this.#worker.run();
    await this.#worker.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    this.#connection?.disconnect();
    this.#worker = null;
    this.#connection = null;
  }

  async #process(job: Job<ClipExportJob | ReelExportJob>): Promise<ClipExportResult> {
    const progress = (value: number): void => void job.updateProgress(value).catch(() => undefined);
    if (job.name === REEL_EXPORT_JOB) return exportReel(parseJob(ReelExportJobSchema, job.data), progress);
    return exportClip(parseJob(ClipExportJobSchema, job.data), progress);
  }
}

function parseJob<T extends TSchema>(schema: T, data: unknown): Static<T> {
  const parsed = parse(schema, data);
  if (!parsed.ok) throw new UnrecoverableError(`bad job data: ${parsed.error.field} ${parsed.error.message}`);
  return parsed.value;
}
