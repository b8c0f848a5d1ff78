// The waits of pending replay clips: each is settled (ReplayClips.settle) when a segment of its camera
// arrives and when its wait ends, and cued once it has media (as a mark with its ISO there is cued at once).
// At start every pending clip of the store is taken up, so one whose wait ended while no controller ran
// settles before the controller takes requests. Any process may settle any clip (the state is in Redis);
// a segment arriving at another controller process settles it there.
import type { FastifyBaseLogger } from 'fastify';
import type { Actor, ProgramService } from './program-service.ts';
import { clipRef, type ReplayClips, type StoredClip } from './replay-clips.ts';

/** Settle a moment after the deadline, so the clip's clock is surely past it. */
const AFTER_WAIT_MS = 20;
/** Another process is settling the clip: look again this much later (it may leave it waiting). */
const BUSY_RETRY_MS = 500;
/** Settling failed (Redis, ffmpeg): try again this much later. */
const FAILED_RETRY_MS = 5000;
const ACTOR: Actor = { role: 'admin', keyId: 'replay-clips' };

export interface ReplayClipWaitsOptions {
  clips: ReplayClips;
  program: ProgramService;
  log: FastifyBaseLogger;
  now?: () => number;
}

export class ReplayClipWaits {
  readonly #options: ReplayClipWaitsOptions;
  readonly #now: () => number;
  /** Deadline (and busy-retry) timers by "eventId/clipId". */
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The settle running per clip; a check asked for meanwhile runs once after it. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  #closed = false;

  constructor(options: ReplayClipWaitsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Takes up every pending clip: settles those whose wait is over, and waits for the others. */
  async start(): Promise<void> {
    for (const pending of await this.#options.clips.pending()) await this.check(pending.eventId, pending.clipId);
  }

  /** A segment of this camera arrived: its pending clips may have all they wait for. */
  async handleSegment(eventId: string, camera: string): Promise<void> {
    try {
      for (const pending of await this.#options.clips.pending()) {
        if (pending.eventId !== eventId) continue;
        const clip = await this.#options.clips.find(eventId, pending.clipId);
        if (clip?.source === camera) await this.check(eventId, pending.clipId);
      }
    } catch (error) {
      this.#options.log.warn({ err: error, eventId, camera }, 'pending replay clips: could not look at them');
    }
  }

  /**
   * Settles the clip if it can be now, else waits for its deadline (a clip just stored pending or nudged comes
   * here too). Never rejects: a failure is logged and tried again.
   */
  check(eventId: string, clipId: string): Promise<void> {
    const key = `${eventId}/${clipId}`;
    const running = this.#running.get(key);
    if (running !== undefined) {
      this.#again.add(key);
      return running;
    }
    const run = this.#settle(eventId, clipId).finally(() => {
      this.#running.delete(key);
      if (this.#again.delete(key) && !this.#closed) void this.check(eventId, clipId);
    });
    this.#running.set(key, run);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled(this.#running.values());
  }

  async #settle(eventId: string, clipId: string): Promise<void> {
    if (this.#closed) return;
    const { clips, log } = this.#options;
    try {
      const outcome = await clips.settle(eventId, clipId);
      if (outcome.kind === 'busy') return this.#schedule(eventId, clipId, this.#now() + BUSY_RETRY_MS);
      if (outcome.kind === 'waiting') return this.#schedule(eventId, clipId, outcome.clip.waitUntil ?? this.#now());
      this.#forget(eventId, clipId);
      if (outcome.kind === 'done') return;
      const { clip } = outcome;
      const fields = { eventId, clip: clip.id, source: clip.source, status: clip.status };
      if (clip.status === 'ready') log.debug(fields, 'replay clip ready');
      else log.info({ ...fields, durationMs: clip.toMs - clip.fromMs }, 'replay clip settled short of its ISO');
      if (clip.status !== 'failed') await this.#cue(eventId, clip);
    } catch (error) {
      log.warn({ err: error, eventId, clip: clipId }, 'pending replay clip: could not settle it');
      this.#schedule(eventId, clipId, this.#now() + FAILED_RETRY_MS);
    }
  }

  /**
   * Cued as its mark would have been, unless a clip marked after it is cued already (the newest mark is the
   * one a director rolls next).
   */
  async #cue(eventId: string, clip: StoredClip): Promise<void> {
    const { program, clips } = this.#options;
    const cued = (await program.requireState(eventId)).replayCue;
    if (cued !== undefined && cued !== null && cued.id !== clip.id) {
      const other = await clips.find(eventId, cued.id);
      if (other !== null && other.createdAt > clip.createdAt) return;
    }
    const outcome = await program.apply(eventId, { type: 'replay.cue', clip: clipRef(clip) }, ACTOR);
    if (!outcome.ok) throw new Error(`replay.cue refused: ${outcome.error.message}`);
  }

  #schedule(eventId: string, clipId: string, atMs: number): void {
    if (this.#closed) return;
    const key = `${eventId}/${clipId}`;
    clearTimeout(this.#timers.get(key));
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        void this.check(eventId, clipId);
      },
      Math.max(0, atMs - this.#now()) + AFTER_WAIT_MS,
    );
    this.#timers.set(key, timer);
  }

  #forget(eventId: string, clipId: string): void {
    const key = `${eventId}/${clipId}`;
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }
}
