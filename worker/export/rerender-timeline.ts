// The program's timeline for a re-render, in output frames: which source is on air over which frames and
// how each take's transition blends two pictures, drawn from the switch log the way the template draws a
// take (protocol/reducer's TakeState, template/scene/picture-layers.ts), then each source resolved to what
// shows it: a camera's ISO segments (placed by their server-time stamps), a test source's colour and tone,
// or the slate where a camera has no ISO. Pure: the ffmpeg graph is built from this (rerender-graph.ts).
import {
  CAMERA_SLATE_COLOUR,
  ISO_GAP_MS,
  REPLAY_SOURCE_ID,
  testSourceColour,
  testSourceNumber,
  testSourceToneHz,
  type ReplayState,
  type SwitchLogEntry,
  type Transition,
  type WipeFrom,
} from '../../protocol/index.ts';

/**
 * What one layer shows: a source, the plain colour a dip passes through, or a replay (its camera's ISO from
 * the clip's in point at its speed, as the switch log recorded it).
 */
export type Layer = { source: string | null } | { colour: string } | { replay: ReplayState };

/** ffmpeg xfade transitions: a mix is a fade, a wipe reveals the new picture from the side it names. */
export type Blend = 'fade' | 'wiperight' | 'wipeleft' | 'wipedown' | 'wipeup';

/** Our wipe reveals the incoming source from `from`; xfade's wipeleft reveals it from the right edge. */
export const WIPE_BLEND: Record<WipeFrom, Blend> = {
  left: 'wiperight',
  right: 'wipeleft',
  top: 'wipedown',
  bottom: 'wipeup',
};

/** Frames [from, to) of the output. */
export type ProgramSpan =
  | { kind: 'plain'; from: number; to: number; layer: Layer }
  | { kind: 'transition'; from: number; to: number; out: Layer; in: Layer; blend: Blend };

export interface FrameClock {
  /** Server time (ms) of output frame 0. */
  t0: number;
  fps: number;
}

/** Output frame showing server time `ms` (the frame whose time is the first at or after it). */
export function frameAt(clock: FrameClock, ms: number): number {
  return Math.ceil(((ms - clock.t0) * clock.fps) / 1000 - 1e-9);
}

/** Server time (ms) of output frame n. */
export function frameTime(clock: FrameClock, n: number): number {
  return clock.t0 + (n * 1000) / clock.fps;
}

function transitionSpans(from: number, to: number, out: Layer, into: Layer, t: Transition): ProgramSpan[] {
  switch (t.type) {
    case 'cut':
      return [];
    case 'mix':
      return [{ kind: 'transition', from, to, out, in: into, blend: 'fade' }];
    case 'wipe':
      return [{ kind: 'transition', from, to, out, in: into, blend: WIPE_BLEND[t.from] }];
    case 'dip': {
      // First half into the colour, second half out of it (picture-layers.ts).
      const half = from + Math.floor((to - from) / 2);
      const colour = { colour: t.colour };
      return [
        { kind: 'transition', from, to: half, out, in: colour, blend: 'fade' },
        { kind: 'transition', from: half, to, out: colour, in: into, blend: 'fade' },
      ].filter((s) => s.to > s.from) as ProgramSpan[];
    }
  }
}

/**
 * The program over `frames` output frames from the switch log. A take interrupted by the next one has its
 * transition cut short there (the template blends from the frozen mix; here the next take starts from
 * the outgoing source: a difference of at most one transition's length, only when takes overlap).
 */
