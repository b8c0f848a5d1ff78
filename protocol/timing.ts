// Time-derived values that every renderer computes the same way from state + server time.
import type { Clock, Corner, Rect, TakeState, Transition } from './state.ts';

/** The clock's value at a server time: a pure function of state, so nothing drifts and a reload agrees. */
export function clockValueMs(clock: Clock, serverNow: number): number {
  if (!clock.running || clock.startedAt === null) return clock.baseMs;
  const elapsed = Math.max(0, serverNow - clock.startedAt);
  if (clock.direction === 'down') return Math.max(0, clock.baseMs - elapsed);
  const value = clock.baseMs + elapsed;
  return clock.limitMs === null ? value : Math.min(clock.limitMs, value);
}

/** mm:ss, or h:mm:ss past the hour. Counting down shows the started second (10.4 s left reads 00:11). */
/**
 * A match clock as broadcasts show it: minutes and seconds, the minutes running past 59 ("67:16", "105:00"
 * in extra time), never hours. Counting down, a started second shows until it has fully passed.
 */
export function formatClock(valueMs: number, direction: Clock['direction']): string {
  const totalSeconds = direction === 'down' ? Math.ceil(valueMs / 1000) : Math.floor(valueMs / 1000);
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** A length of time (a recording, how long an output has been live): "m:ss" up to an hour, then "h:mm:ss". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = String(totalSeconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${String(m).padStart(2, '0')}:${s}`;
}

export function isInstant(transition: Transition): boolean {
  return transition.type === 'cut' || transition.durationMs === 0;
}

/**
 * Progress of the last take's transition, 0 → 1; 1 once it is done (or for a cut). A scheduled take has not
 * started before its server time (progress 0, the old picture), so every renderer switches on the same frame.
 */
export function takeProgress(take: TakeState, serverNow: number): number {
  if (serverNow < take.startedAt) return 0;
  if (isInstant(take.transition)) return 1;
  const p = (serverNow - take.startedAt) / take.transition.durationMs;
  return Math.min(1, Math.max(0, p));
}

/** A scheduled take whose server time has not come yet: it can still be cancelled. */
export function isPending(take: TakeState | null, serverNow: number): take is TakeState {
  return take !== null && serverNow < take.startedAt;
}

export const PIP_DEFAULT_SIZE = 0.28;
const PIP_MARGIN_X = 0.03;
const PIP_MARGIN_Y = 0.05;

/** A corner preset as a normalised rect, sized so that it never covers the frame's left-centre check region. */
export function cornerRect(corner: Corner, size = PIP_DEFAULT_SIZE): Rect {
  const left = corner.endsWith('left');
  const top = corner.startsWith('top');
  return {
    x: left ? PIP_MARGIN_X : 1 - PIP_MARGIN_X - size,
    y: top ? PIP_MARGIN_Y : 1 - PIP_MARGIN_Y - size,
    w: size,
    h: size,
  };
}
