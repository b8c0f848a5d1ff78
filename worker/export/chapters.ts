// Chapters of an export: the match's moments (each period, each score change, and the named markers a
// producer set: "Kick-off", "Half time"), or one per take when no moment falls in the window, as
// FFMETADATA for `ffmpeg -i meta.txt -map_chapters 1`. A viewer skips to the goals, not to every cut.
import type { ChapterMarker, GameLogEntry } from '../../protocol/index.ts';
import type { Take, TakeWindow } from './takes.ts';

/**
 * A score that goes down this soon after it went up undoes that score (a +1 by mistake, a goal ruled out):
 * its chapter goes. Later, a lower score is a correction of the record, not of a moment on air.
 */
export const SCORE_CORRECTION_MS = 120_000;

export interface Chapter {
  title: string;
  /** On the export's timeline (0 = the in point). */
  startMs: number;
  endMs: number;
}

/** FFMETADATA escapes =, ;, #, \ and newlines with a backslash. */
function escapeMeta(text: string): string {
  return text.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

export function takeChapters(takes: Take[], labelOf: (source: string) => string): Chapter[] {
  return takes.map((take) => ({
    title: `${take.n}. ${labelOf(take.source)}`,
    startMs: take.startMs,
    endMs: take.endMs,
  }));
}

/**
 * The moments of a match from its game log: a chapter at each period change (titled by the period) and at
 * each score change (titled by the scoreline, "ARS 1–0 CHE"); a score undone within SCORE_CORRECTION_MS
 * takes its chapter with it.
 */
export function gameMoments(entries: readonly GameLogEntry[]): ChapterMarker[] {
  const moments: (ChapterMarker & { side?: 'home' | 'away' })[] = [];
  for (const entry of [...entries].sort((a, b) => a.time - b.time)) {
    if (entry.period !== entry.before.period && entry.period !== '')
      moments.push({ time: entry.time, name: entry.period });
    for (const side of ['home', 'away'] as const) {
      if (entry[side].score > entry.before[side]) {
        moments.push({ time: entry.time, name: scoreline(entry), side });
      } else if (entry[side].score < entry.before[side]) {
        const undone = moments.findLastIndex((m) => m.side === side);
        const goal = moments[undone];
        if (goal !== undefined && entry.time - goal.time <= SCORE_CORRECTION_MS) moments.splice(undone, 1);
      }
    }
  }
  return moments.map(({ time, name }) => ({ time, name }));
}

function scoreline(entry: GameLogEntry): string {
  const name = (team: GameLogEntry['home']) => team.short || team.name;
  return `${name(entry.home)} ${entry.home.score}–${entry.away.score} ${name(entry.away)}`;
}

/** The period on air at server time `time` by the game log (null when it never logged one). */
export function periodAt(entries: readonly GameLogEntry[], time: number): string | null {
  const sorted = [...entries].sort((a, b) => a.time - b.time);
  const last = sorted.filter((e) => e.time <= time).at(-1);
  const period = last?.period ?? sorted.find((e) => e.time > time)?.before.period ?? '';
  return period === '' ? null : period;
}

/**
 * Moments (markers, game moments) inside the window as chapters; what comes before the first one is an
 * opening chapter titled `opening`, so the chapters cover the whole file. Empty when no moment falls inside.
 */
export function markerChapters(markers: readonly ChapterMarker[], window: TakeWindow, opening = 'Start'): Chapter[] {
  const length = window.outMs - window.inMs;
  const starts = markers
    .map((m) => ({ title: m.name, startMs: m.time - window.recordingStartedAt - window.inMs }))
    .filter((m) => m.startMs >= 0 && m.startMs < length)
    .sort((a, b) => a.startMs - b.startMs);
  if (starts.length === 0) return [];
  const first = starts[0];
  if (first !== undefined && first.startMs > 0) starts.unshift({ title: opening, startMs: 0 });
  return starts.map((m, i) => ({ ...m, endMs: starts[i + 1]?.startMs ?? length }));
}

export function ffmetadata(chapters: Chapter[], title: string): string {
  const lines = [';FFMETADATA1', `title=${escapeMeta(title)}`];
  for (const chapter of chapters) {
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${Math.round(chapter.startMs)}`,
      `END=${Math.round(chapter.endMs)}`,
      `title=${escapeMeta(chapter.title)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
