// Replay clips: a camera's ISO range marked by "last N seconds" or by in/out server times. A clip's media is
// the ISO segments it spans, concatenated without re-encoding (ffmpeg -c copy) into one immutable file the
// template plays; the in point's position in it travels with the clip (mediaOffsetMs). Nudging makes a new
// media file, so a replay already on air keeps playing the file it started with.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  ISO_SEGMENT_MS,
  MAX_CLIP_MS,
  MIN_CLIP_MS,
  type CreateClipRequest,
  type IsoSegment,
  type RedisKeys,
  type ReplayClip,
  type ReplayClipRef,
  type UpdateClipRequest,
} from '../../protocol/index.ts';
import { probe, runFfmpeg } from '../../runtime/ffmpeg.ts';
import { AppError } from './app-error.ts';
import type { IsoStore } from './iso-store.ts';

/**
 * "Last N seconds" ends now, but the camera page uploads a segment only when it is complete: wait this long
 * for the newest segment (one segment, its upload, and slack for a loaded machine) before trimming to what
 * has arrived.
 */
export const ISO_COVERAGE_WAIT_MS = 2 * ISO_SEGMENT_MS + 2000;
const COVERAGE_POLL_MS = 150;
/** What the clip's end may fall short of the asked out point when trimmed to the arrived ISO. */
const COVERAGE_TOLERANCE_MS = 100;
const THUMBNAIL_WIDTH = 320;

export interface StoredClip {
  id: string;
  source: string;
  fromMs: number;
  toMs: number;
  createdAt: number;
  mediaOffsetMs: number;
  /** File name of the clip media in the clips directory. */
  media: string;
  version: number;
}

