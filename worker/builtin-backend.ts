// Program output with Pitchside's own recorder (worker/recorder/): Chromium renders the template, the
// page encodes H.264, one ffmpeg per output writes the MP4 and each destination the way its kind says
// (protocol/destinations/; all copying the one encode). Destinations and the recording map one-to-one
// onto recorder outputs, each started, retried and stopped on its own.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  HLS_DATA_SUBDIR,
  destinationSecrets,
  hlsDestinationPath,
  type Destination,
  maskSecrets,
  recordsInternational,
  type OutputBackendKind,
  type OutputPlan,
  type OutputReport,
  type OutputState,
  type ProgramState,
  type RedisKeys,
} from '../protocol/index.ts';
import { Recorder, type RecorderStats } from './recorder/recorder.ts';
import { recoverRecordings } from './recording-recovery.ts';
import { writeRecordingStart } from './recording-start.ts';
import type { OutputSpec, OutputState as RecorderOutputState, OutputStats } from './recorder/types.ts';
import {
  destinationKindOf,
  destinationReport,
  type OutputBackend,
  type OutputSession,
  type OutputSessionHooks,
  type OutputSessionResult,
} from './output-backend.ts';
import { templatePageUrl } from './template-url.ts';
import type { OutboundPolicy } from '../runtime/outbound-policy.ts';
import { errorMessage } from '../runtime/logger.ts';
import { clearHlsDirectory, removeUnlistedSegments } from './hls-files.ts';

export interface BuiltinBackendOptions {
  /** Absolute directory; recordings go to <dir>/<eventId>/<eventId>-<time>.mp4. */
  recordingsDir: string;
  /** The template URL as this worker's Chromium reaches it (e.g. the controller on 127.0.0.1). */
  localUrl?: (templateUrl: string) => string;
  /** Where the template's media sources may be loaded from (ALLOW_PRIVATE_NETWORKS); default: public only. */
  outbound?: OutboundPolicy;
  /** The Chromium binary (CHROMIUM_PATH); default DEFAULT_CHROMIUM_PATH. */
  chromiumPath?: string;
  /**
   * Absolute directory the controller serves HLS from; a destination writes <dir>/<eventId>/<destinationId>/.
   * Default: `hls` beside recordingsDir (both under the data dir).
   */
  hlsDir?: string;
}

/** Output stats are polled this often for status (a state change is published at once). */
const STATS_POLL_MS = 1000;
const RECORDING_ID = 'recording';
/**
 * A page that does not answer a stats call this long is hung (a renderer stuck in a loop never crashes):
 * the output restarts rather than waiting out CDP's 60 s protocol timeout with every destination frozen.
 */
const STATS_TIMEOUT_MS = 10_000;

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const STATE: Record<RecorderOutputState, OutputState> = {
  idle: 'starting',
  'waiting-keyframe': 'starting',
  running: 'live',
  backoff: 'retrying',
  stopping: 'stopped',
  stopped: 'stopped',
};

export class BuiltinBackend implements OutputBackend {
  readonly kind: OutputBackendKind = 'builtin';
  constructor(readonly options: BuiltinBackendOptions) {}

  async open(plan: OutputPlan, hooks: OutputSessionHooks): Promise<OutputSession> {
    const international = await internationalAtStart(hooks.redis, hooks.keys, plan.eventId);
    const session = new BuiltinSession(this.options, plan, hooks, international);
    await session.start();
    return session;
  }
}

/**
 * The event's "Record international sound" (audio.master.international) as the recorder starts. The capture's
 * channel count is fixed for its life, so a change while it runs takes effect at its next start; off, the page
 * builds no second mix and the recording has the program's track alone.
 */
async function internationalAtStart(redis: Redis, keys: RedisKeys, eventId: string): Promise<boolean> {
  const raw = await redis.get(keys.state(eventId));
  return raw !== null && recordsInternational((JSON.parse(raw) as ProgramState).audio);
}

