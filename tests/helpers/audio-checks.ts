// Reading program sound back from a recording: ffmpeg decodes to PCM, a Goertzel filter measures each test
// tone's level, and ffmpeg's ebur128 gives the reference loudness and true peak.
import { execFileSync, spawnSync } from 'node:child_process';

export const PCM_RATE = 48_000;

/** The recording's sound from `fromS` for `durationS`, mono (L and R averaged), as floats. */
export function decodePcm(file: string, fromS: number, durationS: number): Float32Array {
  // An explicit average: ffmpeg's default stereo → mono downmix is 3 dB hotter than either channel.
  return decodeMono(file, fromS, durationS, ['-vn', '-af', 'pan=mono|c0=0.5*c0+0.5*c1']);
}

/** One sound track of a file (`track`: its index among the audio streams), mono, as floats. */
export function decodeTrack(file: string, track: number, fromS: number, durationS: number): Float32Array {
  return decodeMono(file, fromS, durationS, ['-map', `0:a:${track}`, '-ac', '1']);
}

function decodeMono(file: string, fromS: number, durationS: number, select: string[]): Float32Array {
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-ss', fromS.toFixed(3), '-t', durationS.toFixed(3), '-i', file],
      ...[...select, '-ar', String(PCM_RATE), '-f', 'f32le', '-'],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length - (raw.length % 4)));
}

/** Each sound track's name and language, as ffprobe reads them (an MP4 names a track by its handler). */
export function trackTags(file: string): Array<{ title?: string; language?: string }> {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a', '-show_streams', '-of', 'json', file]);
  type Tags = { title?: string; handler_name?: string; language?: string };
  const json = JSON.parse(out.toString()) as { streams: Array<{ tags?: Tags }> };
  return json.streams.map((s) => ({ title: s.tags?.title ?? s.tags?.handler_name, language: s.tags?.language }));
}

/**
 * A sine's amplitude at `hz` in dBFS (0 dBFS: a full-scale sine), by a Hann-windowed Goertzel filter over
 * the samples given: the window keeps a loud tone nearby from leaking into a quiet one.
 */
export function toneDb(samples: Float32Array, hz: number, from = 0, to = samples.length): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / PCM_RATE);
  const n = to - from;
  let s1 = 0;
  let s2 = 0;
  let weights = 0;
  for (let i = 0; i < n; i += 1) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, n - 1));
    weights += w;
    const s0 = (samples[from + i] ?? 0) * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
  const amplitude = (2 * Math.sqrt(power)) / Math.max(1e-9, weights);
  return amplitude > 0 ? 20 * Math.log10(amplitude) : -200;
}

/** The tone's level in consecutive windows of `windowMs` stepped by `stepMs`, as linear amplitudes. */
function levelsOf(samples: Float32Array, hz: number, windowMs: number, stepMs: number): number[] {
  const size = Math.round((PCM_RATE * windowMs) / 1000);
  const step = Math.round((PCM_RATE * stepMs) / 1000);
  const levels: number[] = [];
  for (let at = 0; at + size <= samples.length; at += step)
    levels.push(10 ** (toneDb(samples, hz, at, at + size) / 20));
  return levels;
}

/**
 * A tone's level while it sounds (dBFS): the level that a quarter of 20 ms windows reach. A keyed tone
 * (on half the time) and a steady one read alike, and a short gap in the recording (a loaded machine's
 * dropout) does not pull it down as it would a long window's average.
 */
export function soundingToneDb(samples: Float32Array, hz: number): number {
  const levels = levelsOf(samples, hz, 20, 20).sort((a, b) => b - a);
  const level = levels[Math.floor(levels.length / 4)] ?? 0;
  return level > 0 ? 20 * Math.log10(level) : -200;
}

/**
 * When a tone first sounds in `samples` (ms from their start): the first 1 ms step whose 8 ms window
 * reaches half the level the tone settles at (its level over the last quarter of the samples).
 */
export function onsetMs(samples: Float32Array, hz: number, windowMs = 8): number {
  const levels = levelsOf(samples, hz, windowMs, 1);
  const settled = levels.slice(Math.floor((levels.length * 3) / 4));
  const on = settled.reduce((sum, v) => sum + v, 0) / Math.max(1, settled.length);
  const k = levels.findIndex((v) => v >= on / 2);
  if (on <= 0 || k < 0) throw new Error(`${hz} Hz never sounds`);
  return k + windowMs / 2;
}

/**
 * When a tone drops (ms from the samples' start): the first 1 ms step whose 8 ms window is `byDb` under the
 * tone's level over the first 200 ms. Anything later (a fader coming back, another tone) does not count.
 */
export function dropMs(samples: Float32Array, hz: number, byDb = 12, windowMs = 8): number {
  const levels = levelsOf(samples, hz, windowMs, 1);
  const before = levels.slice(0, 200).sort((a, b) => a - b);
  const reference = before[Math.floor(before.length / 2)] ?? 0;
  const k = levels.findIndex((v) => v < reference * 10 ** (-byDb / 20));
  if (reference <= 0 || k < 0) throw new Error(`${hz} Hz never drops by ${byDb} dB`);
  return k + windowMs / 2;
}

