// A phone's fake capture for tests and benchmarks: a plain-colour clip and a sine tone (optionally keyed on
// and off) that ffmpeg makes, for Chromium's fake camera and microphone. No test runner needed (benches use it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A colour no test source, slate or graphic uses, and a tone no test source plays (they are 400–1800 Hz). */
export const CAMERA_COLOUR = '#c8d820';
export const CAMERA_TONE_HZ = 2750;
export const W = 1280;
export const H = 720;
export const FPS = 30;

/** One phone's fake capture: a plain colour and a sine tone, optionally keyed on and off (see makeCameraMedia). */
export interface PhoneMedia {
  colour: string;
  toneHz: number;
  /** The tone sounds for the first half of every period of this length (a pattern to measure a delay by). */
  pulsePeriodMs?: number;
  /** Silences cut into the tone, each `[fromMs, toMs)` within the clip: sharp edges at known places. */
  silencesMs?: readonly (readonly [number, number])[];
  /** The clip's length (Chromium loops it): 4 s unless given. */
  clipMs?: number;
}

/**
 * A 720p30 clip in one plain colour (y4m: what Chromium's file capture reads) and a sine tone at −6 dBFS,
 * 4 s long unless `clipMs` says (Chromium loops it), named by `name` so several phones can have their own.
 */
export function makeCameraMedia(dir: string, media: PhoneMedia, name = 'camera'): { video: string; audio: string } {
  const video = join(dir, `${name}.y4m`);
  const audio = join(dir, `${name}.wav`);
  const hex = media.colour.replace('#', '0x');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=${hex}:s=${W}x${H}:r=${FPS}:d=2`],
    ...['-pix_fmt', 'yuv420p', '-y', video],
  ]);
  const periodS = (media.pulsePeriodMs ?? 0) / 1000;
  // Keyed per sample (on in the first half of each period, sharp edges), else a steady sine.
  const key = periodS > 0 ? `*lt(mod(t\\,${periodS})\\,${periodS / 2})` : '';
  const silences = (media.silencesMs ?? []).map(([from, to]) => `*(1-(gte(t\\,${from / 1000})*lt(t\\,${to / 1000})))`);
  const clipS = (media.clipMs ?? 4000) / 1000;
  const tone = `aevalsrc=0.5*sin(2*PI*${media.toneHz}*t)${key}${silences.join('')}:s=48000:d=${clipS}`;
  execFileSync('ffmpeg', [...['-v', 'error', '-f', 'lavfi', '-i', tone], ...['-ac', '1', '-y', audio]]);
  return { video, audio };
}
