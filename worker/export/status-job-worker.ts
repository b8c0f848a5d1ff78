// A BullMQ worker for jobs that report to the event's status channel (VOD exports, re-renders): job data
// validated at the door, progress published (job progress + a status frame, throttled), bad input failed at
// once (UnrecoverableError) while anything else is retried as the job's attempts allow.
import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parse, type JobState, type JobStatusMessage, type RedisKeys } from '../../protocol/index.ts';
import { publishJobStatus } from '../../outputs/job-status.ts';
import { errorMessage, type Logger } from '../../runtime/logger.ts';
import { ExportInputError } from './vod-export.ts';

/** Progress is published at most this often (ffmpeg reports twice a second per output). */
const PROGRESS_MIN_INTERVAL_MS = 250;

export interface StatusJobSpec<S extends TSchema, Result> {
  queue: string;
  /** The status frame type these jobs publish. */
  status: 'job.export' | 'job.rerender';
  schema: S;
  /** Jobs at once per worker: an encode takes every core it is given. */
  concurrency: number;
  /** Does the work; an ExportInputError fails the job for good. */
  run(data: Static<S>, onProgress: (progress: number, message: string) => void): Promise<Result>;
  /** The completed frame's message. */
  doneMessage: string;
}

export interface StatusJobWorkerOptions {
  redisUrl: string;
  /** Redis names: the queue prefix and the status keys (tests use a fresh prefix). */
  keys: RedisKeys;
  /** This component's logger (a child of the process's root logger). */
  log: Logger;
}

export class StatusJobWorker<S extends TSchema & { static: { eventId: string } }, Result> {
  readonly id = randomUUID().slice(0, 8);
  #worker: Worker<Static<S>, Result> | null = null;
  #redis: Redis | null = null;
  /** BullMQ's own connection: a connection passed in stays the caller's to close (BullMQ never does). */
  #queueConnection: Redis | null = null;

  constructor(
    private readonly spec: StatusJobSpec<S, Result>,
    private readonly options: StatusJobWorkerOptions,
  ) {}

  async start(): Promise<void> {
    const connectionName = `pitchside-${this.spec.queue}-${this.id}`;
    this.#redis = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, connectionName });
    this.#queueConnection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, connectionName });
    this.#worker = new Worker(this.spec.queue, (job) => this.#process(job), {
      connection: this.#queueConnection,
      autorun: false,
      concurrency: this.spec.concurrency,
      prefix: this.options.keys.queuePrefix,
    });
    this.#worker.on('error', (error) => this.options.log.error({ err: error }, 'worker error'));
    void this.#worker.run();
    await this.#worker.waitUntilReady();
  }

  /** Waits for a running job to finish (minutes at most), then closes. */
  async close(): Promise<void> {
    await this.#worker?.close();
    this.#worker = null;
    this.#redis?.disconnect();
    this.#queueConnection?.disconnect();
    this.#redis = this.#queueConnection = null;
  }

  async #process(job: Job<Static<S>>): Promise<Result> {
    const parsed = parse(this.spec.schema, job.data);
    if (!parsed.ok) throw new UnrecoverableError(`bad job data: ${parsed.error.field} ${parsed.error.message}`);
    const data = parsed.value;
    const redis = this.#redis;
    if (redis === null) throw new Error(`${this.spec.queue} worker is closing`);
    const publish = (state: JobState, progress: number, message: string, result: Result | null = null) =>
      publishJobStatus(redis, this.options.keys, {
        type: this.spec.status,
        eventId: data.eventId,
        jobId: job.id ?? '',
        state,
        progress,
        message,
        result,
        at: Date.now(),
      } as JobStatusMessage).catch((error: unknown) => this.options.log.warn({ err: error }, 'status publish failed'));
    let lastSent = 0;
    try {
      const result = await this.spec.run(data, (progress, message) => {
        const now = Date.now();
        if (now - lastSent < PROGRESS_MIN_INTERVAL_MS && progress < 1) return;
        lastSent = now;
        void job.updateProgress(progress).catch(() => undefined);
        void publish('running', progress, message);
      });
      await publish('completed', 1, this.spec.doneMessage, result);
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
