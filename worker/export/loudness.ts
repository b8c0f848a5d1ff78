// An export's loudness as ffmpeg measures and normalises it (EBU R128 / ITU-R BS.1770): the first pass of
// loudnorm measures the window, the encode applies the measured values with linear=true (one gain for the
// whole file when the peaks allow it), and ebur128 reads the finished file, which is what a platform reads.
import { AUDIO_METER_FLOOR_DB, type ExportLoudness, type LoudnessTarget } from '../../protocol/index.ts';
import { runFfmpeg, type FfmpegRunOptions } from '../../runtime/ffmpeg.ts';

/**
 * loudnorm's true-peak ceiling. Half a dB under EBU R128's −1 dBTP: the AAC encode after it can add
 * inter-sample peaks, and the ceiling is a promise about the file, not about loudnorm's output.
 */
export const EXPORT_TRUE_PEAK_DBTP = -1.5;
/** loudnorm's default loudness range target; a wider programme keeps its own (see normaliseFilter). */
const DEFAULT_LRA = 7;
const MAX_LRA = 50;
/** Below this integrated loudness there is nothing but silence to normalise (BS.1770's absolute gate). */
const SILENCE_LUFS = -70;

/** What loudnorm's first pass measured, as its second pass takes it. */
export interface LoudnormMeasurement {
  inputI: number;
  inputTp: number;
  inputLra: number;
  inputThresh: number;
  targetOffset: number;
}

/** loudnorm's print_format=json block, the last one in the log. */
function loudnormJson(log: string): Record<string, string> {
  const start = log.lastIndexOf('{');
  const end = log.indexOf('}', start);
  if (start < 0 || end < 0) throw new Error('loudnorm printed no measurement');
  return JSON.parse(log.slice(start, end + 1)) as Record<string, string>;
}

/** The measurement of the first pass, or null for silence (nothing to normalise). */
export function parseLoudnormMeasurement(log: string): LoudnormMeasurement | null {
  const json = loudnormJson(log);
  const value = (key: string): number => Number(json[key]);
  const measured = {
    inputI: value('input_i'),
    inputTp: value('input_tp'),
    inputLra: value('input_lra'),
    inputThresh: value('input_thresh'),
    targetOffset: value('target_offset'),
  };
  if (!Object.values(measured).every(Number.isFinite) || measured.inputI <= SILENCE_LUFS) return null;
  return measured;
}

/** Which way the second pass normalised (loudnorm falls back to dynamic when one gain would clip). */
export function parseLoudnormMode(log: string): 'linear' | 'dynamic' {
  return loudnormJson(log)['normalization_type'] === 'linear' ? 'linear' : 'dynamic';
}

/**
 * The second pass. The loudness range target is at least the programme's own, so only the peaks can push
 * loudnorm into its dynamic mode (a compressor); loudnorm works at 192 kHz, so the sound is resampled back.
 */
export function normaliseFilter(measured: LoudnormMeasurement, targetLufs: LoudnessTarget): string {
  const lra = Math.min(MAX_LRA, Math.max(DEFAULT_LRA, Math.ceil(measured.inputLra)));
  return [
    `loudnorm=I=${targetLufs}:TP=${EXPORT_TRUE_PEAK_DBTP}:LRA=${lra}`,
    `measured_I=${measured.inputI}:measured_TP=${measured.inputTp}:measured_LRA=${measured.inputLra}`,
    `measured_thresh=${measured.inputThresh}:offset=${measured.targetOffset}`,
    'linear=true:print_format=json,aresample=48000',
  ].join(':');
}

/** The first pass over the same window the export encodes (`inputArgs`: the trim and `-i file`). */
export async function measureForLoudnorm(
  inputArgs: string[],
  targetLufs: LoudnessTarget,
  options: FfmpegRunOptions,
): Promise<LoudnormMeasurement | null> {
  const log = await runFfmpeg(
    [
      ...inputArgs,
      '-map',
      '0:a:0',
      '-af',
      `loudnorm=I=${targetLufs}:TP=${EXPORT_TRUE_PEAK_DBTP}:print_format=json`,
      '-f',
      'null',
      '-',
    ],
    options,
  );
  return parseLoudnormMeasurement(log);
}

/** ebur128's summary: integrated loudness and true peak (−inf for silence becomes the meter floor). */
export function parseEbur128Summary(log: string): Pick<ExportLoudness, 'integratedLufs' | 'truePeakDbtp'> {
  const summary = log.slice(log.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const peak = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error('ebur128 printed no summary');
  const finite = (text: string): number => (text === '-inf' ? AUDIO_METER_FLOOR_DB : Number(text));
  return { integratedLufs: finite(integrated), truePeakDbtp: finite(peak) };
}

/** Measures a finished file's sound; framelog=verbose keeps the per-frame lines out of the log. */
export async function measureLoudness(
  file: string,
  options: FfmpegRunOptions,
): Promise<Pick<ExportLoudness, 'integratedLufs' | 'truePeakDbtp'>> {
  const log = await runFfmpeg(
    ['-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
    options,
  );
  return parseEbur128Summary(log);
}
