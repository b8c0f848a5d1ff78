// The controller's handle on program outputs and exports. Every request is schema-checked here (the
// controller answers 400 with the field), written to the event's plan and, when nothing runs yet,
// enqueued as the event's one program output job. Updates and stop are plan changes, not queued jobs:
// they must reach the one worker that owns the output, and a plan change survives that worker's crash.
import { createHash, randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EXPORT_QUEUE,
  ExportJobSchema,
  PROGRAM_OUTPUT_QUEUE,
  ProgramOutputJobSchema,
  RERENDER_QUEUE,
  RerenderJobSchema,
  StartStreamRequestSchema,
  StopRequestSchema,
  UpdateDestinationsRequestSchema,
  parseVideoFormat,
  parse,
  programOutputJobId,
  type ChapterMarker,
  type ChapterPolicy,
  type Destination,
  type ExportJob,
  type ExportOptions,
  type RecordingNote,
  type JobStatusMessage,
  type OutputBackendKind,
  type OutputPlan,
  type PlanSummary,
  type RedisKeys,
  type RerenderJob,
  type StartStreamRequest,
  type StopRequest,
  type UpdateDestinationsRequest,
  type VideoFormat,
} from '../protocol/index.ts';
import { readPlan, updatePlan } from './plan-store.ts';
import { readJobStatuses } from './job-status.ts';
import { readRecordingNotes } from './recording-notes.ts';
import { DEFAULT_EXPORT_QUEUE_MAX } from '../runtime/config.ts';

/** Transient failures (an egress that did not start, a recorder crash) are retried this often with backoff. */
export const OUTPUT_JOB_ATTEMPTS = 5;
export const OUTPUT_RETRY_BASE_MS = 2000;
export const EXPORT_JOB_ATTEMPTS = 3;

export interface JobClientOptions {
  /** A Redis URL, or a connection to duplicate (the controller passes its own). */
  redis: string | Redis;
  /** Left out: the worker's configured backend runs the output. */
  backend?: OutputBackendKind;
  /** Redis names: plan and status keys and the queue prefix (tests use a fresh prefix). */
  keys: RedisKeys;
  /** Exports waiting or running at once (EXPORT_QUEUE_MAX); one more is refused until one finishes. */
  maxQueuedExports?: number;
}

/** The export job states that hold a place in the queue. */
/** The admission lock outlives any count-and-add (a few ms) by far, and frees itself if its holder died. */
const EXPORT_ADMISSION_TTL_MS = 5000;
const EXPORT_ADMISSION_WAIT_MS = 10_000;
/** Deletes the lock only if it is still ours (it may have expired and been taken by another request). */
const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const QUEUED_EXPORT_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** Where the output renders from: the template URL (with the template key) and the picture format. */
export interface OutputTarget {
  templateUrl: string;
  video: VideoFormat;
}

export class JobRequestError extends Error {
  override readonly name = 'JobRequestError';
  constructor(
    readonly code: 'INVALID' | 'NOT_RUNNING' | 'CONFLICT' | 'QUEUE_FULL',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class JobClient {
  #redis: Redis | null = null;
  #outputs: Queue | null = null;
  #exports: Queue | null = null;
  #rerenders: Queue | null = null;

  constructor(private readonly options: JobClientOptions) {}

  async start(): Promise<void> {
    const { redis } = this.options;
    this.#redis = typeof redis === 'string' ? new Redis(redis, { maxRetriesPerRequest: null }) : redis.duplicate();
    const connection: ConnectionOptions = this.#redis;
    const prefix = this.options.keys.queuePrefix;
    this.#outputs = new Queue(PROGRAM_OUTPUT_QUEUE, { connection, prefix });
    this.#exports = new Queue(EXPORT_QUEUE, { connection, prefix });
    this.#rerenders = new Queue(RERENDER_QUEUE, { connection, prefix });
    await Promise.all([
      this.#outputs.waitUntilReady(),
      this.#exports.waitUntilReady(),
      this.#rerenders.waitUntilReady(),
    ]);
  }

  async close(): Promise<void> {
    await Promise.all([this.#outputs?.close(), this.#exports?.close(), this.#rerenders?.close()]);
    this.#redis?.disconnect();
    this.#redis = this.#outputs = this.#exports = this.#rerenders = null;
  }

  /** Go live to these destinations (added to any already live). A second click changes nothing. */
  async startStream(eventId: string, target: OutputTarget, request: StartStreamRequest): Promise<PlanSummary> {
    const { destinations } = check(StartStreamRequestSchema, request, 'start-stream');
    return this.#start(eventId, target, (plan) => ({
      ...plan,
      destinations: mergeDestinations(plan.destinations, destinations, []),
    }));
  }

  async startRecording(eventId: string, target: OutputTarget): Promise<PlanSummary> {
    return this.#start(eventId, target, (plan) => ({ ...plan, record: true }));
  }

  /** Add/remove destinations on the running output; a removed one stops, the others never blink. */
  async updateDestinations(eventId: string, request: UpdateDestinationsRequest): Promise<PlanSummary> {
    const { add = [], remove = [] } = check(UpdateDestinationsRequestSchema, request, 'update-destinations');
    const plan = await updatePlan(this.#redisOrThrow(), this.options.keys, eventId, (current) => {
      if (current === null || current.stop)
        throw new JobRequestError('NOT_RUNNING', `event ${eventId} has no program output running`);
      return { ...current, destinations: mergeDestinations(current.destinations, add, remove) };
    });
    return summary(plan as OutputPlan);
  }

