// One program output job from start to stop on one worker: take the event's lock, open the backend
// session, follow plan changes until stop, publish status on every change. Failures throw (BullMQ
// retries with backoff); a worker shutdown detaches and hands the job back.
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OutputBackend, OutputSession, OutputSessionResult } from './output-backend.ts';
import { OutputLock } from './output-lock.ts';
import { readPlan, updatePlan } from '../outputs/plan-store.ts';
import { clearSessionRecord } from './session-record.ts';
import { noteRecordings } from '../outputs/recording-notes.ts';
import { publishJobStatus } from '../outputs/job-status.ts';
import { errorMessage, type Logger } from '../runtime/logger.ts';
import {
  programOutputJobId,
  type JobState,
  type OutputBackendKind,
  type OutputPlan,
  type ProgramOutputJob,
  type RedisKeys,
} from '../protocol/index.ts';

/** Job data once the worker has settled which backend runs it. */
export type ResolvedOutputJob = ProgramOutputJob & { backend: OutputBackendKind };

/** Plans are re-read this often even without a pub/sub message, in case one was missed on a reconnect. */
const PLAN_POLL_MS = 5000;

export type RunOutcome = { kind: 'completed'; result: OutputSessionResult } | { kind: 'handed-back' };

export interface ProgramOutputRunOptions {
  job: Job<ProgramOutputJob>;
  data: ResolvedOutputJob;
  backend: OutputBackend;
  redis: Redis;
  keys: RedisKeys;
  lockTtlMs: number;
  workerId: string;
  log: Logger;
}

export class ProgramOutputRun {
  #session: OutputSession | null = null;
  #failure: Error | null = null;
  #handBack = false;
  #wakePending = false;
  #openedAt: number | null = null;
  #waiter: (() => void) | null = null;
  readonly #eventId: string;

  constructor(private readonly o: ProgramOutputRunOptions) {
    this.#eventId = o.data.eventId;
  }

  /** How long the outputs have been running in this attempt (0 until they opened). */
  runningForMs(): number {
    return this.#openedAt === null ? 0 : Date.now() - this.#openedAt;
  }

  /** Worker shutdown: detach the session and give the job back to the queue. */
  handBack(): void {
    this.#handBack = true;
    this.#wake();
  }

  async run(): Promise<RunOutcome> {
    const { redis, keys, log } = this.o;
    const lock = new OutputLock(redis, keys, this.#eventId, `${this.o.job.id}@${this.o.workerId}`, this.o.lockTtlMs);
    await lock.start(() => this.#fail(new Error('lost the output lock to another worker')));
    const subscriber = redis.duplicate();
    subscriber.on('message', () => this.#wake());
    const poll = setInterval(() => this.#wake(), PLAN_POLL_MS);
    try {
      await subscriber.subscribe(keys.output(this.#eventId).planChanged);
      let plan = await readPlan(redis, keys, this.#eventId);
      while (plan !== null && !plan.stop) {
        if (this.#session === null) {
          await this.#publish('starting', 'starting outputs');
          this.#session = await this.o.backend.open(plan, {
            onChange: () => void this.#publish('running', 'outputs changed'),
            onFailure: (error) => this.#fail(error),
            log,
            redis,
            keys,
          });
          this.#openedAt ??= Date.now();
        } else {
          await this.#session.apply(plan);
        }
        await this.#publish('running', `plan revision ${plan.revision}`);
        await this.#nextWake();
        if (this.#failure !== null) throw this.#failure;
        if (this.#handBack) {
          await this.#session.detach();
          await this.#publish('queued', 'handed back on worker shutdown');
          return { kind: 'handed-back' };
        }
        plan = await readPlan(redis, keys, this.#eventId);
        if (plan === null || plan.stop) plan = await this.#stop();
      }
      return { kind: 'completed', result: this.#result ?? { recordings: [], recordingStartedAt: null, outputs: [] } };
    } catch (error) {
      await this.#session?.detach().catch((e: unknown) => log.warn({ err: e }, 'detach after failure failed'));
      throw error;
    } finally {
      clearInterval(poll);
      subscriber.disconnect();
      await lock.close().catch(() => undefined);
    }
  }

  #result: OutputSessionResult | null = null;

  /** Ends the outputs; returns a plan to go on with if someone started again meanwhile, else null. */
  async #stop(): Promise<OutputPlan | null> {
    const session = this.#session;
    this.#session = null;
    if (session !== null) {
      await this.#publish('stopping', 'stopping outputs');
      this.#result = await session.stop();
      await noteRecordings(this.o.redis, this.o.keys, this.#eventId, this.#result);
    }
    const remaining = await updatePlan(this.o.redis, this.o.keys, this.#eventId, (current) =>
      current === null || current.stop ? null : undefined,
    );
    if (remaining !== null) return remaining;
    await clearSessionRecord(this.o.redis, this.o.keys, this.#eventId);
    await this.#publish('completed', 'outputs stopped', this.#result?.outputs);
    return null;
  }

  async #publish(state: JobState, message: string, outputs = this.#session?.outputs() ?? []): Promise<void> {
    const status = {
      type: 'job.output' as const,
      eventId: this.#eventId,
      jobId: programOutputJobId(this.#eventId),
      backend: this.o.data.backend,
      state,
      outputs,
      recordingStartedAt: this.#session?.recordingStartedAt() ?? this.#result?.recordingStartedAt ?? null,
      message,
      at: Date.now(),
    };
    try {
      await publishJobStatus(this.o.redis, this.o.keys, status);
      await this.o.job.updateProgress({ state, outputs });
    } catch (error) {
      // Status is best effort: the output itself must not stop because a panel could not be told.
      this.o.log.warn({ err: error }, 'status publish failed');
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#wake();
  }

  #wake(): void {
    this.#wakePending = true;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  async #nextWake(): Promise<void> {
    if (!this.#wakePending) await new Promise<void>((resolve) => (this.#waiter = resolve));
    this.#wakePending = false;
  }
}

/** The status a failed attempt leaves: retrying while attempts remain, failed after the last. */
export async function publishFailure(
  redis: Redis,
  keys: RedisKeys,
  data: ResolvedOutputJob,
  willRetry: boolean,
  error: unknown,
): Promise<void> {
  await publishJobStatus(redis, keys, {
    type: 'job.output',
    eventId: data.eventId,
    jobId: programOutputJobId(data.eventId),
    backend: data.backend,
    state: willRetry ? 'retrying' : 'failed',
    outputs: [],
    recordingStartedAt: null,
    message: errorMessage(error),
    at: Date.now(),
  }).catch(() => undefined);
}
