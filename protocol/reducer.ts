// The only code that changes program state. Pure: no I/O, no clock reads (the server time comes in with
// the context), so the controller, tests and any replay get the same result from the same input.
import type { Command, CommandOf } from './commands.ts';
import { clockValueMs, cornerRect, isInstant, isPending, takeProgress } from './timing.ts';
import { REPLAY_CUE_MS, REPLAY_TRANSITION, replayDurationMs, settleReplay } from './replay.ts';
import type { ProgramState, Source, SourceId, Team, TeamSide, Transition, TransitionPatch } from './state.ts';
import {
  audioSourceSettings,
  defaultAudioState,
  type AudioMaster,
  type AudioSourceSettings,
  type AudioState,
} from './audio.ts';
import { reduceFeed, takeBackByHand } from './feed-reducer.ts';
import { settleSponsors } from './sponsor-rotation.ts';
import type { SponsorState } from './sponsors.ts';
import { reduceOGraf, type OGrafErrorCode } from './ograf-reducer.ts';
import type { OGrafCatalog } from './ograf.ts';
import { hasPicture, MAX_CLOCK_MS, MAX_SCHEDULE_AHEAD_MS, MAX_SOURCES, REPLAY_SOURCE_ID } from './state.ts';

export type CommandErrorCode =
  | 'STALE_REVISION'
  | 'UNKNOWN_SOURCE'
  | 'DUPLICATE_SOURCE'
  | 'TOO_MANY_SOURCES'
  | 'SOURCE_ON_AIR'
  | 'NO_PREVIEW'
  | 'NO_PIP_SOURCE'
  | 'SCHEDULE_OUT_OF_RANGE'
  | 'NOTHING_SCHEDULED'
  | 'RESERVED_SOURCE'
  | 'NO_REPLAY'
  | 'SOUND_ONLY'
  | 'TOO_MANY_FIELDS'
  | 'DUPLICATE_SPONSOR'
  | 'NO_SPONSORS'
  | OGrafErrorCode;

export interface CommandError {
  code: CommandErrorCode;
  message: string;
  /** The command field the error is about, so a client can point at it. */
  field?: string;
}

export interface ApplyContext {
  /** Server time of the command, ms since the epoch. */
  now: number;
  /** The event's stored OGraf graphics, for ograf.load and ograf.update (resolved by the controller). */
  ograf?: OGrafCatalog;
}

export type ApplyResult =
  | { ok: true; state: ProgramState; changed: boolean }
  | { ok: false; state: ProgramState; changed: false; error: CommandError };

class Rejection extends Error {
  constructor(readonly detail: CommandError) {
    super(detail.message);
  }
}

function reject(code: CommandErrorCode, message: string, field?: string): never {
  throw new Rejection(field === undefined ? { code, message } : { code, message, field });
}

/**
 * Apply one command. Returns the next state with `revision` + 1 when anything changed, the same state
 * object when nothing did, or a rejection (state untouched) for a stale `ifRevision` or a command that
 * names what does not exist.
 */
export function apply(state: ProgramState, command: Command, context: ApplyContext): ApplyResult {
  if (command.ifRevision !== undefined && command.ifRevision !== state.revision) {
    return {
      ok: false,
      state,
      changed: false,
      error: {
        code: 'STALE_REVISION',
        message: `The state is at revision ${state.revision}, not ${command.ifRevision}: reload and try again.`,
        field: 'ifRevision',
      },
    };
  }
  let next: ProgramState;
  try {
    // A replay that has ended is settled first (program back on the live source at its end), so every
    // command acts on what is on screen, and the stored state becomes what the renderers drew.
    next = takeBackByHand(reduce(settleReplay(state, context.now), command, context), command);
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, state, changed: false, error: error.detail };
    throw error;
  }
  const { revision: _r, updatedAt: _u, ...before } = state;
  const { revision: _r2, updatedAt: _u2, ...after } = next;
  if (JSON.stringify(before) === JSON.stringify(after)) return { ok: true, state, changed: false };
  // The sponsor rotation is re-based on every change (its airtime credited on the state as it was).
  const settled = settleSponsors(state, next, context.now);
  return { ok: true, state: { ...settled, revision: state.revision + 1, updatedAt: context.now }, changed: true };
}