export class ReplayClips {
  readonly #iso: IsoStore;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    iso: IsoStore,
    private readonly now: () => number = Date.now,
  ) {
    this.#iso = iso;
  }

  clipsDir(eventId: string): string {
    return join(this.#iso.root, eventId, 'clips');
  }

  async create(eventId: string, request: CreateClipRequest): Promise<StoredClip> {
    const now = this.now();
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
    const fromMs = last ? now - (request.lastSeconds ?? 0) * 1000 : (request.fromMs ?? 0);
    const toMs = last ? now : (request.toMs ?? 0);
    const field = last ? '/lastSeconds' : '/fromMs';
    checkRange(fromMs, toMs, now, last ? '/lastSeconds' : '/toMs');
    const clip: StoredClip = {
      id: randomUUID().replaceAll('-', '').slice(0, 8),
      source: request.source,
      fromMs,
      toMs,
      createdAt: now,
      mediaOffsetMs: 0,
      media: '',
      version: 0,
    };
    const made = await this.#withMedia(eventId, clip, field, true);
    await this.redis.hset(this.keys.replayClips(eventId), made.id, JSON.stringify(made));
    return made;
  }

  async list(eventId: string): Promise<StoredClip[]> {
    const all = await this.redis.hvals(this.keys.replayClips(eventId));
    return all.map((text) => JSON.parse(text) as StoredClip).sort((a, b) => a.createdAt - b.createdAt);
  }

  async get(eventId: string, id: string, field = '/clipId'): Promise<StoredClip> {
    const text = await this.redis.hget(this.keys.replayClips(eventId), id);
    if (text === null) throw new AppError(404, 'UNKNOWN_CLIP', `Clip "${id}" does not exist.`, field);
    return JSON.parse(text) as StoredClip;
  }

  async update(eventId: string, id: string, patch: UpdateClipRequest): Promise<StoredClip> {
    const clip = await this.get(eventId, id);
    const fromMs = (patch.fromMs ?? clip.fromMs) + (patch.inDeltaMs ?? 0);
    const toMs = (patch.toMs ?? clip.toMs) + (patch.outDeltaMs ?? 0);
    const field = patch.toMs !== undefined || patch.outDeltaMs !== undefined ? '/toMs' : '/fromMs';
    checkRange(fromMs, toMs, this.now(), field);
    const next = await this.#withMedia(eventId, { ...clip, fromMs, toMs }, field, false);
    await this.redis.hset(this.keys.replayClips(eventId), id, JSON.stringify(next));
    return next;
  }

  async delete(eventId: string, id: string): Promise<void> {
    const clip = await this.get(eventId, id);
    await this.redis.hdel(this.keys.replayClips(eventId), id);
    await rm(join(this.clipsDir(eventId), clip.media), { force: true });
    await rm(this.thumbnailPath(eventId, clip), { force: true });
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

  /** Trims the clip to the ISO there is (waiting for the newest segment when asked) and makes its media. */
  async #withMedia(eventId: string, clip: StoredClip, field: string, wait: boolean): Promise<StoredClip> {
    let segments = await this.#iso.segments(eventId, clip.source, clip.fromMs, clip.toMs);
    // A source that has never recorded (a test source, a camera before ISO was armed) has nothing coming.
    if (segments.length === 0 && !(await this.#iso.hasCamera(eventId, clip.source))) wait = false;
    const deadline = this.now() + ISO_COVERAGE_WAIT_MS;
    const covered = (list: IsoSegment[]): boolean =>
      list.length > 0 && Math.max(...list.map((s) => s.endMs)) >= clip.toMs - COVERAGE_TOLERANCE_MS;
    while (wait && !covered(segments) && clip.toMs > this.now() - ISO_COVERAGE_WAIT_MS && this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, COVERAGE_POLL_MS));
      segments = await this.#iso.segments(eventId, clip.source, clip.fromMs, clip.toMs);
    }
    const used = withoutCovered(segments);
    const first = used[0];
    const lastSegment = used.at(-1);
    if (first === undefined || lastSegment === undefined)
      throw new AppError(
        422,
        'NO_ISO_COVERAGE',
        `Camera "${clip.source}" has no ISO recording between ${clip.fromMs} and ${clip.toMs}.`,
        field,
      );
    const fromMs = Math.max(clip.fromMs, first.startMs);
    const toMs = Math.min(clip.toMs, lastSegment.endMs);
    if (toMs - fromMs < MIN_CLIP_MS)
      throw new AppError(
        422,
        'NO_ISO_COVERAGE',
        `Camera "${clip.source}" has only ${Math.max(0, toMs - fromMs)} ms of ISO recording in that range.`,
        field,
      );
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
      throw new AppError(
        422,
        'NO_ISO_COVERAGE',
        `Camera "${clip.source}" has only ${Math.max(0, Math.round(end - fromMs))} ms of ISO picture in that range.`,
        field,
      );
    }
    // An older version's media stays until the clip is deleted: a replay on air may still be playing it.
    return { ...clip, fromMs, toMs: Math.round(end), mediaOffsetMs, media, version };
  }
}

function checkRange(fromMs: number, toMs: number, now: number, field: string): void {
  if (toMs <= fromMs) throw new AppError(400, 'INVALID', 'The clip must end after it starts.', field);
  if (toMs - fromMs < MIN_CLIP_MS) throw new AppError(400, 'INVALID', `A clip is at least ${MIN_CLIP_MS} ms.`, field);
  if (toMs - fromMs > MAX_CLIP_MS) throw new AppError(400, 'INVALID', `A clip is at most ${MAX_CLIP_MS} ms.`, field);
  if (toMs > now + ISO_SEGMENT_MS) throw new AppError(400, 'INVALID', 'The clip ends in the future.', field);
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
    fromMs: clip.fromMs,
    toMs: clip.toMs,
    durationMs: clip.toMs - clip.fromMs,
    createdAt: clip.createdAt,
    mediaOffsetMs: clip.mediaOffsetMs,
    thumbnailUrl: `${base}/clips/${clip.id}/thumbnail.jpg`,
    mediaUrl: `${base}/media/${clip.media}`,
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