/**
 * Every onset of a keyed tone (ms from the samples' start): the tone's level in windows of `windowMs` stepped
 * by 1 ms, and each rising crossing of half its on-level that comes out of a gap of the keying (a quarter
 * period silent before it), not out of a dropout. The time is the window's centre.
 */
export function keyedOnsetsMs(samples: Float32Array, hz: number, periodMs: number, windowMs = 8): number[] {
  const levels = levelsOf(samples, hz, windowMs, 1);
  const on = [...levels].sort((a, b) => b - a)[Math.floor(levels.length / 8)] ?? 0;
  const quietBeforeMs = periodMs / 4;
  const onsets: number[] = [];
  for (let k = quietBeforeMs; k < levels.length; k += 1) {
    const rising = (levels[k - 1] ?? 0) < on / 2 && (levels[k] ?? 0) >= on / 2;
    if (rising && Math.max(...levels.slice(k - quietBeforeMs, k - windowMs)) < on / 2) onsets.push(k + windowMs / 2);
  }
  return onsets;
}

/**
 * Where a keyed tone switches on, as a phase within its period (ms): its onsets (keyedOnsetsMs) averaged on
 * the circle (so edges either side of the period's end agree). A delayed copy of the same sound has the same
 * edges later.
 */
export function onsetPhaseMs(
  samples: Float32Array,
  hz: number,
  periodMs: number,
  /** Where `samples` start in the recording: the phase is against the recording's own clock. */
  startMs: number,
  windowMs = 8,
): number {
  let x = 0;
  let y = 0;
  for (const k of keyedOnsetsMs(samples, hz, periodMs, windowMs)) {
    // The window's start, as before: the phase is compared between recordings read alike.
    const angle = (2 * Math.PI * (startMs + k - windowMs / 2)) / periodMs;
    x += Math.cos(angle);
    y += Math.sin(angle);
  }
  if (x === 0 && y === 0) throw new Error(`no onset of ${hz} Hz found`);
  const phase = (Math.atan2(y, x) / (2 * Math.PI)) * periodMs;
  return (phase + periodMs) % periodMs;
}

/**
 * Every silence of a tone (ms from the samples' start): where its level in `windowMs` windows stepped by 1 ms
 * falls `byDb` under its sounding level (the level an eighth of the windows reach) and where it is back over
 * that, at the windows' centres. Edges read alike are late alike (a few ms), so the time between two sharp
 * edges is exact; 12 dB under, a stretch 6 dB quieter (a fader) is still sound. `toMs` is null for a silence
 * that lasts to the end.
 */
export function toneSilencesMs(
  samples: Float32Array,
  hz: number,
  byDb = 12,
  windowMs = 8,
): { fromMs: number; toMs: number | null }[] {
  const levels = levelsOf(samples, hz, windowMs, 1);
  const sounding = [...levels].sort((a, b) => b - a)[Math.floor(levels.length / 8)] ?? 0;
  const under = sounding * 10 ** (-byDb / 20);
  const silences: { fromMs: number; toMs: number | null }[] = [];
  for (let k = 1; k < levels.length; k += 1) {
    const before = levels[k - 1] ?? 0;
    const now = levels[k] ?? 0;
    if (before >= under && now < under) silences.push({ fromMs: k + windowMs / 2, toMs: null });
    const last = silences.at(-1);
    if (before < under && now >= under && last !== undefined && last.toMs === null) last.toMs = k + windowMs / 2;
  }
  return silences;
}

/**
 * The same edges seen at two ends of a path (`near`, `far`: times on one clock, ms): the delay in
 * [`minMs`, `maxMs`] that pairs the most of them within `toleranceMs` (each with the far edge nearest it), as each
 * paired edge's own delay, in `near`'s order. Edges spaced irregularly agree on no other delay, so an edge that
 * one end missed only leaves a pair out.
 */
export function pairedDelaysMs(
  near: readonly number[],
  far: readonly number[],
  minMs: number,
  maxMs: number,
  toleranceMs = 25,
): { atMs: number; delayMs: number }[] {
  let best: { atMs: number; delayMs: number }[] = [];
  for (const candidate of near.flatMap((n) => far.map((f) => f - n))) {
    if (candidate < minMs || candidate > maxMs) continue;
    const pairs = near.flatMap((atMs) => {
      const off = (t: number): number => Math.abs(t - atMs - candidate);
      const f = far.reduce<number | undefined>(
        (nearest, t) => (off(t) < off(nearest ?? Infinity) ? t : nearest),
        undefined,
      );
      return f === undefined || off(f) > toleranceMs ? [] : [{ atMs, delayMs: f - atMs }];
    });
    if (pairs.length > best.length) best = pairs;
  }
  return best;
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
