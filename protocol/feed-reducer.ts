// The reducer's part for data feeds (data-feed.ts): a packet sets the fields the feed owns unless the operator
// has taken one back; an operator's own scorebug or clock command takes back the fields it sets. Pure, as the
// reducer is: the server time comes in as `now`.
import type { Command } from './commands.ts';
import type { FeedCommand, FeedUpdate } from './data-feed.ts';
import {
  FEED_TARGETS,
  MAX_FEED_FIELDS,
  type FeedClock,
  type FeedFields,
  type FeedState,
  type FeedTarget,
} from './feed-state.ts';
import type { Clock, ProgramState } from './state.ts';
import { clockValueMs } from './timing.ts';

export const DEFAULT_FEED_STALE_AFTER_MS = 10_000;
/**
 * A feed that sends the same values again only moves `lastPacketAt` once this much later: a scoreboard
 * controller repeating itself ten times a second costs one revision a second, not ten.
 */
export const FEED_HEARTBEAT_MS = 1000;

/** How far `lastPacketAt` may lag the last packet: the heartbeat, or a quarter of a short staleness. */
export function feedHeartbeatMs(staleAfterMs: number): number {
  return Math.min(FEED_HEARTBEAT_MS, staleAfterMs / 4);
}
/**
 * A running feed clock within this of the clock already running from it leaves it be: a scoreboard shows
 * whole seconds, so re-basing on every packet would make the clock jitter by up to a second.
 */
export const FEED_CLOCK_TOLERANCE_MS = 1000;

export function emptyFeed(staleAfterMs = DEFAULT_FEED_STALE_AFTER_MS): FeedState {
  return {
    kind: null,
    lastPacketAt: null,
    staleAfterMs,
    stale: false,
    owned: [],
    overridden: [],
    values: {},
    fields: {},
  };
}

export type FeedResult = { ok: true; state: ProgramState } | { ok: false; message: string; field: string };

export function reduceFeed(state: ProgramState, command: FeedCommand, now: number): FeedResult {
  const feed = state.feed ?? emptyFeed();
  switch (command.type) {
    case 'feed.update':
      return feedUpdate(state, feed, command, now);
    case 'feed.stale': {
      // The watchdog knows the last packet to the millisecond; state only to the heartbeat. This check stops a
      // watchdog that missed a packet another controller process took.
      const quiet =
        feed.lastPacketAt !== null && now - feed.lastPacketAt >= feed.staleAfterMs - feedHeartbeatMs(feed.staleAfterMs);
      if (state.feed === undefined || feed.stale || !quiet) return { ok: true, state };
      return { ok: true, state: { ...state, feed: { ...feed, stale: true } } };
    }
    case 'feed.override':
      return { ok: true, state: override(state, feed, [command.field]) };
    case 'feed.release': {
      const released = { ...feed, overridden: feed.overridden.filter((f) => f !== command.field) };
      return { ok: true, state: applyValues({ ...state, feed: released }, [command.field]) };
    }
    case 'feed.configure':
      return { ok: true, state: { ...state, feed: { ...feed, staleAfterMs: command.staleAfterMs } } };
  }
}

/** The feed fields an operator's command sets by hand. */
export function fieldsSetBy(command: Command): FeedTarget[] {
  switch (command.type) {
    case 'score.set':
    case 'score.adjust':
      return [command.team === 'home' ? 'home.score' : 'away.score'];
    case 'scorebug.set':
      return FEED_TARGETS.filter(
        (t) =>
          (t === 'home.score' && command.home?.score !== undefined) ||
          (t === 'away.score' && command.away?.score !== undefined) ||
          (t === 'period' && command.period !== undefined),
      );
    case 'clock.start':
    case 'clock.stop':
    case 'clock.set':
    case 'clock.adjust':
      return ['clock'];
    default:
      return [];
  }
}

/** After an operator's command: the feed-owned fields it set are overridden (the feed no longer drives them). */
export function takeBackByHand(state: ProgramState, command: Command): ProgramState {
  const feed = state.feed;
  if (feed === undefined) return state;
  const taken = fieldsSetBy(command).filter((f) => feed.owned.includes(f));
  return taken.length === 0 ? state : override(state, feed, taken);
}