export function programSpans(entries: readonly SwitchLogEntry[], clock: FrameClock, frames: number): ProgramSpan[] {
  const sorted = [...entries].sort((a, b) => a.time - b.time);
  const onAir = sorted.filter((e) => frameAt(clock, e.time) <= 0).at(-1);
  const inside = sorted.filter((e) => {
    const f = frameAt(clock, e.time);
    return f > 0 && f < frames;
  });
  // Two takes on one frame: the later one is what the frame shows.
  const takes = inside.filter((e, i) => frameAt(clock, e.time) !== frameAt(clock, inside[i + 1]?.time ?? -1));
  const layerOf = (e: SwitchLogEntry): Layer =>
    e.source === REPLAY_SOURCE_ID && e.replay !== undefined ? { replay: e.replay } : { source: e.source };
  let current: Layer = onAir !== undefined ? layerOf(onAir) : { source: takes[0]?.from ?? null };
  let at = 0;
  const spans: ProgramSpan[] = [];
  const plain = (from: number, to: number, layer: Layer) => {
    if (to > from) spans.push({ kind: 'plain', from, to, layer });
  };
  takes.forEach((take, i) => {
    const start = frameAt(clock, take.time);
    const end = i + 1 < takes.length ? frameAt(clock, takes[i + 1]!.time) : frames;
    plain(at, start, current);
    const length = Math.min(end - start, Math.round((take.transition.durationMs * clock.fps) / 1000));
    const next = layerOf(take);
    const blended = transitionSpans(start, start + length, current, next, take.transition);
    spans.push(...blended);
    at = blended.length > 0 ? start + length : start;
    current = next;
  });
  plain(at, frames, current);
  return spans;
}

/** One ISO segment as the re-render places it: its file and the server time its first frame shows. */
export interface IsoPiece {
  file: string;
  startMs: number;
  endMs: number;
}

/** What draws a run of frames of one layer. */
export type SubPiece =
  | {
      kind: 'iso';
      file: string;
      /** First frame inside the segment, counted at the output's rate on the segment played at `speed`. */
      mediaFrame: number;
      frames: number;
      /** 1 live; a replay's 0.5 or 0.25 shows each frame two or four times. */
      speed: number;
      /** The segment's own sound (a replay keeps its clip's sound out). */
      sound: boolean;
      /** Hold the one frame at mediaFrame (a replay that stays on its last frame). */
      freeze: boolean;
    }
  | { kind: 'colour'; colour: string; toneHz: number | null; frames: number; slate: boolean };

export interface SourceMedia {
  /** The camera's ISO segments in start order, or undefined when the source is not a camera with ISO. */
  iso(source: string): readonly IsoPiece[] | undefined;
  isTestSource(source: string): boolean;
}

/**
 * Each segment covers from its start to the next one's start when they are at most ISO_GAP_MS apart (the
 * page starts the next recorder before the last one stops, so they overlap a little, and a short gap is
 * held on the last frame rather than flashed to the slate); after a longer gap, to its own end.
 */
export function isoCoverage(segments: readonly IsoPiece[]): IsoPiece[] {
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  return sorted.map((s, i) => {
    const next = sorted[i + 1];
    const endMs = next !== undefined && next.startMs <= s.endMs + ISO_GAP_MS ? next.startMs : s.endMs;
    return { ...s, endMs };
  });
}

/** How a run of output frames reads a camera's ISO: live (server time = ISO time) or a replay's mapping. */
interface IsoClock {
  speed: number;
  /** Server time the output shows ISO time `isoMs` at, and the inverse. */
  outAt(isoMs: number): number;
  isoAt(outMs: number): number;
  sound: boolean;
}

const LIVE: IsoClock = { speed: 1, outAt: (ms) => ms, isoAt: (ms) => ms, sound: true };

/** The frames [from, to) of a layer as ISO pieces, colours and slates, in order and without gaps. */
export function layerPieces(layer: Layer, from: number, to: number, clock: FrameClock, media: SourceMedia): SubPiece[] {
  if ('colour' in layer)
    return [{ kind: 'colour', colour: layer.colour, toneHz: null, frames: to - from, slate: false }];
  if ('replay' in layer) return replayPieces(layer.replay, from, to, clock, media);
  const source = layer.source;
  if (source !== null && media.isTestSource(source)) {
    const n = testSourceNumber(source);
    if (n !== null)
      return [
        { kind: 'colour', colour: testSourceColour(n), toneHz: testSourceToneHz(n), frames: to - from, slate: false },
      ];
  }
  return isoPieces(source === null ? [] : (media.iso(source) ?? []), from, to, clock, LIVE);
}

