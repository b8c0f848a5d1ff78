// Replay clips: a camera's ISO range marked by "last N seconds" or by in/out server times. A clip's media is
// the ISO segments it spans, concatenated without re-encoding (ffmpeg -c copy) into one immutable file the
// template plays; the in point's position in it travels with the clip (mediaOffsetMs). Nudging makes a new
// media file, so a replay already on air keeps playing the file it started with.
//
// A camera uploads a segment only once it is complete, and late on a busy phone or machine: a mark whose
// ISO has not all arrived is stored at once as `pending` with the range it asked for, and settled (media
// made, `ready`, or `partial` with what arrived once its wait ends) by settle(), which ReplayClipWaits calls
// as segments arrive. Pending clips are listed in Redis with their deadline, so a restarted controller
// settles them too.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  ISO_SEGMENT_MS,
  MAX_CLIP_MS,
  MIN_CLIP_MS,
  type Command,
  type CreateClipRequest,
  type IsoSegment,
  type RedisKeys,
  type ReplayClip,
  type ReplayClipRef,
  type ReplayClipStatus,
  type UpdateClipRequest,
} from '../../protocol/index.ts';
import { probe, runFfmpeg } from '../../runtime/ffmpeg.ts';
import { AppError } from './app-error.ts';
import type { IsoStore } from './iso-store.ts';