class BuiltinSession implements OutputSession {
  #recorder: Recorder;
  #plan: OutputPlan;
  #stats: OutputStats[] = [];
  #startedAt: number | null = null;
  #recordingPath: string | null = null;
  #recordingFromFrame0: string | null = null;
  #startWrites: Promise<void> = Promise.resolve();
  readonly #recordings: string[] = [];
  #poll: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly options: BuiltinBackendOptions,
    plan: OutputPlan,
    private readonly hooks: OutputSessionHooks,
    private readonly international: boolean,
  ) {
    this.#plan = plan;
    const url = templatePageUrl(plan);
    this.#recorder = new Recorder({
      international,
      url: options.localUrl?.(url) ?? url,
      ...(options.outbound === undefined ? {} : { outbound: options.outbound }),
      ...(options.chromiumPath === undefined ? {} : { executablePath: options.chromiumPath }),
      width: plan.video.width,
      height: plan.video.height,
      fps: plan.video.fps,
      outputs: [],
      onLog: (message) => hooks.log.debug({ eventId: plan.eventId }, maskSecrets(message, this.#secrets())),
      // The job then retries with a fresh recorder (a new recording part) instead of waiting on a dead page.
      onCrash: (reason) => hooks.onFailure(new Error(`recorder failed: ${reason}`)),
    });
  }

  /** Known exactly, so masking does not depend on how ffmpeg quotes a URL. */
  #secrets(): string[] {
    return destinationSecrets(this.#plan.destinations);
  }

  #hlsDir(destinationId: string): string {
    const root = this.options.hlsDir ?? join(dirname(this.options.recordingsDir), HLS_DATA_SUBDIR);
    return join(root, hlsDestinationPath(this.#plan.eventId, destinationId));
  }

  /** The recorder output a destination's kind asks for; what it writes to is its identity (a change restarts it). */
  #spec(d: Destination): OutputSpec {
    const target = destinationKindOf(d).recorder(d);
    return target.kind === 'hls' ? { ...target, id: d.id, dir: this.#hlsDir(d.id) } : { ...target, id: d.id };
  }

  #target(d: Destination): string {
    return JSON.stringify(this.#spec(d));
  }

  async start(): Promise<void> {
    // Parts an earlier worker left (killed, or handed back) are finalised and listed before a new part.
    await recoverRecordings(this.hooks.redis, this.hooks.keys, this.#plan.eventId, this.#eventDir(), this.hooks.log);
    // Outputs are armed before capture starts so that they all begin at frame 0.
    await this.#reconcile(this.#plan);
    this.#recordingFromFrame0 = this.#recordingPath;
    await this.#recorder.start();
    this.hooks.log.info(
      {
        eventId: this.#plan.eventId,
        width: this.#plan.video.width,
        height: this.#plan.video.height,
        fps: this.#plan.video.fps,
        international: this.international,
      },
      'recorder started',
    );
    this.#poll = setInterval(() => void this.#refresh(), STATS_POLL_MS);
    await this.#refresh();
  }

  async apply(plan: OutputPlan): Promise<void> {
    this.#plan = plan;
    await this.#reconcile(plan);
    await this.#refresh();
  }

  outputs(): OutputReport[] {
    const byId = new Map(this.#stats.map((s) => [s.id, s]));
    const report = (id: string): Pick<OutputReport, 'state' | 'error' | 'retries'> => {
      const s = byId.get(id);
      if (s === undefined) return { state: 'starting' };
      return {
        state: STATE[s.state],
        retries: s.failures,
        ...(s.lastError ? { error: maskSecrets(s.lastError, this.#secrets()) } : {}),
      };
    };
    const reports: OutputReport[] = [];
    if (this.#recordingPath !== null) {
      reports.push({
        id: RECORDING_ID,
        kind: 'recording',
        label: 'Recording',
        target: this.#recordingPath.split('/').at(-1) ?? '',
        ...report(RECORDING_ID),
      });
    }
    for (const d of this.#plan.destinations)
      reports.push({
        ...destinationReport(d, this.#plan.eventId),
        ...report(d.id),
      });
    return reports;
  }

  recordingStartedAt(): number | null {
    return this.#startedAt;
  }

  async stop(): Promise<OutputSessionResult> {
    const outputs = this.outputs().map((o) => ({ ...o, state: 'stopped' as const }));
    await this.#close();
    return { recordings: [...this.#recordings], recordingStartedAt: this.#startedAt, outputs };
  }

  /** A recorder cannot outlive its process: the next worker starts a new recording part. */
  async detach(): Promise<void> {
    await this.#close();
  }

  async #close(): Promise<RecorderStats | null> {
    if (this.#closed) return null;
    this.#closed = true;
    if (this.#poll !== null) clearInterval(this.#poll);
    const stats = await this.#recorder.close();
    // Each HLS ffmpeg wrote its ENDLIST on close; segments it had not deleted yet go now.
    for (const dir of this.#hlsDirs.values()) await removeUnlistedSegments(dir);
    this.hooks.log.info(
      {
        eventId: this.#plan.eventId,
        frames: stats.capture?.framesEncoded,
        duplicated: stats.capture?.duplicated,
        dropped: stats.capture?.dropped,
      },
      'recorder closed',
    );
    return stats;
  }

  async #reconcile(plan: OutputPlan): Promise<void> {
    const running = new Set(this.#stats.map((s) => s.id).concat(this.#armed));
    const want = new Map(plan.destinations.map((d) => [d.id, this.#target(d)]));
    for (const id of running) {
      if (id === RECORDING_ID ? !plan.record : !want.has(id) || this.#urls.get(id) !== want.get(id))
        await this.#remove(id);
    }
    if (plan.record && !this.#armed.includes(RECORDING_ID)) {
      const dir = this.#eventDir();
      await mkdir(dir, { recursive: true });
      this.#recordingPath = join(dir, `${plan.eventId}-${new Date().toISOString().replace(/[:.]/g, '-')}.mp4`);
      this.#recordings.push(this.#recordingPath);
      this.#add(RECORDING_ID, { id: RECORDING_ID, kind: 'file', path: this.#recordingPath });
    }
    for (const d of plan.destinations) {
      if (this.#armed.includes(d.id)) continue;
      const spec = this.#spec(d);
      if (spec.kind === 'hls') {
        // A new playlist for a new run: a player must not see the last show's segments as this one's.
        await clearHlsDirectory(spec.dir);
        this.#hlsDirs.set(d.id, spec.dir);
      }
      this.#add(d.id, spec, this.#target(d));
    }
  }

  #eventDir(): string {
    return join(this.options.recordingsDir, this.#plan.eventId);
  }

  #armed: string[] = [];
  /** Destination id → what its output writes to (see #target). */
  readonly #urls = new Map<string, string>();
  /** HLS destination id → its directory, while armed. */
  readonly #hlsDirs = new Map<string, string>();

  #add(id: string, spec: Parameters<Recorder['addOutput']>[0], target?: string): void {
    this.#recorder.addOutput(spec);
    this.#armed.push(id);
    if (target !== undefined) this.#urls.set(id, target);
  }

  async #remove(id: string): Promise<void> {
    this.#armed = this.#armed.filter((a) => a !== id);
    this.#urls.delete(id);
    if (id === RECORDING_ID) this.#recordingPath = null;
    await this.#recorder.removeOutput(id);
    const hls = this.#hlsDirs.get(id);
    this.#hlsDirs.delete(id);
    if (hls !== undefined) await removeUnlistedSegments(hls);
  }

  /**
   * Server time of frame 0. Slots are CFR on the page's clock, so frame 0 was `frames / fps` before now;
   * a frame is counted at or after its slot, so every estimate is late by the render latency and the
   * smallest one is the best.
   */
  #estimateStart(stats: RecorderStats, now: number): void {
    const frames = stats.capture.framesRendered + stats.capture.duplicated;
    if (frames === 0) return;
    const estimate = Math.round(now - ((frames - 0.5) * 1000) / this.#plan.video.fps);
    if (this.#startedAt !== null && estimate >= this.#startedAt) return;
    this.#startedAt = estimate;
    // Frame 0 is the first frame of a recording armed before capture; one added later starts later, and
    // recovery estimates its start from the file itself.
    const recording = this.#recordingFromFrame0;
    if (recording === null || recording !== this.#recordingPath) return;
    // One write at a time, in order: the file ends with the best estimate.
    this.#startWrites = this.#startWrites
      .then(() => writeRecordingStart(recording, estimate))
      .catch((error: unknown) => this.hooks.log.warn({ err: error }, 'recording start time not kept'));
  }

  async #refresh(): Promise<void> {
    if (this.#closed) return;
    try {
      const asked = Date.now();
      const stats = await withTimeout(this.#recorder.stats(), STATS_TIMEOUT_MS, 'the page stopped answering');
      this.#estimateStart(stats, (asked + Date.now()) / 2);
      const before = JSON.stringify(this.#stats.map((s) => [s.id, s.state, s.lastError]));
      this.#stats = stats.outputs;
      if (JSON.stringify(this.#stats.map((s) => [s.id, s.state, s.lastError])) !== before) this.hooks.onChange();
    } catch (error) {
      // The page or Chromium is gone: the job retries with a fresh recorder (a new recording part).
      this.hooks.onFailure(new Error(`recorder failed: ${errorMessage(error)}`));
    }
  }
}
