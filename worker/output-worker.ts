// The worker side of program outputs: a BullMQ Worker on the program output queue that runs one
// ProgramOutputRun per job. Explicit start()/close(); close() hands running outputs back to the queue
// so another worker adopts them, and a worker killed outright leaves its job to stalled-job recovery.
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  PROGRAM_OUTPUT_QUEUE,
  ProgramOutputJobSchema,
  parse,
  type OutputBackendKind,
  type ProgramOutputJob,
  type RedisKeys,
} from '../protocol/index.ts';
import { OutputConfigError, type OutputBackend, type OutputSessionResult } from './output-backend.ts';
import { InvalidPlanError } from '../outputs/plan-store.ts';
import { OUTPUT_JOB_ATTEMPTS, OUTPUT_RETRY_BASE_MS } from '../outputs/job-client.ts';
import { ProgramOutputRun, publishFailure } from './program-output-run.ts';
import { errorMessage, type Logger } from '../runtime/logger.ts';

/**
 * A worker killed outright (kill -9, OOM, host lost) leaves its output black until another worker adopts
 * it: its lock runs out (within one lock duration; BullMQ renews it every half) and the next stalled check
 * (every stalled interval) hands the job on. BullMQ's 30 s + 30 s meant up to a minute of black, measured
 * in tests/faults/output-faults; 10 s + 5 s bounds it to 15 s. Shorter would risk a false stall when a
 * loaded worker's event loop is held longer than half the lock (the output would then restart).
 */
export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;
/**
 * A long-running output may stall more than once (host suspend, OOM kill) before it is given up. The
 * count is of stalls in quick succession: an output that then ran STABLE_OUTPUT_RUN_MS starts afresh.
 */
export const MAX_STALLED_COUNT = 5;
/**
 * BullMQ keeps a job's stall count in this field of the job's hash and only ever increments it (there is
 * no API to reset it): five worker crashes spread over a long show would end the output for good.
 */
const BULLMQ_STALLED_COUNT_FIELD = 'stc';
/**
 * An output that ran this long before failing was healthy: its failure starts a fresh count of attempts.
 * Without it, five Chromium crashes spread over a three-hour show used up the job's attempts and ended
 * the output for good; with it, only failures in quick succession (a setting that cannot work) do.
 */
export const STABLE_OUTPUT_RUN_MS = 10 * 60_000;
/** The failure count outlives no show: a count left by a worker that died is forgotten after this. */
const FAILURE_COUNT_TTL_S = 24 * 3600;

export interface OutputWorkerOptions {
  redisUrl: string;
  backends: Partial<Record<OutputBackendKind, OutputBackend>>;
  /** The backend for jobs that name none (the deployment's OUTPUT_BACKEND); the only one when just one is given. */
  defaultBackend?: OutputBackendKind;
  concurrency?: number;
  /** Redis names: the queue prefix and the output keys (tests use a fresh prefix). */
  keys: RedisKeys;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Tests shorten these to see a long show's failures in seconds. */
  stableRunMs?: number;
  retryBaseMs?: number;
  /** This component's logger (a child of the process's root logger). */
  log: Logger;
}

export class OutputWorker {
  readonly id = randomUUID().slice(0, 8);
  #worker: Worker<ProgramOutputJob, OutputSessionResult | null> | null = null;
  #redis: Redis | null = null;
  /** BullMQ's own connection: a connection passed in stays the caller's to close (BullMQ never does). */
  #queueConnection: Redis | null = null;
  readonly #runs = new Set<ProgramOutputRun>();
  readonly #log: Logger;

  constructor(private readonly options: OutputWorkerOptions) {
    this.#log = options.log;
  }

