// Which sponsor is on air: a pure function of program state and server time, so the recorder, Egress, the
// operators' monitors and a reloaded page all draw the same sponsor on the same frame, and the exposure
// report counts exactly what they drew.
//
// Each window (play, break) has its own cycle: its sponsors in list order, interleaved by weight (each
// sponsor's appearances spread evenly, so 2:1:1 is A B A C, never A A B C), each appearance as long as its
// sponsor's duration. A window's position in its cycle advances only while that window is on air and nothing blocks
// it (a replay on screen, the first 30 s after a goal, rotation off): blocked time is neither shown nor
// credited, and the cycle resumes where it stopped, so shares over whole cycles are exact.
import { REPLAY_TRANSITION } from './replay.ts';
import { REPLAY_SOURCE_ID, type Clock, type ProgramState } from './state.ts';
import { isInstant } from './timing.ts';
import {
  MAX_CREDITED_SPONSORS,
  SPONSOR_GOAL_BLOCK_MS,
  SPONSOR_WINDOWS,
  type Sponsor,
  type SponsorCredit,
  type SponsorId,
  type SponsorProgress,
  type SponsorState,
  type SponsorWindow,
} from './sponsors.ts';

export interface CycleSlot {
  sponsor: Sponsor;
  /** Offset of the appearance in its cycle. */
  startMs: number;
  endMs: number;
}

/** A window's cycle, appearances in order; empty when no sponsor may show in it. */
export function sponsorCycle(sponsors: readonly Sponsor[], window: SponsorWindow): CycleSlot[] {
  const eligible = sponsors.filter((s) => s.windows.includes(window));
  // Each sponsor's appearances evenly spaced over the cycle, the sponsors' phases staggered by their place
  // in the list: 2:1:1 lands A at 0 and 1/2, B at 1/3, C at 2/3, so A B A C (never A B C A, whose last A
  // runs into the next cycle's first).
  const appearances = eligible.flatMap((sponsor, i) =>
    Array.from({ length: sponsor.weight }, (_, k) => ({ sponsor, i, at: (k + i / eligible.length) / sponsor.weight })),
  );
  appearances.sort((a, b) => a.at - b.at || a.i - b.i);
  const slots: CycleSlot[] = [];
  let offset = 0;
  for (const { sponsor } of appearances) {
    slots.push({ sponsor, startMs: offset, endMs: offset + sponsor.durationMs });
    offset += sponsor.durationMs;
  }
  return slots;
}

function cycleLength(cycle: readonly CycleSlot[]): number {
  return cycle.at(-1)?.endMs ?? 0;
}

/** The appearance at a position (ms of the window's airtime since its cycle began). */
function slotAt(cycle: readonly CycleSlot[], position: number): CycleSlot | null {
  const length = cycleLength(cycle);
  if (length === 0) return null;
  const offset = position % length;
  return cycle.find((slot) => offset < slot.endMs) ?? null;
}

/** Each sponsor's airtime over positions [0, position) of a cycle. */
function airtimeUpTo(cycle: readonly CycleSlot[], position: number, into: Map<SponsorId, number>, sign: 1 | -1): void {
  const length = cycleLength(cycle);
  if (length === 0) return;
  const whole = Math.floor(position / length);
  const rest = position - whole * length;
  for (const slot of cycle) {
    const partial = Math.min(slot.endMs - slot.startMs, Math.max(0, rest - slot.startMs));
    const ms = whole * (slot.endMs - slot.startMs) + partial;
    into.set(slot.sponsor.id, (into.get(slot.sponsor.id) ?? 0) + sign * ms);
  }
}

/** Server-time intervals [from, to) in which a replay is on screen, wholly or in a transition. */
function replayIntervals(state: ProgramState): Array<[number, number]> {
  const intervals: Array<[number, number]> = [];
  const { take, replay } = state;
  const involvesReplay =
    take !== null &&
    (take.from === REPLAY_SOURCE_ID ||
      take.interrupted?.from === REPLAY_SOURCE_ID ||
      (take.interrupted?.to === REPLAY_SOURCE_ID && take.to !== REPLAY_SOURCE_ID));
  // Leaving a replay: it is on screen until the transition away from it has finished.
  if (involvesReplay)
    intervals.push([-Infinity, take.startedAt + (isInstant(take.transition) ? 0 : take.transition.durationMs)]);
  if (replay !== undefined && replay !== null) {
    const returns = !replay.stay && replay.returnTo !== null;
    intervals.push([replay.startedAt, returns ? replay.endsAt + REPLAY_TRANSITION.durationMs : Infinity]);
  } else if (state.program === REPLAY_SOURCE_ID) intervals.push([-Infinity, Infinity]);
  return intervals;
}

/** Server time at which a running clock stops by itself (zero, or its limit); Infinity if never. */
function clockEnd(clock: Clock): number {
  if (!clock.running || clock.startedAt === null) return -Infinity;
  if (clock.direction === 'down') return clock.startedAt + clock.baseMs;
  return clock.limitMs === null ? Infinity : clock.startedAt + Math.max(0, clock.limitMs - clock.baseMs);
}

/** The window on air at t, or null when no sponsor may show (rotation off, a replay, just after a goal). */
export function sponsorWindowAt(state: ProgramState, t: number): SponsorWindow | null {
  const sponsors = state.sponsors;
  if (sponsors === undefined || !sponsors.on) return null;
  if (replayIntervals(state).some(([from, to]) => t >= from && t < to)) return null;
  if (sponsors.goalAt !== null && t >= sponsors.goalAt && t < sponsors.goalAt + SPONSOR_GOAL_BLOCK_MS) return null;
  return t < clockEnd(state.clock) ? 'play' : 'break';
}

