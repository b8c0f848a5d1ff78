// Replays and ISO recordings: the time rules every process shares (when a replay ends, what program
// shows after it) and the API shapes of ISO ranges and clips.
import { Type, type Static } from '@sinclair/typebox';
import {
  REPLAY_SOURCE_ID,
  ReplayAudioSchema,
  ReplaySpeedSchema,
  ServerTimeSchema,
  SourceIdSchema,
  TransitionTypeSchema,
  type ProgramState,
  type ReplayClipRef,
  type ReplaySpeed,
  type Transition,
} from './state.ts';
import { EventIdSchema } from './wire.ts';

/** The wipe a replay comes in and goes out with: viewers read it as "this is not live". */
export const REPLAY_TRANSITION: Transition = { type: 'wipe', durationMs: 400, from: 'left', colour: '#000000' };
/**
 * A replay rolls this long after it is played: time for a renderer to load a clip that was not cued (a cued
 * clip, state.replayCue, is loaded when it is marked). A renderer still without the clip's frame at the roll
 * draws the live source it left until it has one, never black (template/sources/replay-feed.ts).
 */
export const REPLAY_CUE_MS = 500;
/** The live sound under a ducked replay (gain, 1 = full). */
export const REPLAY_DUCK_GAIN = 0.25;
/** A clip shorter than this is a mistake (and shorter than the wipe in and out). */
export const MIN_CLIP_MS = 1000;
/** A clip longer than this is not a replay; a VOD export is the tool for it. */
export const MAX_CLIP_MS = 120_000;
/** How far back "last N seconds" may reach. */
export const MAX_LAST_SECONDS = 60;
/** ISO segments: each a complete file this long (the camera page's MediaRecorder restarts each time). */
export const ISO_SEGMENT_MS = 2000;
/** Segments further apart than this are separate ranges (a camera that dropped and came back). */
export const ISO_GAP_MS = 1000;

/** How long a replay of this clip at this speed runs on program. */
export function replayDurationMs(clip: Pick<ReplayClipRef, 'fromMs' | 'toMs'>, speed: ReplaySpeed): number {
  return (clip.toMs - clip.fromMs) / speed;
}

/**
 * The state at server time `now` with a finished replay's automatic return applied: program back on the
 * live source with the replay transition starting at endsAt. Renderers draw this (so every output leaves
 * the replay on the same frame whether or not the controller's replay.end has arrived); the reducer applies
 * it before every command, so the stored state becomes exactly what was drawn.
 */
export function settleReplay(state: ProgramState, now: number): ProgramState {
  const replay = state.replay;
  if (replay === undefined || replay === null || replay.stay || replay.returnTo === null) return state;
  if (now < replay.endsAt || state.program !== REPLAY_SOURCE_ID) return state;
  return {
    ...state,
    program: replay.returnTo,
    take: {
      from: REPLAY_SOURCE_ID,
      to: replay.returnTo,
      transition: REPLAY_TRANSITION,
      startedAt: replay.endsAt,
      interrupted: null,
    },
    replay: null,
  };
}

/** The replay's clip position (ms into the clip media) at server time `now`, held at the clip's ends. */
export function replayMediaPositionMs(replay: NonNullable<ProgramState['replay']>, now: number): number {
  const { clip } = replay;
  const played = Math.min(clip.toMs - clip.fromMs, Math.max(0, (now - replay.startedAt) * replay.speed));
  return clip.mediaOffsetMs + played;
}

// ---- ISO recordings ---------------------------------------------------------------------------------

/** One uploaded ISO segment: a complete media file of one camera between two server times. */
export const IsoSegmentSchema = Type.Object(
  {
    camera: SourceIdSchema,
    seq: Type.Integer({ minimum: 1 }),
    startMs: ServerTimeSchema,
    endMs: ServerTimeSchema,
    bytes: Type.Integer({ minimum: 1 }),
    /** File name inside the camera's ISO directory. */
    file: Type.String({ minLength: 1, maxLength: 128 }),
    mime: Type.String({ maxLength: 128 }),
  },
  { additionalProperties: false },
);
export type IsoSegment = Static<typeof IsoSegmentSchema>;

