// The one interface both program output backends (LiveKit Egress, the built-in recorder) implement.
// The job layer owns queues, locks, retries and status; a backend only turns a plan into running outputs.
import type { Redis } from 'ioredis';
import {
  destinationKind,
  type Destination,
  type DestinationKind,
  type OutputBackendKind,
  type OutputPlan,
  type OutputReport,
  type RedisKeys,
} from '../protocol/index.ts';
import { errorMessage, type Logger } from '../runtime/logger.ts';

export interface OutputSessionHooks {
  /** Something in outputs() or recordingStartedAt() changed: the job layer publishes a status. */
  onChange(): void;
  /** The session cannot go on (e.g. the egress failed): the job is retried with backoff. */
  onFailure(error: Error): void;
  log: Logger;
  /** For backend facts a worker taking over must see (see SessionRecord). */
  redis: Redis;
  keys: RedisKeys;
}

export interface OutputSessionResult {
  /** Recording files (absolute paths or egress file locations), oldest first. */
  recordings: string[];
  recordingStartedAt: number | null;
  /** Per-output end state, masked. */
  outputs: OutputReport[];
}

export interface OutputSession {
  /** Brings the running outputs in line with the plan (add/remove destinations, start/stop recording). */
  apply(plan: OutputPlan): Promise<void>;
  outputs(): OutputReport[];
  /** Server time (ms) of the recording's first frame, once known. */
  recordingStartedAt(): number | null;
  /** Ends every output: stop. */
  stop(): Promise<OutputSessionResult>;
  /**
   * Graceful hand-back on worker shutdown: leave what can outlive this process (an egress keeps running
   * and is adopted by the next worker), end what cannot (a local recorder), keep the session record.
   */
  detach(): Promise<void>;
}

export interface OutputBackend {
  readonly kind: OutputBackendKind;
  /** Starts (or adopts, after a crash or a hand-back) the event's output for this plan. */
  open(plan: OutputPlan, hooks: OutputSessionHooks): Promise<OutputSession>;
}

/** Thrown for failures that retrying cannot fix (bad configuration); the job fails at once. */
export class OutputConfigError extends Error {
  override readonly name = 'OutputConfigError';
}

/** The module of a destination's kind; a kind no module knows fails the job at once, never passing for RTMP. */
export function destinationKindOf(destination: Destination): DestinationKind<Destination> {
  try {
    return destinationKind(destination.kind);
  } catch (error) {
    throw new OutputConfigError(errorMessage(error));
  }
}

/** A destination's place in the output status, its kind saying what it is and where it goes (masked). */
export function destinationReport(
  d: Destination,
  eventId: string,
): Pick<OutputReport, 'id' | 'kind' | 'label' | 'target'> {
  const kind = destinationKindOf(d);
  return { id: d.id, kind: kind.reportKind, label: d.label ?? d.kind, target: kind.target(d, eventId) };
}
