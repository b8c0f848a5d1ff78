// Reading a recording back for checks: the mean colour of a frame region, and the strength of test tones.
import { execFileSync } from 'node:child_process';
import { CHECK_REGION } from '../../protocol/index.ts';

/** Mean RGB of CHECK_REGION in the frame at `seconds`. */
export function regionColour(file: string, seconds: number, width: number, height: number): [number, number, number] {
  return regionColours(file, seconds, 0, width, height)[0] ?? [0, 0, 0];
}

/**
 * The check region's mean colour in every frame from `seconds` for `durationS` (0: the one frame there),
 * decoded in one ffmpeg run.
 */
export function regionColours(
  file: string,
  seconds: number,
  durationS: number,
  width: number,
  height: number,
): [number, number, number][] {
  const x = Math.round(CHECK_REGION.x0 * width);
  const y = Math.round(CHECK_REGION.y0 * height);
  const w = Math.round((CHECK_REGION.x1 - CHECK_REGION.x0) * width);
  const h = Math.round((CHECK_REGION.y1 - CHECK_REGION.y0) * height);
  const raw = execFileSync('ffmpeg', [
    ...['-v', 'error', '-ss', seconds.toFixed(3), '-i', file],
    ...(durationS > 0 ? ['-t', durationS.toFixed(3)] : ['-frames:v', '1']),
    ...['-vf', `crop=${w}:${h}:${x}:${y},scale=1:1:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
  ]);
  const frames: [number, number, number][] = [];
  for (let i = 0; i + 2 < raw.length; i += 3) frames.push([raw[i] ?? 0, raw[i + 1] ?? 0, raw[i + 2] ?? 0]);
  return frames;
}

export function hexToRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

export function colourDistance(a: [number, number, number], b: [number, number, number]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? 0))));
}

/** Goertzel power of each frequency over `durationS` of mono 48 kHz audio starting at `seconds`. */
export function tonePowers(file: string, seconds: number, durationS: number, frequencies: number[]): number[] {
  const raw = execFileSync('ffmpeg', [
    '-v',
    'error',
    '-ss',
    seconds.toFixed(3),
    '-t',
    String(durationS),
    '-i',
    file,
    '-vn',
    '-ac',
    '1',
    '-ar',
    '48000',
    '-f',
    's16le',
    '-',
  ]);
  const samples = new Int16Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 2));
  return frequencies.map((f) => {
    const coeff = 2 * Math.cos((2 * Math.PI * f) / 48000);
    let s1 = 0;
    let s2 = 0;
    for (const x of samples) {
      const s0 = x / 32768 + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / Math.max(1, samples.length);
  });
}