/** A stretch of one camera's ISO recording without gaps. */
export const IsoRangeSchema = Type.Object(
  {
    camera: SourceIdSchema,
    fromMs: ServerTimeSchema,
    toMs: ServerTimeSchema,
    segments: Type.Integer({ minimum: 1 }),
    bytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type IsoRange = Static<typeof IsoRangeSchema>;

export const IsoListResponseSchema = Type.Object(
  { ranges: Type.Array(IsoRangeSchema), segmentMs: Type.Integer() },
  { additionalProperties: false },
);
export type IsoListResponse = Static<typeof IsoListResponseSchema>;

/** Query of an ISO segment upload: its server-time span as the camera page measured it. */
export const IsoUploadQuerySchema = Type.Object(
  { startMs: ServerTimeSchema, endMs: ServerTimeSchema },
  { additionalProperties: false },
);
export type IsoUploadQuery = Static<typeof IsoUploadQuerySchema>;

/** Merges a camera's segments (sorted by start) into gap-free ranges. */
export function isoRanges(camera: string, segments: readonly IsoSegment[]): IsoRange[] {
  const ranges: IsoRange[] = [];
  for (const segment of segments) {
    const last = ranges.at(-1);
    if (last !== undefined && segment.startMs <= last.toMs + ISO_GAP_MS) {
      last.toMs = Math.max(last.toMs, segment.endMs);
      last.segments += 1;
      last.bytes += segment.bytes;
    } else {
      ranges.push({ camera, fromMs: segment.startMs, toMs: segment.endMs, segments: 1, bytes: segment.bytes });
    }
  }
  return ranges;
}

// ---- Replay clips ------------------------------------------------------------------------------------

/**
 * How long after a clip's out point its ISO segments may still arrive (a camera uploads a segment once it is
 * complete, and later on a busy phone or machine): a pending clip settles for what arrived then.
 * REPLAY_ISO_WAIT_MS sets another.
 */
export const DEFAULT_REPLAY_ISO_WAIT_MS = 25_000;

/**
 * Where a clip's ISO stands. `pending`: segments of its range are still on their way (it holds the range it
 * asked for, no media yet; it cannot be played). `ready`: all of its range arrived. `partial`: the wait ended
 * with part of it, and the clip is what arrived. `failed`: the wait ended with less than a clip's worth.
 */
export const REPLAY_CLIP_STATUSES = ['pending', 'ready', 'partial', 'failed'] as const;
export const ReplayClipStatusSchema = Type.Union(REPLAY_CLIP_STATUSES.map((s) => Type.Literal(s)));
export type ReplayClipStatus = Static<typeof ReplayClipStatusSchema>;

export const ReplayClipSchema = Type.Object(
  {
    id: Type.String(),
    source: SourceIdSchema,
    status: ReplayClipStatusSchema,
    /** Server time by which a pending clip settles at the latest (null once settled). */
    waitUntil: Type.Union([ServerTimeSchema, Type.Null()]),
    fromMs: ServerTimeSchema,
    toMs: ServerTimeSchema,
    durationMs: Type.Number(),
    createdAt: ServerTimeSchema,
    /** Where the in point sits in the clip media. */
    mediaOffsetMs: Type.Number({ minimum: 0 }),
    /** The clip's picture at its in point (JPEG), with the caller's key appended by pages; null without media. */
    thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
    /** null while pending (or failed): there is no media to play yet. */
    mediaUrl: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type ReplayClip = Static<typeof ReplayClipSchema>;

/** `{source, lastSeconds}` (ends now) or `{source, fromMs, toMs}` (server ms); one form, not both. */
export const CreateClipRequestSchema = Type.Object(
  {
    source: SourceIdSchema,
    lastSeconds: Type.Optional(Type.Number({ minimum: MIN_CLIP_MS / 1000, maximum: MAX_LAST_SECONDS })),
    fromMs: Type.Optional(ServerTimeSchema),
    toMs: Type.Optional(ServerTimeSchema),
  },
  { additionalProperties: false },
);
export type CreateClipRequest = Static<typeof CreateClipRequestSchema>;

/** Nudge in and/or out (absolute server times, or deltas in ms). */
export const UpdateClipRequestSchema = Type.Object(
  {
    fromMs: Type.Optional(ServerTimeSchema),
    toMs: Type.Optional(ServerTimeSchema),
    inDeltaMs: Type.Optional(Type.Integer({ minimum: -MAX_CLIP_MS, maximum: MAX_CLIP_MS })),
    outDeltaMs: Type.Optional(Type.Integer({ minimum: -MAX_CLIP_MS, maximum: MAX_CLIP_MS })),
  },
  { additionalProperties: false },
);
export type UpdateClipRequest = Static<typeof UpdateClipRequestSchema>;

export const PlayReplayRequestSchema = Type.Object(
  {
    clip: Type.String({ minLength: 1, maxLength: 40 }),
    speed: ReplaySpeedSchema,
    /** Go back to the live source at the end (default true); false stays on the last frame. */
    return: Type.Optional(Type.Boolean()),
    audio: Type.Optional(ReplayAudioSchema),
  },
  { additionalProperties: false },
);
export type PlayReplayRequest = Static<typeof PlayReplayRequestSchema>;

export const ClipResponseSchema = Type.Object({ clip: ReplayClipSchema }, { additionalProperties: false });
export const ClipListResponseSchema = Type.Object(
  { clips: Type.Array(ReplayClipSchema) },
  { additionalProperties: false },
);

// ---- Clip export (controller → worker) -----------------------------------------------------------------

/** A clip's ISO segments in order: absolute paths on the shared data dir, with their server-time starts. */
const ExportSegmentsSchema = Type.Array(
  Type.Object({ path: Type.String({ pattern: '^/' }), startMs: ServerTimeSchema }, { additionalProperties: false }),
  { minItems: 1, maxItems: 1000 },
);

/** A replay clip encoded to MP4 from the ISO segments it spans, trimmed to its in and out points. */
export const ClipExportJobSchema = Type.Object(
  {
    eventId: EventIdSchema,
    clipId: Type.String({ pattern: '^[a-z0-9]{1,40}$' }),
    segments: ExportSegmentsSchema,
    fromMs: ServerTimeSchema,
    toMs: ServerTimeSchema,
    /** The MP4 to write (absolute). */
    out: Type.String({ pattern: '^/' }),
  },
  { additionalProperties: false },
);
export type ClipExportJob = Static<typeof ClipExportJobSchema>;

export const ClipExportStatusSchema = Type.Object(
  {
    jobId: Type.String(),
    state: Type.Union(['queued', 'running', 'completed', 'failed'].map((s) => Type.Literal(s))),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    /** Set once completed. */
    url: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Union([Type.Number(), Type.Null()]),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ClipExportStatus = Static<typeof ClipExportStatusSchema>;

// ---- Highlight reels (controller → worker) -------------------------------------------------------------

/** Clips in one reel at most (a reel is a highlights package, not a VOD). */
export const MAX_REEL_CLIPS = 50;
/** The longest transition between two clips of a reel. */
export const MAX_REEL_TRANSITION_MS = 2000;
/** The queue job name of a reel (the clip export queue runs clip and reel exports, one at a time). */
export const REEL_EXPORT_JOB = 'reel-export';

/**
 * Between two clips of a reel: a cut, a mix (dissolve), a dip through black, or a wipe from the left (the
 * program's vocabulary; a dip's colour is black in a reel).
 */
export const ReelTransitionSchema = Type.Object(
  {
    type: TransitionTypeSchema,
    durationMs: Type.Integer({ minimum: 0, maximum: MAX_REEL_TRANSITION_MS }),
  },
  { additionalProperties: false },
);
export type ReelTransition = Static<typeof ReelTransitionSchema>;
/** A reel without a transition given dissolves between its clips for half a second. */
export const DEFAULT_REEL_TRANSITION: ReelTransition = { type: 'mix', durationMs: 500 };

export const CreateReelRequestSchema = Type.Object(
  {
    /** Clip ids in the order they play (a clip may appear twice). */
    clips: Type.Array(Type.String({ pattern: '^[a-z0-9]{1,40}$' }), { minItems: 1, maxItems: MAX_REEL_CLIPS }),
    transition: Type.Optional(ReelTransitionSchema),
  },
  { additionalProperties: false },
);
export type CreateReelRequest = Static<typeof CreateReelRequestSchema>;

const ClipMediaSchema = Type.Object(
  {
    clipId: Type.String({ pattern: '^[a-z0-9]{1,40}$' }),
    segments: ExportSegmentsSchema,
    fromMs: ServerTimeSchema,
    toMs: ServerTimeSchema,
  },
  { additionalProperties: false },
);

/** The clips of a reel, each cut from its ISO segments, joined by the transition, encoded to one MP4. */
export const ReelExportJobSchema = Type.Object(
  {
    eventId: EventIdSchema,
    reelId: Type.String({ pattern: '^[a-z0-9]{1,40}$' }),
    clips: Type.Array(ClipMediaSchema, { minItems: 1, maxItems: MAX_REEL_CLIPS }),
    transition: ReelTransitionSchema,
    /** The MP4 to write (absolute). */
    out: Type.String({ pattern: '^/' }),
  },
  { additionalProperties: false },
);
export type ReelExportJob = Static<typeof ReelExportJobSchema>;

/** A reel export's state: the clip export's fields, with the reel's id and its clips in order. */
export const ReelExportStatusSchema = Type.Object(
  {
    reelId: Type.String(),
    clips: Type.Array(Type.String()),
    transition: ReelTransitionSchema,
    ...ClipExportStatusSchema.properties,
  },
  { additionalProperties: false },
);
export type ReelExportStatus = Static<typeof ReelExportStatusSchema>;

/** The length of a reel: its clips end to end, less one transition per join (each overlaps two clips). */
export function reelDurationMs(clipMs: readonly number[], transition: ReelTransition): number {
  const overlap = transition.type === 'cut' ? 0 : transition.durationMs;
  return clipMs.reduce((sum, ms) => sum + ms, 0) - overlap * Math.max(0, clipMs.length - 1);
}