/** Times in (from, to) where the window on air may change, as this state stands. */
function breakpoints(state: ProgramState, from: number, to: number): number[] {
  const times = [clockEnd(state.clock), ...replayIntervals(state).flat()];
  const goalAt = state.sponsors?.goalAt ?? null;
  if (goalAt !== null) times.push(goalAt, goalAt + SPONSOR_GOAL_BLOCK_MS);
  return [...new Set(times.filter((t) => t > from && t < to))].sort((a, b) => a - b);
}

/**
 * Walks [progress.at, to) as this state stands: each stretch in which a window is on air advances that
 * window's position, and `visit` hears of it. Returns the positions at `to`.
 */
function walk(
  state: ProgramState & { sponsors: SponsorState },
  to: number,
  visit?: (window: SponsorWindow, from: number, to: number) => void,
): SponsorProgress {
  const { progress } = state.sponsors;
  const positions = { ...progress, at: Math.max(progress.at, to) };
  const edges = [progress.at, ...breakpoints(state, progress.at, to), to];
  for (let i = 0; i + 1 < edges.length; i++) {
    const [a, b] = [edges[i]!, edges[i + 1]!];
    if (b <= a) continue;
    const window = sponsorWindowAt(state, a);
    if (window === null) continue;
    visit?.(window, positions[window], positions[window] + (b - a));
    positions[window] += b - a;
  }
  return positions;
}

function hasSponsors(state: ProgramState): state is ProgramState & { sponsors: SponsorState } {
  return state.sponsors !== undefined;
}

/** The sponsor on air at server time t (what every renderer draws), or null. */
export function sponsorOnAir(state: ProgramState, t: number): Sponsor | null {
  if (!hasSponsors(state)) return null;
  const at = Math.max(t, state.sponsors.progress.at);
  const window = sponsorWindowAt(state, at);
  if (window === null) return null;
  const positions = walk(state, at);
  return slotAt(sponsorCycle(state.sponsors.sponsors, window), positions[window])?.sponsor ?? null;
}

/** Airtime per sponsor from `progress.at` to t, as this state stands. */
function airtimeSince(state: ProgramState & { sponsors: SponsorState }, t: number): Map<SponsorId, number> {
  const cycles = Object.fromEntries(SPONSOR_WINDOWS.map((w) => [w, sponsorCycle(state.sponsors.sponsors, w)]));
  const airtime = new Map<SponsorId, number>();
  walk(state, t, (window, from, to) => {
    const cycle = cycles[window] ?? [];
    airtimeUpTo(cycle, to, airtime, 1);
    airtimeUpTo(cycle, from, airtime, -1);
  });
  return airtime;
}

function credit(state: ProgramState & { sponsors: SponsorState }, t: number): SponsorCredit[] {
  const { sponsors, credited } = state.sponsors;
  const airtime = airtimeSince(state, t);
  const names = new Map(sponsors.map((s) => [s.id, s.name]));
  const entries = credited.map((c) => ({ ...c, name: names.get(c.id) ?? c.name, ms: c.ms + (airtime.get(c.id) ?? 0) }));
  for (const s of sponsors)
    if (!entries.some((c) => c.id === s.id)) entries.push({ id: s.id, name: s.name, ms: airtime.get(s.id) ?? 0 });
  // The list is bounded: past the cap, sponsors no longer in the list go first, oldest first.
  while (entries.length > MAX_CREDITED_SPONSORS) {
    const gone = entries.findIndex((c) => !names.has(c.id));
    entries.splice(gone === -1 ? 0 : gone, 1);
  }
  return entries;
}

/** Each sponsor's airtime up to server time t: what the exposure report counts. */
export function sponsorExposure(state: ProgramState, t: number): SponsorCredit[] {
  return hasSponsors(state) ? credit(state, Math.max(t, state.sponsors.progress.at)) : [];
}

function scoreRose(before: ProgramState, after: ProgramState): boolean {
  const [b, a] = [before.scorebug, after.scorebug];
  return a.home.score > b.home.score || a.away.score > b.away.score;
}

function sameCycle(before: readonly Sponsor[], after: readonly Sponsor[], window: SponsorWindow): boolean {
  const key = (list: readonly Sponsor[]) =>
    JSON.stringify(sponsorCycle(list, window).map((slot) => [slot.sponsor.id, slot.startMs, slot.endMs]));
  return key(before) === key(after);
}

/**
 * The reducer's last step for a change at `now`: the airtime up to now is credited and the positions
 * re-based on the state as it was (what renderers drew until now), a score increase is noted as a goal,
 * and a window whose cycle changed starts it afresh.
 */
export function settleSponsors(before: ProgramState, after: ProgramState, now: number): ProgramState {
  const next = after.sponsors;
  if (next === undefined) return after;
  const goalAt = scoreRose(before, after) ? now : next.goalAt;
  if (!hasSponsors(before)) {
    return { ...after, sponsors: { ...next, goalAt, progress: { at: now, play: 0, break: 0 }, credited: [] } };
  }
  const positions = walk(before, now);
  const progress: SponsorProgress = { at: now, play: positions.play, break: positions.break };
  for (const window of SPONSOR_WINDOWS)
    if (!sameCycle(before.sponsors.sponsors, next.sponsors, window)) progress[window] = 0;
  return { ...after, sponsors: { ...next, goalAt, progress, credited: credit(before, now) } };
}
