// Replay exports (a clip, a highlight reel) as jobs on the clip export queue: the same retry and retention
// for both, their state read back from the job, and the finished MP4 served as a download.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Queue, type JobsOptions } from 'bullmq';
import { CLIP_EXPORT_QUEUE, type ClipExportStatus } from '../../protocol/index.ts';
import { AppError } from './app-error.ts';

/** Exports are kept a day in the queue (the MP4 stays on disk under the exports retention). */
const EXPORT_JOB_AGE_S = 24 * 3600;
const EXPORT_JOB_ATTEMPTS = 3;

/** The clip export queue (clips and reels), closed with the app. */
export function openExportQueue(app: FastifyInstance): Queue {
  const queue = new Queue(CLIP_EXPORT_QUEUE, {
    connection: app.redis.duplicate({ maxRetriesPerRequest: null }),
    prefix: app.redisKeys.queuePrefix,
  });
  app.addHook('onClose', async () => {
    const connection = await queue.client;
    await queue.close();
    connection.disconnect();
  });
  return queue;
}

/** How an export job is queued: `jobId` makes a second click answer the same job. */
export function exportJobOptions(jobId: string): JobsOptions {
  return {
    jobId,
    attempts: EXPORT_JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: EXPORT_JOB_AGE_S },
    removeOnFail: { age: EXPORT_JOB_AGE_S },
  };
}

/** The job's state and progress, `url` once completed; a 404 naming `field` when there is no such job. */
export async function exportJobStatus(
  queue: Queue,
  jobId: string,
  url: string,
  field: string,
): Promise<ClipExportStatus> {
  // The state first, then the job: a job that completed between the two reads is then read with its result
  // (BullMQ writes the result and the state in one script). The other order answered `completed` with the
  // result read from before it was written (a reel's durationMs null, seen in a loaded run).
  const state = await queue.getJobState(jobId);
  const job = await queue.getJob(jobId);
  if (job === undefined || state === 'unknown')
    throw new AppError(404, 'NOT_FOUND', 'This has not been exported.', field);
  const done = state === 'completed';
  const result = job.returnvalue as { durationMs?: number } | null;
  return {
    jobId,
    state: done ? 'completed' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued',
    progress: done ? 1 : typeof job.progress === 'number' ? job.progress : 0,
    url: done ? url : null,
    durationMs: done ? (result?.durationMs ?? null) : null,
    ...(state === 'failed' ? { error: job.failedReason } : {}),
  };
}

/** An exported MP4 as a download; a 404 naming `field` until the export has finished. */
export async function sendExport(
  reply: FastifyReply,
  path: string,
  name: string,
  field: string,
): Promise<FastifyReply> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new AppError(404, 'NOT_FOUND', 'The export is not ready.', field);
  return reply
    .header('content-type', 'video/mp4')
    .header('content-length', info.size)
    .header('content-disposition', `attachment; filename="${name}.mp4"`)
    .send(createReadStream(path));
}
