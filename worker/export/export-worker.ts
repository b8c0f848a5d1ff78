// The export queue's worker: runs exportVod per job, reports progress (job progress + the event's
// status channel) and fails bad input at once (UnrecoverableError) while retrying the rest.
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EXPORT_QUEUE,
  ExportJobSchema,
  parse,
  type ExportJob,
  type ExportResult,
  type JobState,
  type RedisKeys,
} from '../../protocol/index.ts';
import { publishJobStatus } from '../../outputs/job-status.ts';
import { errorMessage, type Logger } from '../../runtime/logger.ts';
import { ExportInputError, exportVod, type SwitchLogReader } from './vod-export.ts';

/** One export at a time per worker: a libx264 encode takes every core it is given (see EXPORT_NICENESS). */
export const EXPORT_CONCURRENCY = 1;
/** Progress is published at most this often (ffmpeg reports twice a second per output). */
const PROGRESS_MIN_INTERVAL_MS = 250;

export interface ExportWorkerOptions {
  redisUrl: string;
  readLog: SwitchLogReader;
  /** Redis names: the queue prefix and the status keys (tests use a fresh prefix). */
  keys: RedisKeys;
  /** This component's logger (a child of the process's root logger). */
  log: Logger;
}

export class ExportWorker {
  readonly id = randomUUID().slice(0, 8);
  #worker: Worker<ExportJob, ExportResult> | null = null;
  #redis: Redis | null = null;
  /** BullMQ's own connection: a connection passed in stays the caller's to close (BullMQ never does). */
  #queueConnection: Redis | null = null;
  readonly #log: Logger;

  constructor(private readonly options: ExportWorkerOptions) {
    this.#log = options.log;
  }

  async start(): Promise<void> {
    const connectionName = `pitchside-export-${this.id}`;
    this.#redis = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, connectionName });
    this.#queueConnection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, connectionName });
    this.#worker = new Worker(EXPORT_QUEUE, (job) => this.#process(job), {
      connection: this.#queueConnection,
      autorun: false,
      concurrency: EXPORT_CONCURRENCY,
      prefix: this.options.keys.queuePrefix,
    });
    this.#worker.on('error', (error) => this.#log.error({ err: error }, 'worker error'));
    void this.#worker.run();
    await this.#worker.waitUntilReady();
  }

  /** Waits for a running export to finish (exports are minutes at most), then closes. */
  async close(): Promise<void> {
    await this.#worker?.close();
    this.#worker = null;
    this.#redis?.disconnect();
    this.#queueConnection?.disconnect();
    this.#redis = this.#queueConnection = null;
  }

  async #process(job: Job<ExportJob>): Promise<ExportResult> {
    const parsed = parse(ExportJobSchema, job.data);
    if (!parsed.ok) throw new UnrecoverableError(`bad job data: ${parsed.error.field} ${parsed.error.message}`);
    const data = parsed.value;
    const redis = this.#redis;
    if (redis === null) throw new Error('export worker is closing');
    const publish = (state: JobState, progress: number, message: string, result: ExportResult | null = null) =>
      publishJobStatus(redis, this.options.keys, {
        type: 'job.export',
        eventId: data.eventId,
        jobId: job.id ?? '',
        state,
        progress,
        message,
        result,
        at: Date.now(),
      }).catch((error: unknown) => this.#log.warn({ err: error }, 'status publish failed'));
    let lastSent = 0;
    try {
      const result = await exportVod(data, {
        readLog: this.options.readLog,
        onProgress: (progress, message) => {
          const now = Date.now();
          if (now - lastSent < PROGRESS_MIN_INTERVAL_MS && progress < 1) return;
          lastSent = now;
          void job.updateProgress(progress).catch(() => undefined);
          void publish('running', progress, message);
        },
      });
      await publish('completed', 1, 'export ready', result);
      return result;
    } catch (error) {
      const unrecoverable = error instanceof ExportInputError;
      const willRetry = !unrecoverable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      await publish(willRetry ? 'retrying' : 'failed', 0, errorMessage(error));
      if (unrecoverable) throw new UnrecoverableError(errorMessage(error));
      throw error;
    }
  }
}