  /** Stops everything, or only the recording / only the destinations (the rest keeps running). */
  stop(eventId: string, request: StopRequest = {}): Promise<PlanSummary | null> {
    return stopOutputs(this.#redisOrThrow(), this.options.keys, eventId, request);
  }

  async plan(eventId: string): Promise<PlanSummary | null> {
    const plan = await readPlan(this.#redisOrThrow(), this.options.keys, eventId);
    return plan === null ? null : summary(plan);
  }

  /** Finished recordings of the event, oldest first (exports are made from these). */
  async recordings(eventId: string): Promise<RecordingNote[]> {
    return readRecordingNotes(this.#redisOrThrow(), this.options.keys, eventId);
  }

  /** The export job id for a recording and options: the same request gives the same job and directory. */
  /** Markers count: a chapter marked after an export makes the next export a new one. */
  static exportJobId(
    eventId: string,
    recording: string,
    options: ExportOptions,
    markers?: ChapterMarker[],
    chapterPolicy?: ChapterPolicy,
  ): string {
    const input: unknown[] = [recording, options];
    if ((markers !== undefined && markers.length > 0) || chapterPolicy !== undefined) input.push(markers ?? []);
    // Another chapter policy (the event's rules changed) makes another export.
    if (chapterPolicy !== undefined) input.push(chapterPolicy);
    return `export-${eventId}-${hash(JSON.stringify(input))}`;
  }

  async export(job: ExportJob): Promise<{ jobId: string }> {
    const data = check(ExportJobSchema, job, 'export');
    // One export per recording and options: a double click returns the same job.
    const jobId = JobClient.exportJobId(data.eventId, data.recording, data.options, data.markers, data.chapterPolicy);
    await this.#enqueueExport(this.#queueOrThrow(this.#exports), 'export', jobId, data);
    return { jobId };
  }

  /** The re-render job id (served from the exports directory like an export): same request, same job. */
  static rerenderJobId(job: Omit<RerenderJob, 'outDir'>): string {
    const input = [job.fromMs, job.toMs, job.video, job.feed, job.testSources];
    return `export-${job.eventId}-rerender-${hash(JSON.stringify(input))}`;
  }

  async rerender(job: RerenderJob): Promise<{ jobId: string }> {
    const data = check(RerenderJobSchema, job, 'rerender');
    const jobId = JobClient.rerenderJobId(data);
    await this.#enqueueExport(this.#queueOrThrow(this.#rerenders), 'rerender', jobId, data);
    return { jobId };
  }

  /**
   * Exports and re-renders run one at a time below live outputs' priority: past the cap a new one would
   * wait for hours (and its files fill the disk meanwhile). The same request again is the same job, never
   * refused. The count and the add happen under one lock, so simultaneous requests at the cap (two
   * controllers, a double-clicking console) cannot pass it by their number.
   */
  async #enqueueExport(queue: Queue, name: string, jobId: string, data: object): Promise<void> {
    await this.#withExportAdmission(async () => {
      if ((await queue.getJob(jobId)) === undefined) {
        const counts = await queue.getJobCounts(...QUEUED_EXPORT_STATES);
        const queued = Object.values(counts).reduce((sum, n) => sum + n, 0);
        const max = this.options.maxQueuedExports ?? DEFAULT_EXPORT_QUEUE_MAX;
        if (queued >= max)
          throw new JobRequestError(
            'QUEUE_FULL',
            `${queued} ${name}s are already queued or running (EXPORT_QUEUE_MAX = ${max}); try again when one has finished`,
          );
      }
      await queue.add(name, data, {
        jobId,
        attempts: EXPORT_JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: OUTPUT_RETRY_BASE_MS },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 24 * 3600 },
      });
    });
  }

  /** Latest output and export statuses (also pushed on keys.jobStatusChannel(eventId)). */
  async statuses(eventId: string): Promise<JobStatusMessage[]> {
    return readJobStatuses(this.#redisOrThrow(), this.options.keys, eventId);
  }

  /** Runs `admit` holding the export admission lock (waits for it; a holder that died frees it by its TTL). */
  async #withExportAdmission<T>(admit: () => Promise<T>): Promise<T> {
    const redis = this.#redisOrThrow();
    const key = this.options.keys.exportAdmission();
    const token = randomUUID();
    const deadline = Date.now() + EXPORT_ADMISSION_WAIT_MS;
    while ((await redis.set(key, token, 'PX', EXPORT_ADMISSION_TTL_MS, 'NX')) === null) {
      if (Date.now() > deadline) throw new Error('the export queue stayed locked; try again');
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
    try {
      return await admit();
    } finally {
      await redis.eval(RELEASE_IF_OWNER, 1, key, token);
    }
  }

  async #start(eventId: string, target: OutputTarget, change: (plan: OutputPlan) => OutputPlan): Promise<PlanSummary> {
    const format = parseVideoFormat(target.video);
    if (!format.ok)
      throw new JobRequestError('INVALID', `video: ${format.error.message}`, `/video${format.error.field}`);
    const video = format.value;
    const plan = (await updatePlan(this.#redisOrThrow(), this.options.keys, eventId, (current) => {
      const base: OutputPlan =
        current === null || current.stop
          ? {
              eventId,
              templateUrl: target.templateUrl,
              video,
              record: false,
              destinations: [],
              stop: false,
              revision: 0,
            }
          : current;
      return change(base);
    })) as OutputPlan;
    const data = check(
      ProgramOutputJobSchema,
      { eventId, ...(this.options.backend ? { backend: this.options.backend } : {}) },
      'program output job',
    );
    // The job id makes a second start a no-op while the output runs; removal on completion frees it.
    // A job that failed for good keeps its id (for inspection): a new start replaces it.
    const queue = this.#outputsOrThrow();
    const previous = await queue.getJob(programOutputJobId(eventId));
    if (previous !== undefined && (await previous.isFailed())) await previous.remove();
    await queue.add('program-output', data, {
      jobId: programOutputJobId(eventId),
      attempts: OUTPUT_JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: OUTPUT_RETRY_BASE_MS },
      removeOnComplete: true,
      removeOnFail: { age: 3600 },
    });
    return summary(plan);
  }

  #redisOrThrow(): Redis {
    if (this.#redis === null) throw new Error('JobClient: call start() first');
    return this.#redis;
  }
  #outputsOrThrow(): Queue {
    if (this.#outputs === null) throw new Error('JobClient: call start() first');
    return this.#outputs;
  }
  #queueOrThrow(queue: Queue | null): Queue {
    if (queue === null) throw new Error('JobClient: call start() first');
    return queue;
  }
}