/** What the clip's end may fall short of the asked out point when trimmed to the arrived ISO. */
const COVERAGE_TOLERANCE_MS = 100;
const THUMBNAIL_WIDTH = 320;
/** Longer than settling one clip takes (one ffmpeg -c copy and a probe); a holder that died frees it then. */
const SETTLE_LOCK_MS = 60_000;
/** Writes a settled clip only over the pending one it was made from (not over a nudge or a delete since). */
const REPLACE_IF_UNCHANGED = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[4])
return 1
`;
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface StoredClip {
  id: string;
  source: string;
  /** Left out by clips stored before marks could wait: those were made with their media, ready. */
  status?: ReplayClipStatus;
  /** While pending: the server time its wait ends. */
  waitUntil?: number;
  fromMs: number;
  toMs: number;
  createdAt: number;
  mediaOffsetMs: number;
  /** File name of the clip media in the clips directory ('' while pending or failed). */
  media: string;
  version: number;
}

/** A pending clip as the pending list holds it. */
export interface PendingClip {
  eventId: string;
  clipId: string;
  waitUntil: number;
}

/**
 * What settle() did: nothing to do (the clip is gone, or settled already), another process is settling it,
 * it is still waiting, or it settled now.
 */
export type SettleOutcome =
  { kind: 'done' } | { kind: 'busy' } | { kind: 'waiting'; clip: StoredClip } | { kind: 'settled'; clip: StoredClip };

type MadeMedia = { ok: true; clip: StoredClip } | { ok: false; pictureMs: number };

export class ReplayClips {
  readonly #iso: IsoStore;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    iso: IsoStore,
    /** How long a pending clip waits for its ISO (REPLAY_ISO_WAIT_MS). */
    private readonly waitMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#iso = iso;
  }

  clipsDir(eventId: string): string {
    return join(this.#iso.root, eventId, 'clips');
  }

  /**
   * Marks a clip at server time `at` (when the request came in: a loaded controller's late start must not
   * move a "last 5 s"). Made at once when its ISO is all there, or nothing more can come (a source that never
   * recorded, a range whose wait is over): then a range without enough picture is refused. Otherwise
   * stored pending, for settle() to finish.
   */
  async create(eventId: string, request: CreateClipRequest, at = this.now()): Promise<StoredClip> {
    const last = request.lastSeconds !== undefined;
    if (last === (request.fromMs !== undefined || request.toMs !== undefined))
      throw new AppError(400, 'INVALID', 'Give lastSeconds, or fromMs and toMs.', '/lastSeconds');
    if (!last && (request.fromMs === undefined || request.toMs === undefined))
      throw new AppError(
        400,
        'INVALID',
        'Give both fromMs and toMs.',
        request.fromMs === undefined ? '/fromMs' : '/toMs',
      );
    const fromMs = last ? at - (request.lastSeconds ?? 0) * 1000 : (request.fromMs ?? 0);
    const toMs = last ? at : (request.toMs ?? 0);
    const field = last ? '/lastSeconds' : '/fromMs';
    checkRange(fromMs, toMs, at, last ? '/lastSeconds' : '/toMs');
    const clip: StoredClip = {
      id: randomUUID().replaceAll('-', '').slice(0, 8),
      source: request.source,
      status: 'pending',
      waitUntil: toMs + this.waitMs,
      fromMs,
      toMs,
      createdAt: at,
      mediaOffsetMs: 0,
      media: '',
      version: 0,
    };
    const segments = await this.#iso.segments(eventId, clip.source, fromMs, toMs);
    const coming = (clip.waitUntil ?? 0) > this.now() && (await this.#iso.hasCamera(eventId, clip.source));
    if (!coming || covers(segments, clip)) {
      const made = await this.#made(eventId, clip, segments, field);
      await this.redis.hset(this.keys.replayClips(eventId), made.id, JSON.stringify(made));
      return made;
    }
    await this.redis
      .multi()
      .hset(this.keys.replayClips(eventId), clip.id, JSON.stringify(clip))
      .zadd(this.keys.replayPending(), clip.waitUntil ?? 0, pendingMember(eventId, clip.id))
      .exec();
    return clip;
  }

  async list(eventId: string): Promise<StoredClip[]> {
    const all = await this.redis.hvals(this.keys.replayClips(eventId));
    return all.map(parseClip).sort((a, b) => a.createdAt - b.createdAt);
  }

  async find(eventId: string, id: string): Promise<StoredClip | null> {
    const text = await this.redis.hget(this.keys.replayClips(eventId), id);
    return text === null ? null : parseClip(text);
  }

  async get(eventId: string, id: string, field = '/clipId'): Promise<StoredClip> {
    const clip = await this.find(eventId, id);
    if (clip === null) throw new AppError(404, 'UNKNOWN_CLIP', `Clip "${id}" does not exist.`, field);
    return clip;
  }

  /**
   * A clip that may be played, cued or exported: it exists and has media (ready, or partial: what arrived).
   * Every door that plays or cues a clip comes through here (the replay routes by id, any command through
   * checkCommand), so none plays what another would refuse.
   */
  async playable(eventId: string, id: string, field = '/clipId'): Promise<StoredClip> {
    const clip = await this.get(eventId, id, field);
    if (clip.status === 'pending')
      throw new AppError(
        409,
        'CLIP_PENDING',
        `Clip "${id}" is waiting for camera "${clip.source}"'s ISO recording to arrive (at most until ${new Date(
          clip.waitUntil ?? 0,
        ).toISOString()}): play it once it is ready.`,
        field,
      );
    if (clip.status === 'failed')
      throw new AppError(
        409,
        'CLIP_FAILED',
        `Clip "${id}" has no picture: camera "${clip.source}"'s ISO recording of it never arrived. Delete it and mark again.`,
        field,
      );
    return clip;
  }

  /**
   * The check a replay.play or replay.cue command passes before it is applied, whatever door it came in by
   * (the generic commands route, a WebSocket frame): its clip must be playable, and exactly as stored (a
   * command cannot point the renderers at another range or media than the clip's).
   */
  checkCommand(eventId: string, command: Command): Promise<void> | null {
    if (command.type !== 'replay.play' && command.type !== 'replay.cue') return null;
    const given = command.clip;
    if (given === null) return null;
    return this.playable(eventId, given.id, '/clip/id').then((clip) => {
      const stored = clipRef(clip);
      const same = (Object.keys(stored) as Array<keyof ReplayClipRef>).every((key) => stored[key] === given[key]);
      if (!same)
        throw new AppError(
          409,
          'CLIP_MISMATCH',
          `The clip given is not clip "${given.id}" as stored (its range or media differs, e.g. it was nudged since): send the stored clip, or play it by id (POST …/replay/play).`,
          '/clip',
        );
    });
  }

  async update(eventId: string, id: string, patch: UpdateClipRequest): Promise<StoredClip> {
    const clip = await this.get(eventId, id);
    const fromMs = (patch.fromMs ?? clip.fromMs) + (patch.inDeltaMs ?? 0);
    const toMs = (patch.toMs ?? clip.toMs) + (patch.outDeltaMs ?? 0);
    const field = patch.toMs !== undefined || patch.outDeltaMs !== undefined ? '/toMs' : '/fromMs';
    checkRange(fromMs, toMs, this.now(), field);
    if (clip.status === 'pending') {
      // Still waiting: settle() makes the new range's media, waiting as long as a mark of it would.
      const waitUntil = Math.max(clip.waitUntil ?? 0, toMs + this.waitMs);
      const next = { ...clip, fromMs, toMs, waitUntil };
      await this.redis
        .multi()
        .hset(this.keys.replayClips(eventId), id, JSON.stringify(next))
        .zadd(this.keys.replayPending(), waitUntil, pendingMember(eventId, id))
        .exec();
      return next;
    }
    const segments = await this.#iso.segments(eventId, clip.source, fromMs, toMs);
    const next = await this.#made(eventId, { ...clip, fromMs, toMs }, segments, field);
    await this.redis.hset(this.keys.replayClips(eventId), id, JSON.stringify(next));
    return next;
  }

  async delete(eventId: string, id: string): Promise<void> {
    const clip = await this.get(eventId, id);
    await this.redis
      .multi()
      .hdel(this.keys.replayClips(eventId), id)
      .zrem(this.keys.replayPending(), pendingMember(eventId, id))
      .exec();
    if (clip.media === '') return;
    await rm(join(this.clipsDir(eventId), clip.media), { force: true });
    await rm(this.thumbnailPath(eventId, clip), { force: true });
  }

  /** Every pending clip of every event, soonest deadline first. */
  async pending(): Promise<PendingClip[]> {
    const flat = await this.redis.zrange(this.keys.replayPending(), 0, -1, 'WITHSCORES');
    const out: PendingClip[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [eventId = '', clipId = ''] = (flat[i] ?? '').split('/');
      out.push({ eventId, clipId, waitUntil: Number(flat[i + 1]) });
    }
    return out;
  }

  /**
   * Settles a pending clip when its ISO has all arrived (`ready`), or with what arrived once its wait is over
   * (`partial`; `failed` with less than a clip's worth). One process at a time settles a clip (a Redis lock),
   * and the result is stored only over the pending clip it was made from.
   */
  async settle(eventId: string, id: string): Promise<SettleOutcome> {
    const lock = this.keys.replaySettling(eventId, id);
    const token = randomUUID();
    if ((await this.redis.set(lock, token, 'PX', SETTLE_LOCK_MS, 'NX')) === null) return { kind: 'busy' };
    try {
      for (;;) {
        const text = await this.redis.hget(this.keys.replayClips(eventId), id);
        const clip = text === null ? null : parseClip(text);
        if (text === null || clip?.status !== 'pending') {
          await this.redis.zrem(this.keys.replayPending(), pendingMember(eventId, id));
          return { kind: 'done' };
        }
        const segments = await this.#iso.segments(eventId, clip.source, clip.fromMs, clip.toMs);
        const complete = covers(segments, clip);
        const over = this.now() >= (clip.waitUntil ?? 0);
        if (!complete && !over) return { kind: 'waiting', clip };
        let settled: StoredClip;
        try {
          const made = await this.#media(eventId, clip, segments);
          settled = made.ok ? settledAs(made.clip, complete ? 'ready' : 'partial') : settledAs(clip, 'failed');
        } catch (error) {
          // An unreadable segment: try again when the next one arrives, but not past the wait.
          if (!over) throw error;
          settled = settledAs(clip, 'failed');
        }
        const stored = await this.redis.eval(
          REPLACE_IF_UNCHANGED,
          2,
          this.keys.replayClips(eventId),
          this.keys.replayPending(),
          id,
          text,
          JSON.stringify(settled),
          pendingMember(eventId, id),
        );
        if (stored === 1) return { kind: 'settled', clip: settled };
        // Nudged or deleted meanwhile: this media is nobody's; look again.
        if (settled.media !== '') await rm(join(this.clipsDir(eventId), settled.media), { force: true });
      }
    } finally {
      await this.redis.eval(RELEASE_IF_OWNER, 1, lock, token);
    }
  }

  /** The segments a clip spans, oldest first (what the clip export encodes). */
  async segments(eventId: string, clip: StoredClip): Promise<Array<IsoSegment & { path: string }>> {
    const segments = await this.#iso.segments(eventId, clip.source, clip.fromMs, clip.toMs);
    return withoutCovered(segments).map((s) => ({ ...s, path: this.#iso.path(eventId, s) }));
  }

  thumbnailPath(eventId: string, clip: StoredClip): string {
    return join(this.clipsDir(eventId), `${clip.media}.jpg`);
  }

  /** The clip's picture at its in point, made once per media version. */
  async thumbnail(eventId: string, clip: StoredClip): Promise<string> {
    const path = this.thumbnailPath(eventId, clip);
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (!exists)
      await runFfmpeg([
        ...[
          '-v',
          'error',
          '-ss',
          (clip.mediaOffsetMs / 1000).toFixed(3),
          '-i',
          join(this.clipsDir(eventId), clip.media),
        ],
        ...['-frames:v', '1', '-vf', `scale=${THUMBNAIL_WIDTH}:-2`, '-q:v', '4', path],
      ]);
    return path;
  }

  /** The clip made now from the segments there are (ready, or partial when they fall short), or a 422. */
  async #made(eventId: string, clip: StoredClip, segments: IsoSegment[], field: string): Promise<StoredClip> {
    const made = await this.#media(eventId, clip, segments);
    if (!made.ok)
      throw new AppError(
        422,
        'NO_ISO_COVERAGE',
        made.pictureMs === 0
          ? `Camera "${clip.source}" has no ISO recording between ${clip.fromMs} and ${clip.toMs}.`
          : `Camera "${clip.source}" has only ${made.pictureMs} ms of ISO picture in that range.`,
        field,
      );
    return settledAs(made.clip, covers(segments, clip) ? 'ready' : 'partial');
  }

  /** Trims the clip to the ISO there is and makes its media; too little picture for a clip is no media. */
  async #media(eventId: string, clip: StoredClip, segments: IsoSegment[]): Promise<MadeMedia> {
    const used = withoutCovered(segments);
    const first = used[0];
    const lastSegment = used.at(-1);
    if (first === undefined || lastSegment === undefined) return { ok: false, pictureMs: 0 };
    const fromMs = Math.max(clip.fromMs, first.startMs);
    const toMs = Math.min(clip.toMs, lastSegment.endMs);
    if (toMs - fromMs < MIN_CLIP_MS) return { ok: false, pictureMs: Math.max(0, toMs - fromMs) };
    const version = clip.version + 1;
    const ext = first.file.split('.').at(-1) ?? 'webm';
    const media = `${clip.id}-${version}.${ext}`;
    const dir = this.clipsDir(eventId);
    await mkdir(dir, { recursive: true });
    const list = join(dir, `${clip.id}-${version}.txt`);
    await writeFile(list, used.map((s) => `file '${this.#iso.path(eventId, s)}'\n`).join(''));
    try {
      await runFfmpeg(['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', join(dir, media)]);
    } finally {
      await rm(list, { force: true });
    }
    // A camera page's segments can hold less picture than their server-time span (a recorder restarted on a
    // busy phone starts a few frames late): seen as a 5 s mark whose media ran out 0.47 s early, so the replay
    // froze on its last frame and the exported clip was short. The clip ends where its media does.
    const mediaMs = (await probe(join(dir, media))).durationMs;
    const mediaOffsetMs = fromMs - first.startMs;
    const end = Math.min(toMs, fromMs + Math.max(0, mediaMs - mediaOffsetMs));
    if (end - fromMs < MIN_CLIP_MS) {
      await rm(join(dir, media), { force: true });
      return { ok: false, pictureMs: Math.max(0, Math.round(end - fromMs)) };
    }
    // An older version's media stays until the clip is deleted: a replay on air may still be playing it.
    return { ok: true, clip: { ...clip, fromMs, toMs: Math.round(end), mediaOffsetMs, media, version } };
  }
}

