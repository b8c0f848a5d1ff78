// A CMX3600 EDL of the program's takes. Record timecode runs on the export (00:00:00:00 = the in point);
// source timecode is the UTC time of day of the picture, so an editor can conform against ISO camera
// recordings stamped with time of day. Reels are 8 characters at most; the full source id follows as
// a FROM CLIP NAME comment.
import type { Take } from './takes.ts';

const REEL_CHARS = 8;
const DAY_MS = 24 * 3600 * 1000;

export function timecode(ms: number, fps: number): string {
  const totalFrames = Math.round((ms / 1000) * fps);
  const frames = totalFrames % fps;
  const totalSeconds = Math.floor(totalFrames / fps);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(totalSeconds / 3600) % 24)}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}:${pad(frames)}`;
}

function reel(source: string): string {
  return source
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, REEL_CHARS)
    .padEnd(REEL_CHARS, ' ');
}

export function cmx3600(title: string, takes: Take[], fps: number): string {
  const lines = [`TITLE: ${title.slice(0, 70)}`, 'FCM: NON-DROP FRAME', ''];
  const line = (
    n: number,
    source: string,
    kind: string,
    srcIn: number,
    srcOut: number,
    recIn: number,
    recOut: number,
  ) =>
    `${String(n).padStart(3, '0')}  ${reel(source)} V     ${kind.padEnd(8, ' ')} ${timecode(srcIn, fps)} ${timecode(srcOut, fps)} ${timecode(recIn, fps)} ${timecode(recOut, fps)}`;
  let previous: Take | null = null;
  for (const take of takes) {
    const tod = (take.at - take.startMs) % DAY_MS; // time of day at record 00:00:00:00
    const srcIn = tod + take.startMs;
    const srcOut = tod + take.endMs;
    const frames = Math.round((take.transitionMs / 1000) * fps);
    if (previous !== null && take.transition !== 'cut' && frames > 0) {
      // A transition is two lines under one event number: the outgoing source as a zero-length cut,
      // then the incoming one with D (dissolve; dips too) or W001 (wipe) and its length in frames.
      const prevTod = (previous.at - previous.startMs) % DAY_MS;
      lines.push(
        line(take.n, previous.source, 'C', prevTod + take.startMs, prevTod + take.startMs, take.startMs, take.startMs),
      );
      const kind = `${take.transition === 'wipe' ? 'W001' : 'D   '} ${String(frames).padStart(3, '0')}`;
      lines.push(line(take.n, take.source, kind, srcIn, srcOut, take.startMs, take.endMs));
    } else {
      lines.push(line(take.n, take.source, 'C', srcIn, srcOut, take.startMs, take.endMs));
    }
    lines.push(`* FROM CLIP NAME: ${take.source}`, '');
    previous = take;
  }
  return `${lines.join('\r\n')}\r\n`;
}