function reduce(state: ProgramState, command: Command, context: ApplyContext): ProgramState {
  const { now } = context;
  switch (command.type) {
    case 'program.take': {
      if (command.source === REPLAY_SOURCE_ID)
        reject('UNKNOWN_SOURCE', 'A replay goes on program through replay.play, with its clip.', 'source');
      const base = withoutPending(state, now);
      const transition = mergeTransition(state.transition, command.transition);
      const at = startTime(command.at, now);
      return take(base, command.source, transition, at, base.preview, schedule(base, at, now));
    }
    case 'program.preview':
      requirePictureSource(state, command.source, 'source');
      return { ...state, preview: command.source };
    case 'program.auto':
    case 'program.cut': {
      // A second AUTO while one is scheduled replaces it: the desk is read as it was before that one.
      const base = withoutPending(state, now);
      if (base.preview === null) reject('NO_PREVIEW', 'There is no preview source to take.');
      const transition: Transition =
        command.type === 'program.cut' ? { ...state.transition, type: 'cut' } : state.transition;
      const at = startTime(command.at, now);
      return take(base, base.preview, transition, at, base.program ?? base.preview, schedule(base, at, now));
    }
    case 'program.cancel':
      if (!isPending(state.take, now)) reject('NOTHING_SCHEDULED', 'There is no scheduled take to cancel.');
      return withoutPending(state, now);
    case 'transition.set':
      return { ...state, transition: mergeTransition(state.transition, command.transition) };
    case 'source.add':
      return addSource(state, command.source);
    case 'source.update':
      requireSource(state, command.id, 'id');
      return {
        ...state,
        sources: state.sources.map((s) => (s.id === command.id ? { ...s, label: command.label } : s)),
      };
    case 'source.remove':
      return removeSource(state, command.id);
    case 'pip.set':
      return setPip(state, command);
    case 'pip.show':
      if (state.pip.source === null) reject('NO_PIP_SOURCE', 'Choose a PiP source before showing PiP.', 'source');
      return { ...state, pip: { ...state.pip, visible: true } };
    case 'pip.hide':
      return { ...state, pip: { ...state.pip, visible: false } };
    case 'layout.set':
      return { ...state, layout: command.layout };
    case 'scorebug.set':
      return {
        ...state,
        scorebug: {
          ...state.scorebug,
          home: { ...state.scorebug.home, ...command.home },
          away: { ...state.scorebug.away, ...command.away },
          ...(command.period === undefined ? {} : { period: command.period }),
          ...(command.visible === undefined ? {} : { visible: command.visible }),
        },
      };
    case 'score.adjust':
      return setScore(state, command.team, state.scorebug[command.team].score + command.delta);
    case 'score.set':
      return setScore(state, command.team, command.score);
    case 'clock.start':
      if (state.clock.running) return state;
      return { ...state, clock: { ...state.clock, running: true, startedAt: now } };
    case 'clock.stop':
      if (!state.clock.running) return state;
      return {
        ...state,
        clock: { ...state.clock, running: false, startedAt: null, baseMs: clockValueMs(state.clock, now) },
      };
    case 'clock.set':
      return setClockValue(state, command.valueMs, now);
    case 'clock.adjust':
      return setClockValue(state, clockValueMs(state.clock, now) + command.deltaMs, now);
    case 'clock.configure': {
      // Re-base first, so that changing the direction of a running clock keeps the value on screen.
      const rebased = setClockValue(state, clockValueMs(state.clock, now), now).clock;
      return {
        ...state,
        clock: {
          ...rebased,
          ...(command.direction === undefined ? {} : { direction: command.direction }),
          ...(command.limitMs === undefined ? {} : { limitMs: command.limitMs }),
          ...(command.visible === undefined ? {} : { visible: command.visible }),
        },
      };
    }
    case 'lowerThird.show':
      return { ...state, lowerThird: { ...lowerThirdText(state, command), visible: true } };
    case 'lowerThird.update':
      return { ...state, lowerThird: { ...lowerThirdText(state, command), visible: state.lowerThird.visible } };
    case 'lowerThird.hide':
      return { ...state, lowerThird: { ...state.lowerThird, visible: false } };
    case 'replay.play':
      return playReplay(state, command, now);
    case 'replay.stop': {
      const replay = state.replay;
      if (replay === undefined || replay === null) reject('NO_REPLAY', 'No replay is on program.');
      if (replay.returnTo === null)
        reject('NO_REPLAY', 'The source that was live before the replay is gone: take a source instead.');
      return take(state, replay.returnTo, REPLAY_TRANSITION, now, state.preview, null);
    }
    case 'replay.end':
      return state; // the settle above is the whole of it
    case 'replay.cue':
      return { ...state, replayCue: command.clip };
    case 'iso.arm':
      return { ...state, isoArmed: command.armed, isoChangedAt: now };
    case 'audio.source':
      return setAudioSource(state, command);
    case 'audio.master':
      return setAudioMaster(state, command);
    case 'sponsors.set':
      return setSponsors(state, command);
    case 'sponsors.rotation':
      if (command.on && (state.sponsors?.sponsors.length ?? 0) === 0)
        reject('NO_SPONSORS', 'Add a sponsor before turning the rotation on.', 'on');
      return state.sponsors === undefined ? state : { ...state, sponsors: { ...state.sponsors, on: command.on } };
    case 'feed.update':
    case 'feed.stale':
    case 'feed.override':
    case 'feed.release':
    case 'feed.configure': {
      const result = reduceFeed(state, command, now);
      if (!result.ok) reject('TOO_MANY_FIELDS', result.message, result.field);
      return result.state;
    }
    case 'ograf.load':
    case 'ograf.play':
    case 'ograf.update':
    case 'ograf.stop':
    case 'ograf.clear':
    case 'ograf.fail': {
      const result = reduceOGraf(state, command, now, context.ograf);
      if (!result.ok) reject(result.code, result.message, result.field);
      return result.state;
    }
  }
}

