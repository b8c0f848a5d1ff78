// FFMETADATA with one chapter per take, for `ffmpeg -i meta.txt -map_chapters 1`.
import type { Take } from './takes.ts';

/** FFMETADATA escapes =, ;, #, \ and newlines with a backslash. */
function escapeMeta(text: string): string {
  return text.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

export function chapterTitle(take: Take, labelOf: (source: string) => string): string {
  return `${take.n}. ${labelOf(take.source)}`;
}

export function ffmetadata(takes: Take[], title: string, labelOf: (source: string) => string): string {
  const lines = [';FFMETADATA1', `title=${escapeMeta(title)}`];
  for (const take of takes) {
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${Math.round(take.startMs)}`,
      `END=${Math.round(take.endMs)}`,
      `title=${escapeMeta(chapterTitle(take, labelOf))}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