function checkRange(fromMs: number, toMs: number, now: number, field: string): void {
  if (toMs <= fromMs) throw new AppError(400, 'INVALID', 'The clip must end after it starts.', field);
  if (toMs - fromMs < MIN_CLIP_MS) throw new AppError(400, 'INVALID', `A clip is at least ${MIN_CLIP_MS} ms.`, field);
  if (toMs - fromMs > MAX_CLIP_MS) throw new AppError(400, 'INVALID', `A clip is at most ${MAX_CLIP_MS} ms.`, field);
  if (toMs > now + ISO_SEGMENT_MS) throw new AppError(400, 'INVALID', 'The clip ends in the future.', field);
}

/**
 * Whether the ISO of the clip's range has arrived: the newest segment reaches its out point. A camera page
 * uploads its segments one after another, in order, so nothing older is still on its way.
 */
function covers(segments: readonly IsoSegment[], clip: Pick<StoredClip, 'toMs'>): boolean {
  return segments.length > 0 && Math.max(...segments.map((s) => s.endMs)) >= clip.toMs - COVERAGE_TOLERANCE_MS;
}

/** The clip settled: its wait is over. A failed one keeps the range it asked for, without media. */
function settledAs(clip: StoredClip, status: ReplayClipStatus): StoredClip {
  const settled: StoredClip = status === 'failed' ? { ...clip, status, media: '' } : { ...clip, status };
  delete settled.waitUntil;
  return settled;
}

