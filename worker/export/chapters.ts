// Chapters of an export: the match's moments (periods and the scores, lead changes or runs the sport's
// chapter policy picks, and the named markers a producer set: "Kick-off", "Half time"), or one per take
// when no moment falls in the window, as FFMETADATA for `ffmpeg -i meta.txt -map_chapters 1`. A viewer
// skips to the goals (or a basketball game's swings), not to every cut or every basket.
import {
  DEFAULT_CHAPTER_POLICY,
  MAX_CHAPTER_NAME,
  type ChapterMarker,
  type ChapterPolicy,
  type GameLogEntry,
} from '../../protocol/index.ts';
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

/** A side's score change in the game log, as it counts once corrections made soon after are applied. */
interface ScoreChange {
  time: number;
  side: Side;
  /** Points it adds (or, a correction no earlier score absorbed, takes away). */
  points: number;
}

type Side = 'home' | 'away';

/** Points one side scored since the other last did; its chapter once it is long enough to be one. */
interface Run {
  side: Side;
  points: number;
  time: number;
  moment: ChapterMarker | null;
}
const SIDES = ['home', 'away'] as const;

/**
 * The score changes of the log with corrections applied: a score that goes down within
 * SCORE_CORRECTION_MS of the side's last score takes that much off it (a +1 by mistake is gone, a
 * three corrected to a two is a two). Later, a lower score is a correction of the record, not of a moment.
 */
function scoreChanges(sorted: readonly GameLogEntry[]): ScoreChange[][] {
  const byEntry: ScoreChange[][] = [];
  const last: Record<Side, ScoreChange | undefined> = { home: undefined, away: undefined };
  for (const entry of sorted) {
    const changes: ScoreChange[] = [];
    for (const side of SIDES) {
      const delta = entry[side].score - entry.before[side];
      if (delta > 0) changes.push((last[side] = { time: entry.time, side, points: delta }));
      if (delta >= 0) continue;
      const scored = last[side];
      const absorbed =
        scored !== undefined && entry.time - scored.time <= SCORE_CORRECTION_MS ? Math.min(scored.points, -delta) : 0;
      if (scored !== undefined) scored.points -= absorbed;
      if (absorbed < -delta) changes.push({ time: entry.time, side, points: delta + absorbed });
    }
    byEntry.push(changes);
  }
  return byEntry;
}

/**
 * The moments of a match from its game log, as the sport's chapter policy picks them: each period change
 * (titled by the period), each score ("ARS 1–0 CHE"), each change of the lead ("LAL 45–44 BOS, lead
 * change") and the start of each scoring run ("BOS 8–0 run", counted to where it ended). Scores undone
 * within SCORE_CORRECTION_MS count as never made. Moments at the same time share one chapter.
 */
export function gameMoments(
  entries: readonly GameLogEntry[],
  policy: ChapterPolicy = DEFAULT_CHAPTER_POLICY,
): ChapterMarker[] {
  const sorted = [...entries].sort((a, b) => a.time - b.time);
  const changes = scoreChanges(sorted);
  const moments: ChapterMarker[] = [];
  const score = { home: sorted[0]?.before.home ?? 0, away: sorted[0]?.before.away ?? 0 };
  let leader = Math.sign(score.home - score.away);
  let run = null as Run | null;
  for (const [index, entry] of sorted.entries()) {
    if (policy.periods && entry.period !== entry.before.period && entry.period !== '')
      moments.push({ time: entry.time, name: entry.period });
    const scored = (changes[index] ?? []).filter((c) => c.points !== 0);
    for (const change of scored) score[change.side] += change.points;
    const line = scoreline(entry, score);
    if (policy.everyScore && scored.some((c) => c.points > 0)) moments.push({ time: entry.time, name: line });
    const now = Math.sign(score.home - score.away);
    if (policy.leadChanges && now !== 0 && leader !== 0 && now !== leader)
      moments.push({ time: entry.time, name: `${line}, lead change` });
    if (now !== 0) leader = now;
    for (const change of scored.filter((c) => c.points > 0)) {
      if (run?.side !== change.side) run = { side: change.side, points: 0, moment: null, time: change.time };
      run.points += change.points;
      if (policy.runPoints === 0 || run.points < policy.runPoints) continue;
      const name = `${teamName(entry[change.side])} ${run.points}–0 run`;
      if (run.moment === null) moments.push((run.moment = { time: run.time, name }));
      else run.moment.name = name;
    }
  }
  return sameTimeTogether(moments);
}

/** One chapter per instant: moments at the same time are one, their names joined. */
function sameTimeTogether(moments: ChapterMarker[]): ChapterMarker[] {
  const byTime = new Map<number, string[]>();
  for (const m of [...moments].sort((a, b) => a.time - b.time))
    byTime.set(m.time, [...(byTime.get(m.time) ?? []), m.name]);
  return [...byTime].map(([time, names]) => ({ time, name: names.join(' · ').slice(0, MAX_CHAPTER_NAME) }));
}

function teamName(team: GameLogEntry['home']): string {
  return team.short || team.name;
}

function scoreline(entry: GameLogEntry, score: Record<Side, number>): string {
  return `${teamName(entry.home)} ${score.home}–${score.away} ${teamName(entry.away)}`;
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