  async start(): Promise<void> {
    const connectionName = `pitchside-output-${this.id}`;
    this.#redis = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, connectionName });
    this.#queueConnection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, connectionName });
    const lockDuration = this.options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    this.#worker = new Worker(PROGRAM_OUTPUT_QUEUE, (job, token) => this.#process(job, token), {
      connection: this.#queueConnection,
      autorun: false,
      concurrency: this.options.concurrency ?? 1,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      prefix: this.options.keys.queuePrefix,
    });
    this.#worker.on('error', (error) => this.#log.error({ err: error }, 'worker error'));
    void this.#worker.run();
    await this.#worker.waitUntilReady();
    this.#log.info({ worker: this.id, backends: Object.keys(this.options.backends) }, 'output worker started');
  }

  /** Stops taking jobs, hands running outputs back to the queue, and waits for that to finish. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker === null) return;
    const closing = worker.close();
    for (const run of this.#runs) run.handBack();
    await closing;
    this.#redis?.disconnect();
    this.#queueConnection?.disconnect();
    this.#redis = this.#queueConnection = null;
    this.#log.info({ worker: this.id }, 'output worker closed');
  }

  async #process(job: Job<ProgramOutputJob>, token: string | undefined): Promise<OutputSessionResult | null> {
    const parsed = parse(ProgramOutputJobSchema, job.data);
    if (!parsed.ok) throw new UnrecoverableError(`bad job data: ${parsed.error.field} ${parsed.error.message}`);
    const redis = this.#redis;
    if (redis === null) throw new Error('output worker is closing');
    const kind =
      parsed.value.backend ??
      this.options.defaultBackend ??
      (Object.keys(this.options.backends)[0] as OutputBackendKind | undefined) ??
      'builtin';
    const data = { ...parsed.value, backend: kind };
    const backend = this.options.backends[kind];
    if (backend === undefined) {
      const error = new UnrecoverableError(`this worker has no ${kind} backend configured (OUTPUT_BACKEND)`);
      await publishFailure(redis, this.options.keys, data, false, error);
      throw error;
    }
    const run = new ProgramOutputRun({
      job,
      data,
      backend,
      redis,
      keys: this.options.keys,
      lockTtlMs: this.options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      workerId: this.id,
      log: this.#log,
    });
    this.#runs.add(run);
    // A run that has been healthy this long was not what made the job stall before. (The job is active,
    // so its hash exists while this run does: the timer is cleared when the run ends.)
    const jobKey = job.id === undefined ? undefined : this.#worker?.toKey(job.id);
    const stable = setTimeout(() => {
      if (jobKey === undefined) return;
      redis
        .hset(jobKey, BULLMQ_STALLED_COUNT_FIELD, 0)
        .catch((error: unknown) => this.#log.warn({ err: error }, 'stall count not reset'));
    }, this.#stableRunMs);
    try {
      const outcome = await run.run();
      if (outcome.kind === 'handed-back') {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      await redis.del(this.options.keys.output(data.eventId).failures);
      return outcome.result;
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      // Retries are counted here, not by BullMQ: its attempt count cannot be reset after a stable run.
      const unrecoverable =
        error instanceof UnrecoverableError || error instanceof OutputConfigError || error instanceof InvalidPlanError;
      const failures = unrecoverable
        ? OUTPUT_JOB_ATTEMPTS
        : await this.#countFailure(redis, data.eventId, run.runningForMs() >= this.#stableRunMs);
      const willRetry = failures < OUTPUT_JOB_ATTEMPTS;
      this.#log.warn(
        {
          eventId: data.eventId,
          willRetry,
          failures,
          err: error,
        },
        'program output failed',
      );
      await publishFailure(redis, this.options.keys, data, willRetry, error);
      if (!willRetry) {
        await redis.del(this.options.keys.output(data.eventId).failures);
        throw new UnrecoverableError(errorMessage(error));
      }
      const retryBase = this.options.retryBaseMs ?? OUTPUT_RETRY_BASE_MS;
      await job.moveToDelayed(Date.now() + retryBase * 2 ** (failures - 1), token);
      throw new DelayedError();
    } finally {
      clearTimeout(stable);
      this.#runs.delete(run);
    }
  }

  get #stableRunMs(): number {
    return this.options.stableRunMs ?? STABLE_OUTPUT_RUN_MS;
  }

  /** Failed attempts in a row, this one included; a failure after a stable run counts as the first. */
  async #countFailure(redis: Redis, eventId: string, afterStableRun: boolean): Promise<number> {
    const key = this.options.keys.output(eventId).failures;
    if (afterStableRun) {
      await redis.set(key, '1', 'EX', FAILURE_COUNT_TTL_S);
      return 1;
    }
    const [[, count] = []] = (await redis.multi().incr(key).expire(key, FAILURE_COUNT_TTL_S).exec()) ?? [];
    return Number(count ?? 1);
  }
}