/**
 * Stops the event's outputs (all, or only the recording / only the stream) by changing its plan; the
 * worker that owns the output follows. Needs only Redis, so deleting an event can stop its outputs too.
 */
export async function stopOutputs(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  request: StopRequest = {},
): Promise<PlanSummary | null> {
  const what = check(StopRequestSchema, request, 'stop').what ?? 'all';
  const plan = await updatePlan(redis, keys, eventId, (current) => {
    if (current === null || current.stop) return undefined;
    const next = {
      ...current,
      record: what === 'stream' ? current.record : false,
      destinations: what === 'recording' ? current.destinations : [],
    };
    return { ...next, stop: what === 'all' || (!next.record && next.destinations.length === 0) };
  });
  return plan === null ? null : summary(plan);
}

function check<S extends TSchema>(schema: S, input: unknown, what: string): Static<S> {
  const result = parse(schema, input);
  if (!result.ok)
    throw new JobRequestError('INVALID', `${what}: ${result.error.field} ${result.error.message}`, result.error.field);
  return result.value;
}

function mergeDestinations(current: Destination[], add: Destination[], remove: string[]): Destination[] {
  const byId = new Map(current.filter((d) => !remove.includes(d.id)).map((d) => [d.id, d]));
  for (const d of add) byId.set(d.id, d);
  return [...byId.values()];
}

function summary(plan: OutputPlan): PlanSummary {
  return {
    eventId: plan.eventId,
    record: plan.record,
    destinations: plan.destinations.map((d) => d.id),
    stop: plan.stop,
    revision: plan.revision,
    jobId: programOutputJobId(plan.eventId),
  };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