function parseClip(text: string): StoredClip {
  const clip = JSON.parse(text) as StoredClip;
  return { ...clip, status: clip.status ?? 'ready' };
}

function pendingMember(eventId: string, clipId: string): string {
  return `${eventId}/${clipId}`;
}

/** Drops segments wholly inside the span of an earlier one (a re-sent upload), keeping start order. */
function withoutCovered(segments: readonly IsoSegment[]): IsoSegment[] {
  const out: IsoSegment[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (last !== undefined && segment.endMs <= last.endMs) continue;
    out.push(segment);
  }
  return out;
}

/** The clip as the API shows it. */
export function clipView(eventId: string, clip: StoredClip): ReplayClip {
  const base = `/api/events/${eventId}/replay`;
  return {
    id: clip.id,
    source: clip.source,
    status: clip.status ?? 'ready',
    waitUntil: clip.waitUntil ?? null,
    fromMs: clip.fromMs,
    toMs: clip.toMs,
    durationMs: clip.toMs - clip.fromMs,
    createdAt: clip.createdAt,
    mediaOffsetMs: clip.mediaOffsetMs,
    thumbnailUrl: clip.media === '' ? null : `${base}/clips/${clip.id}/thumbnail.jpg`,
    mediaUrl: clip.media === '' ? null : `${base}/media/${clip.media}`,
  };
}

/** The clip as program state carries it. */
export function clipRef(clip: StoredClip): ReplayClipRef {
  return {
    id: clip.id,
    source: clip.source,
    fromMs: clip.fromMs,
    toMs: clip.toMs,
    mediaOffsetMs: clip.mediaOffsetMs,
    media: clip.media,
  };
}
