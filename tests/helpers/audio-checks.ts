// Reading program sound back from a recording: ffmpeg decodes to PCM, a Goertzel filter measures each test
// tone's level, and ffmpeg's ebur128 gives the reference loudness and true peak.
import { execFileSync, spawnSync } from 'node:child_process';

export const PCM_RATE = 48_000;

/** The recording's sound from `fromS` for `durationS`, mono (L and R averaged), as floats. */
export function decodePcm(file: string, fromS: number, durationS: number): Float32Array {
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-ss', fromS.toFixed(3), '-t', durationS.toFixed(3), '-i', file],
      // An explicit average: ffmpeg's default stereo → mono downmix is 3 dB hotter than either channel.
      ...['-vn', '-af', 'pan=mono|c0=0.5*c0+0.5*c1', '-ar', String(PCM_RATE), '-f', 'f32le', '-'],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length - (raw.length % 4)));
}

/** A sine's amplitude at `hz` in dBFS (0 dBFS: a full-scale sine), by Goertzel over the samples given. */
export function toneDb(samples: Float32Array, hz: number, from = 0, to = samples.length): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / PCM_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i += 1) {
    const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
  const amplitude = (2 * Math.sqrt(power)) / Math.max(1, to - from);
  return amplitude > 0 ? 20 * Math.log10(amplitude) : -200;
}

/** A tone's level in consecutive windows of `windowMs` (an envelope: where the tone starts and stops). */
export function toneEnvelope(samples: Float32Array, hz: number, windowMs: number): number[] {
  const size = Math.round((PCM_RATE * windowMs) / 1000);
  const levels: number[] = [];
  for (let at = 0; at + size <= samples.length; at += size) levels.push(toneDb(samples, hz, at, at + size));
  return levels;
}

export interface Ebur128Summary {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** ffmpeg's EBU R128 summary (integrated loudness, true peak) of a stretch of the recording. */
export function ebur128(file: string, fromS: number, durationS: number): Ebur128Summary {
  const run = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostats', '-ss', fromS.toFixed(3), '-t', durationS.toFixed(3), '-i', file],
      ...['-vn', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    ],
    { encoding: 'utf8' },
  );
  const summary = run.stderr.slice(run.stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error(`no ebur128 summary: ${summary.slice(0, 400)}`);
  const value = (v: string): number => (v === '-inf' ? -Infinity : Number(v));
  return { integratedLufs: value(integrated), truePeakDbtp: value(peak) };
}
