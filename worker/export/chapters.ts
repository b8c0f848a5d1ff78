// Chapters of an export: one per take, or one per named marker when the event has markers in the window
// (a producer who marks "Kick-off", "Half time" wants those, not every cut), as FFMETADATA for
// `ffmpeg -i meta.txt -map_chapters 1`.
import type { ChapterMarker } from '../../protocol/index.ts';
import type { Take, TakeWindow } from './takes.ts';

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
 * Markers inside the window as chapters; what comes before the first one is an opening chapter, so the
 * chapters cover the whole file. Empty when no marker falls inside.
 */
export function markerChapters(markers: ChapterMarker[], window: TakeWindow): Chapter[] {
  const length = window.outMs - window.inMs;
  const starts = markers
    .map((m) => ({ title: m.name, startMs: m.time - window.recordingStartedAt - window.inMs }))
    .filter((m) => m.startMs >= 0 && m.startMs < length)
    .sort((a, b) => a.startMs - b.startMs);
  if (starts.length === 0) return [];
  const first = starts[0];
  if (first !== undefined && first.startMs > 0) starts.unshift({ title: 'Start', startMs: 0 });
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