/**
 * A replay as every renderer plays it (protocol/replay.ts): the clip's in point at `startedAt`, then ISO time
 * advancing at `speed` to the out point, whose frame holds after `endsAt` (until the return take). Its own
 * sound stays out, as on air.
 */
function replayPieces(
  replay: ReplayState,
  from: number,
  to: number,
  clock: FrameClock,
  media: SourceMedia,
): SubPiece[] {
  const { clip, speed, startedAt } = replay;
  const iso = media.iso(clip.source) ?? [];
  const replayClock: IsoClock = {
    speed,
    outAt: (isoMs) => startedAt + (isoMs - clip.fromMs) / speed,
    isoAt: (outMs) => clip.fromMs + (outMs - startedAt) * speed,
    sound: false,
  };
  const end = Math.max(from, Math.min(to, frameAt(clock, replay.endsAt)));
  const playing = isoPieces(
    iso.filter((s) => s.startMs < clip.toMs),
    from,
    end,
    clock,
    replayClock,
  );
  if (end >= to) return playing;
  // After the out point: its last frame, held.
  const lastMs = clip.toMs - 1000 / clock.fps;
  const last = iso.find((s) => s.startMs <= lastMs && lastMs < s.endMs);
  const hold: SubPiece =
    last === undefined
      ? { kind: 'colour', colour: CAMERA_SLATE_COLOUR, toneHz: null, frames: to - end, slate: true }
      : {
          kind: 'iso',
          file: last.file,
          mediaFrame: Math.max(0, Math.round(((lastMs - last.startMs) * clock.fps) / 1000)),
          frames: to - end,
          speed: 1,
          sound: false,
          freeze: true,
        };
  return [...playing, hold];
}

function isoPieces(iso: readonly IsoPiece[], from: number, to: number, clock: FrameClock, map: IsoClock): SubPiece[] {
  const pieces: SubPiece[] = [];
  const slate = (frames: number) => {
    if (frames > 0) pieces.push({ kind: 'colour', colour: CAMERA_SLATE_COLOUR, toneHz: null, frames, slate: true });
  };
  let at = from;
  for (const segment of iso) {
    const a = Math.max(at, frameAt(clock, map.outAt(segment.startMs)));
    const b = Math.min(to, frameAt(clock, map.outAt(segment.endMs)));
    if (b <= a) continue;
    slate(a - at);
    const mediaMs = (map.isoAt(frameTime(clock, a)) - segment.startMs) / map.speed;
    const mediaFrame = Math.max(0, Math.round((mediaMs * clock.fps) / 1000));
    pieces.push({
      kind: 'iso',
      file: segment.file,
      mediaFrame,
      frames: b - a,
      speed: map.speed,
      sound: map.sound,
      freeze: false,
    });
    at = b;
  }
  slate(to - at);
  return pieces;
}

/**
 * Spans cut into chunks of about `chunkFrames` (each rendered by one ffmpeg, so a long show never opens
 * thousands of files at once). A chunk ends between spans or inside a plain span, never inside a
 * transition.
 */
export function chunkSpans(spans: readonly ProgramSpan[], chunkFrames: number): ProgramSpan[][] {
  const chunks: ProgramSpan[][] = [];
  let chunk: ProgramSpan[] = [];
  let chunkStart = 0;
  const close = (end: number) => {
    if (chunk.length > 0) chunks.push(chunk);
    chunk = [];
    chunkStart = end;
  };
  for (const span of spans) {
    if (span.kind === 'transition') {
      chunk.push(span);
      if (span.to - chunkStart >= chunkFrames) close(span.to);
      continue;
    }
    let from = span.from;
    while (span.to - chunkStart >= chunkFrames && chunkStart + chunkFrames > from) {
      const cut = chunkStart + chunkFrames;
      chunk.push({ ...span, from, to: cut });
      from = cut;
      close(cut);
    }
    if (span.to > from) chunk.push({ ...span, from });
    if (span.to - chunkStart >= chunkFrames) close(span.to);
  }
  close(0);
  return chunks;
}