function override(state: ProgramState, feed: FeedState, fields: readonly FeedTarget[]): ProgramState {
  const overridden = FEED_TARGETS.filter((t) => feed.overridden.includes(t) || fields.includes(t));
  return { ...state, feed: { ...feed, overridden } };
}

function feedUpdate(state: ProgramState, feed: FeedState, command: FeedUpdate, now: number): FeedResult {
  const values = { ...feed.values };
  const sent: FeedTarget[] = [];
  if (command.home?.score !== undefined) {
    values['home.score'] = command.home.score;
    sent.push('home.score');
  }
  if (command.away?.score !== undefined) {
    values['away.score'] = command.away.score;
    sent.push('away.score');
  }
  if (command.period !== undefined) {
    values.period = command.period;
    sent.push('period');
  }
  const { clock } = command;
  if (clock !== undefined && (clock.ms !== undefined || clock.running !== undefined)) {
    values.clock = nextClock(values.clock, clock, state.clock, now);
    sent.push('clock');
  }
  const fields = mergeFields(feed.fields, command.fields);
  if (Object.keys(fields).length > MAX_FEED_FIELDS)
    return { ok: false, message: `A feed keeps at most ${MAX_FEED_FIELDS} fields.`, field: 'fields' };
  const owned = FEED_TARGETS.filter((t) => feed.owned.includes(t) || sent.includes(t));
  const content = { ...feed, kind: command.kind, stale: false, owned, values, fields };
  const same = JSON.stringify(content) === JSON.stringify(feed);
  const beat = feed.lastPacketAt === null || now - feed.lastPacketAt >= feedHeartbeatMs(feed.staleAfterMs);
  const next: FeedState = { ...content, lastPacketAt: same && !beat ? feed.lastPacketAt : now };
  return { ok: true, state: applyValues({ ...state, feed: next }, sent) };
}

/** `null` removes a field; anything else sets it. */
function mergeFields(current: FeedFields, patch: FeedFields | undefined): FeedFields {
  if (patch === undefined) return current;
  const merged = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** The feed's clock after a packet: kept when the packet agrees with it, re-based at `now` when not. */
function nextClock(
  previous: FeedClock | undefined,
  input: { ms?: number | undefined; running?: boolean | undefined },
  gameClock: Clock,
  now: number,
): FeedClock {
  const running = input.running ?? previous?.running ?? gameClock.running;
  const current = previous === undefined ? clockValueMs(gameClock, now) : feedClockValue(previous, gameClock, now);
  if (input.ms === undefined) {
    return previous !== undefined && previous.running === running ? previous : { ms: current, running, at: now };
  }
  if (previous !== undefined && previous.running === running) {
    if (running && Math.abs(current - input.ms) <= FEED_CLOCK_TOLERANCE_MS) return previous;
    if (!running && previous.ms === input.ms) return previous;
  }
  return { ms: input.ms, running, at: now };
}

function feedClockValue(clock: FeedClock, gameClock: Clock, now: number): number {
  return clockValueMs({ ...gameClock, running: clock.running, baseMs: clock.ms, startedAt: clock.at }, now);
}

/** The feed's values on program for these fields, where the feed owns them and the operator has not taken them. */
function applyValues(state: ProgramState, fields: readonly FeedTarget[]): ProgramState {
  const feed = state.feed;
  if (feed === undefined) return state;
  let next = state;
  for (const field of fields) {
    if (!feed.owned.includes(field) || feed.overridden.includes(field)) continue;
    const { values } = feed;
    const score = field === 'home.score' || field === 'away.score' ? values[field] : undefined;
    if (score !== undefined) {
      const side = field === 'home.score' ? 'home' : 'away';
      const team = { ...next.scorebug[side], score: Math.min(999, score) };
      next = { ...next, scorebug: { ...next.scorebug, [side]: team } };
    } else if (field === 'period' && values.period !== undefined) {
      next = { ...next, scorebug: { ...next.scorebug, period: values.period } };
    } else if (field === 'clock' && values.clock !== undefined) {
      const { ms, running, at } = values.clock;
      next = { ...next, clock: { ...next.clock, baseMs: ms, running, startedAt: running ? at : null } };
    }
  }
  return next;
}
