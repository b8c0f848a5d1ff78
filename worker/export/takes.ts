// Takes on the export's timeline: switch-log entries (server time) mapped onto the recording (via the
// time of its first frame) and cut to the in/out window. Chapters and the EDL are both drawn from this.
import type { SwitchLogEntry, TransitionType } from '../../protocol/index.ts';

export interface Take {
  /** 1-based, in order. */
  n: number;
  source: string;
  /** On the export's timeline (0 = the in point). */
  startMs: number;
  endMs: number;
  transition: TransitionType;
  transitionMs: number;
  /** Server time the take was made (start of the window for the take already on air at the in point). */
  at: number;
}

export interface TakeWindow {
  recordingStartedAt: number;
  inMs: number;
  outMs: number;
}

export function takesInWindow(entries: SwitchLogEntry[], window: TakeWindow): Take[] {
  const length = window.outMs - window.inMs;
  const sorted = [...entries].sort((a, b) => a.time - b.time);
  const offset = (e: SwitchLogEntry) => e.time - window.recordingStartedAt - window.inMs;
  const takes: Take[] = [];
  const onAirAtIn = sorted.filter((e) => offset(e) <= 0).at(-1);
  const firstInside = sorted.find((e) => offset(e) > 0);
  // What was on program at the in point: the last take before it, else the first take's outgoing source.
  const openingSource = onAirAtIn?.source ?? firstInside?.from ?? null;
  if (openingSource !== null) {
    takes.push({
      n: 0,
      source: openingSource,
      startMs: 0,
      endMs: length,
      transition: 'cut',
      transitionMs: 0,
      at: window.recordingStartedAt + window.inMs,
    });
  }
  for (const e of sorted) {
    const start = offset(e);
    if (start <= 0 || start >= length) continue;
    const previous = takes.at(-1);
    if (previous !== undefined) previous.endMs = start;
    takes.push({
      n: 0,
      source: e.source,
      startMs: start,
      endMs: length,
      transition: e.transition.type,
      transitionMs: e.transition.durationMs,
      at: e.time,
    });
  }
  return takes.map((t, i) => ({ ...t, n: i + 1 }));
}