/**
 * Settings are kept for a source that left (it comes back as it was), so the map could grow with every
 * camera that ever joined: past this many entries, those of sources no longer in the event are dropped,
 * oldest first.
 */
export const AUDIO_REMEMBERED_SOURCES = MAX_SOURCES * 4;

function setAudioSource(state: ProgramState, command: CommandOf<'audio.source'>): ProgramState {
  const { type: _t, ifRevision: _i, source: id, ...patch } = command;
  // Only sources in the event: an id with a typo would otherwise be stored and silently do nothing.
  const source = requireSource(state, id, 'source');
  const audio = state.audio ?? defaultAudioState();
  const current = audioSourceSettings(audio, source);
  const next: AudioSourceSettings = { ...current, ...given(patch) };
  if (JSON.stringify(next) === JSON.stringify(current)) return state;
  const sources = { ...audio.sources };
  delete sources[id]; // re-inserted last: the map's order is the order settings were last touched
  sources[id] = next;
  const present = new Set(state.sources.map((s) => s.id));
  const stale = Object.keys(sources).filter((key) => !present.has(key));
  for (const key of stale.slice(0, Math.max(0, Object.keys(sources).length - AUDIO_REMEMBERED_SOURCES)))
    delete sources[key];
  return { ...state, audio: { ...audio, sources } };
}

function setAudioMaster(state: ProgramState, command: CommandOf<'audio.master'>): ProgramState {
  const audio: AudioState = state.audio ?? defaultAudioState();
  const { master } = audio;
  const next: AudioMaster = {
    gainDb: command.gainDb ?? master.gainDb,
    muted: command.muted ?? master.muted,
    limiter: { ...master.limiter, ...given(command.limiter) },
    loudness: { ...master.loudness, ...given(command.loudness) },
    duck: { ...master.duck, ...given(command.duck) },
  };
  // Left out of a master that never had it (off), so an event that never turns it on stores what it did.
  const international = command.international ?? master.international;
  if (international !== undefined) next.international = international;
  // A state stored before the mixer existed gains no `audio` (and no revision) from a no-op.
  if (JSON.stringify(next) === JSON.stringify(master)) return state;
  return { ...state, audio: { ...audio, master: next } };
}

/** A patch's given fields: a field present as undefined (from a TypeScript caller) changes nothing. */
function given<T extends object>(patch: T | undefined): Partial<T> {
  if (patch === undefined) return {};
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function setSponsors(state: ProgramState, command: CommandOf<'sponsors.set'>): ProgramState {
  const seen = new Set<string>();
  command.sponsors.forEach((sponsor, i) => {
    if (seen.has(sponsor.id))
      reject('DUPLICATE_SPONSOR', `Two sponsors have the id "${sponsor.id}".`, `sponsors/${i}/id`);
    seen.add(sponsor.id);
  });
  // Progress and credit are the last step's (settleSponsors): here only what the producer set.
  const current: SponsorState = state.sponsors ?? {
    on: false,
    sponsors: [],
    progress: { at: 0, play: 0, break: 0 },
    credited: [],
    goalAt: null,
  };
  // An empty list takes the rotation off the air: there is nothing left to rotate.
  return { ...state, sponsors: { ...current, sponsors: command.sponsors, on: current.on && seen.size > 0 } };
}

function playReplay(state: ProgramState, command: CommandOf<'replay.play'>, now: number): ProgramState {
  const { clip, speed } = command;
  if (clip.toMs <= clip.fromMs) reject('NO_REPLAY', 'The clip ends before it starts.', 'clip');
  // A replay over a replay returns to the live source the first one left.
  const returnTo = state.program === REPLAY_SOURCE_ID ? (state.replay?.returnTo ?? null) : state.program;
  const transition = { ...REPLAY_TRANSITION, ...command.transition };
  // Cued: the wipe starts once every renderer has had time to load the clip (a scheduled take, so the live
  // picture stays until then and a cancel withdraws it).
  const startedAt = now + REPLAY_CUE_MS;
  const next = take(
    { ...state, program: state.program === REPLAY_SOURCE_ID ? null : state.program },
    REPLAY_SOURCE_ID,
    transition,
    startedAt,
    state.preview,
    { previewBefore: state.preview },
  );
  return {
    ...next,
    // A replay over a replay cuts from the picture on screen (the old clip), not from nothing.
    take: next.take === null ? null : { ...next.take, from: state.program },
    replay: {
      clip,
      speed,
      startedAt,
      endsAt: startedAt + replayDurationMs(clip, speed),
      returnTo,
      stay: command.return === false,
      audio: command.audio ?? 'duck',
    },
  };
}

function requireSource(state: ProgramState, id: SourceId, field: string): Source {
  const source = state.sources.find((s) => s.id === id);
  if (source === undefined) reject('UNKNOWN_SOURCE', `There is no source "${id}".`, field);
  return source;
}

/** A source that can be seen: program, preview and PiP never hold a sound-only one (a commentary seat). */
function requirePictureSource(state: ProgramState, id: SourceId, field: string): Source {
  const source = requireSource(state, id, field);
  if (!hasPicture(source))
    reject('SOUND_ONLY', `"${source.label}" is sound only: it is in the mix, never on screen.`, field);
  return source;
}

function mergeTransition(current: Transition, patch: TransitionPatch | undefined): Transition {
  return patch === undefined ? current : { ...current, ...patch };
}

/** The take's start: now, or the scheduled server time, which must lie within the allowed window. */
function startTime(at: number | undefined, now: number): number {
  if (at === undefined) return now;
  if (at < now) reject('SCHEDULE_OUT_OF_RANGE', `"at" (${at}) is in the past; the server time is ${now}.`, 'at');
  if (at > now + MAX_SCHEDULE_AHEAD_MS)
    reject('SCHEDULE_OUT_OF_RANGE', `"at" is more than ${MAX_SCHEDULE_AHEAD_MS / 1000} s ahead.`, 'at');
  return at;
}

/** Undo information for a take that starts later than now. */
function schedule(state: ProgramState, at: number, now: number): { previewBefore: SourceId | null } | null {
  return at > now ? { previewBefore: state.preview } : null;
}

/**
 * The state as if a scheduled take that has not started had never been made: program and preview as they
 * were, and the picture as it is on screen (the transition it would have interrupted, re-timed from its
 * frozen progress, or the old source settled).
 */
function withoutPending(state: ProgramState, now: number): ProgramState {
  const pending = state.take;
  if (!isPending(pending, now)) return state;
  const interrupted = pending.interrupted;
  const restored =
    interrupted !== null
      ? {
          from: interrupted.from,
          to: interrupted.to,
          transition: interrupted.transition,
          // progress was frozen at the scheduled time: the transition started that long before it.
          startedAt: pending.startedAt - interrupted.progress * interrupted.transition.durationMs,
          interrupted: null,
        }
      : pending.from === null
        ? null
        : {
            from: null,
            to: pending.from,
            transition: { ...pending.transition, type: 'cut' as const, durationMs: 0 },
            startedAt: now,
            interrupted: null,
          };
  return {
    ...state,
    program: pending.from,
    preview: pending.scheduled?.previewBefore ?? state.preview,
    take: restored,
    // A replay still cued is withdrawn with its take (a replay over a replay goes back to the first).
    ...(pending.to === REPLAY_SOURCE_ID && pending.from !== REPLAY_SOURCE_ID ? { replay: null } : {}),
  };
}

function take(
  state: ProgramState,
  to: SourceId,
  transition: Transition,
  now: number,
  preview: SourceId | null,
  scheduled: { previewBefore: SourceId | null } | null,
): ProgramState {
  if (to !== REPLAY_SOURCE_ID) requirePictureSource(state, to, 'source');
  // Leaving a replay ends it; the replay never becomes the preview (AUTO puts the old program there).
  const leaving = to !== REPLAY_SOURCE_ID ? { replay: null } : {};
  if (preview === REPLAY_SOURCE_ID) preview = state.replay?.returnTo ?? null;
  const previous = state.take;
  // `now` is the take's start (the scheduled time when there is one): what is on screen then is what the
  // new transition starts from.
  const running = previous !== null && takeProgress(previous, now) < 1;
  if (state.program === to && !running) return { ...state, preview };
  return {
    ...state,
    ...leaving,
    program: to,
    preview,
    take: {
      from: state.program,
      to,
      transition,
      startedAt: now,
      ...(scheduled === null ? {} : { scheduled }),
      interrupted:
        running && !isInstant(transition)
          ? {
              from: previous.from,
              to: previous.to,
              transition: previous.transition,
              progress: takeProgress(previous, now),
            }
          : null,
    },
  };
}

function addSource(state: ProgramState, source: Source): ProgramState {
  if (source.id === REPLAY_SOURCE_ID)
    reject('RESERVED_SOURCE', `"${REPLAY_SOURCE_ID}" is the replay's own id: choose another.`, 'source.id');
  if (state.sources.some((s) => s.id === source.id)) {
    reject('DUPLICATE_SOURCE', `A source "${source.id}" already exists.`, 'source.id');
  }
  if (state.sources.length >= MAX_SOURCES) {
    reject('TOO_MANY_SOURCES', `An event has at most ${MAX_SOURCES} sources.`, 'source');
  }
  return { ...state, sources: [...state.sources, source] };
}

function removeSource(state: ProgramState, id: SourceId): ProgramState {
  requireSource(state, id, 'id');
  if (state.program === id) reject('SOURCE_ON_AIR', `"${id}" is on program: take another source first.`, 'id');
  const pipGone = state.pip.source === id;
  const replay = state.replay;
  return {
    ...state,
    // The replay stays on its last frame when the live source it would return to is gone.
    ...(replay?.returnTo === id ? { replay: { ...replay, returnTo: null } } : {}),
    sources: state.sources.filter((s) => s.id !== id),
    preview: state.preview === id ? null : state.preview,
    pip: pipGone ? { ...state.pip, source: null, visible: false } : state.pip,
  };
}

function setPip(state: ProgramState, command: CommandOf<'pip.set'>): ProgramState {
  if (command.source !== undefined && command.source !== null) requirePictureSource(state, command.source, 'source');
  const pip = { ...state.pip, border: { ...state.pip.border } };
  if (command.source !== undefined) pip.source = command.source;
  if (command.corner !== undefined) {
    pip.corner = command.corner;
    pip.rect = cornerRect(command.corner);
  }
  if (command.rect !== undefined) {
    // Keep the rect inside the frame, so a dragged PiP never hangs off the edge.
    const { w, h } = command.rect;
    pip.rect = { w, h, x: Math.min(command.rect.x, 1 - w), y: Math.min(command.rect.y, 1 - h) };
    pip.corner = null;
  }
  if (command.borderWidth !== undefined) pip.border.width = command.borderWidth;
  if (command.borderColour !== undefined) pip.border.colour = command.borderColour;
  if (command.visible !== undefined) pip.visible = command.visible;
  if (pip.visible && pip.source === null) reject('NO_PIP_SOURCE', 'Choose a PiP source before showing PiP.', 'source');
  return { ...state, pip };
}

const MAX_SCORE = 999;

function setScore(state: ProgramState, side: TeamSide, score: number): ProgramState {
  const team: Team = { ...state.scorebug[side], score: Math.min(MAX_SCORE, Math.max(0, score)) };
  return { ...state, scorebug: { ...state.scorebug, [side]: team } };
}

function setClockValue(state: ProgramState, valueMs: number, now: number): ProgramState {
  const { clock } = state;
  const upper = clock.direction === 'up' && clock.limitMs !== null ? clock.limitMs : MAX_CLOCK_MS;
  const baseMs = Math.round(Math.min(upper, Math.max(0, valueMs)));
  // A running clock keeps running from the new value: re-base it at `now`.
  return { ...state, clock: { ...clock, baseMs, startedAt: clock.running ? now : null } };
}

function lowerThirdText(
  state: ProgramState,
  command: { title?: string | undefined; subtitle?: string | undefined },
): ProgramState['lowerThird'] {
  return {
    ...state.lowerThird,
    ...(command.title === undefined ? {} : { title: command.title }),
    ...(command.subtitle === undefined ? {} : { subtitle: command.subtitle }),
  };
}
