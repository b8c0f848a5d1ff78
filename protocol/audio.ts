// Program sound as program state: a fader, mute, mode and delay per source and a master with a true-peak
// limiter and a loudness target. The reducer alone changes it (commands `audio.source`, `audio.master`), so
// every renderer (the built-in recorder's page, Egress's page, the monitors) builds the same mix from it.
// Meter readings are not state: the renderer that feeds the outputs measures them and the controller relays
// them (AudioMetersSchema) to the director and the graphics desk.
import { Type, type Static } from '@sinclair/typebox';
import type { Source } from './state.ts';

/** A fader's range. At or below the floor a source is silent, as on a desk whose fader is at the bottom. */
export const AUDIO_GAIN_MIN_DB = -60;
export const AUDIO_GAIN_MAX_DB = 10;
/** Enough to line a phone's sound up with its picture, or with the other phones' sound. */
export const AUDIO_MAX_DELAY_MS = 1000;
/** Streaming platforms normalise toward −14 LUFS; −16 is common for speech; −23 is EBU R128 broadcast. */
export const LOUDNESS_TARGETS_LUFS = [-14, -16, -23] as const;
export const DEFAULT_LOUDNESS_TARGET_LUFS = -14;
/** The limiter's ceiling range in dBTP; EBU R128 allows −1 dBTP at most. */
export const LIMITER_CEILING_MIN_DBTP = -6;
export const LIMITER_CEILING_MAX_DBTP = 0;
export const DEFAULT_LIMITER_CEILING_DBTP = -1;
/** Meter values are finite numbers on the wire (JSON has no −Infinity): silence reads as this floor. */
export const AUDIO_METER_FLOOR_DB = -120;
/** How often the output renderer reports meters, and how often obs-websocket's InputVolumeMeters is sent. */
export const AUDIO_METER_INTERVAL_MS = 100;
export const OBS_VOLUME_METER_INTERVAL_MS = 50;

const GainDbSchema = Type.Number({ minimum: AUDIO_GAIN_MIN_DB, maximum: AUDIO_GAIN_MAX_DB });

/**
 * follow: audio-follow-video, the source is heard as much as its picture is on program (a camera's default);
 * on: always in the mix whatever is on program (a crowd or sideline mic, a commentator); off: never.
 */
export const AudioModeSchema = Type.Union([Type.Literal('follow'), Type.Literal('on'), Type.Literal('off')]);
export type AudioMode = Static<typeof AudioModeSchema>;

export const AudioSourceSettingsSchema = Type.Object(
  {
    gainDb: GainDbSchema,
    muted: Type.Boolean(),
    mode: AudioModeSchema,
    delayMs: Type.Integer({ minimum: 0, maximum: AUDIO_MAX_DELAY_MS }),
    /** While this (an `on` source) is above the duck threshold, every other source goes down by the duck depth. */
    duckOthers: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type AudioSourceSettings = Static<typeof AudioSourceSettingsSchema>;

export const LoudnessTargetSchema = Type.Union(LOUDNESS_TARGETS_LUFS.map((lufs) => Type.Literal(lufs)));
export type LoudnessTarget = Static<typeof LoudnessTargetSchema>;

export const AudioMasterSchema = Type.Object(
  {
    gainDb: GainDbSchema,
    muted: Type.Boolean(),
    limiter: Type.Object(
      {
        on: Type.Boolean(),
        ceilingDbtp: Type.Number({ minimum: LIMITER_CEILING_MIN_DBTP, maximum: LIMITER_CEILING_MAX_DBTP }),
      },
      { additionalProperties: false },
    ),
    loudness: Type.Object(
      {
        targetLufs: LoudnessTargetSchema,
        /** A slow leveler that rides the master toward the target (off by default: a director's fader wins). */
        leveler: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    duck: Type.Object(
      {
        /** How far the other sources go down while a ducking source speaks. */
        depthDb: Type.Number({ minimum: -40, maximum: 0 }),
        /** A ducking source's level (dBFS, RMS) above which it counts as speaking. */
        thresholdDb: Type.Number({ minimum: -80, maximum: 0 }),
      },
      { additionalProperties: false },
    ),
    /**
     * Record the international sound (the program without the commentary seats) as the built-in recording's
     * second track. Off (or left out), the recorder's page builds no second mix and the file has one sound
     * track. Read when the recorder starts: a change while it runs takes effect at its next start.
     */
    international: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AudioMaster = Static<typeof AudioMasterSchema>;

export const AudioStateSchema = Type.Object(
  {
    /**
     * Settings by source id. A source that leaves keeps its entry, so it comes back with its fader where it
     * was; a source with no entry has its kind's defaults (defaultAudioSourceSettings).
     */
    sources: Type.Record(Type.String(), AudioSourceSettingsSchema),
    master: AudioMasterSchema,
  },
  { additionalProperties: false },
);
export type AudioState = Static<typeof AudioStateSchema>;

export function defaultAudioMaster(): AudioMaster {
  return {
    gainDb: 0,
    muted: false,
    limiter: { on: true, ceilingDbtp: DEFAULT_LIMITER_CEILING_DBTP },
    loudness: { targetLufs: DEFAULT_LOUDNESS_TARGET_LUFS, leveler: false },
    duck: { depthDb: -10, thresholdDb: -40 },
  };
}

export function defaultAudioState(): AudioState {
  return { sources: {}, master: defaultAudioMaster() };
}

/** Whether a recording started now carries the international sound (off unless the director turned it on). */
export function recordsInternational(audio: AudioState | undefined): boolean {
  return audio?.master.international === true;
}

/**
 * A source's settings before anyone touched its strip: cameras follow the picture at unity gain; a
 * commentary seat has no picture to follow, so it is always in the mix and the others duck under its voice.
 */
export function defaultAudioSourceSettings(source?: Pick<Source, 'kind'>): AudioSourceSettings {
  const commentary = source?.kind === 'commentary';
  return { gainDb: 0, muted: false, mode: commentary ? 'on' : 'follow', delayMs: 0, duckOthers: commentary };
}

/** The settings a renderer applies to a source: its stored entry, or its kind's defaults. */
export function audioSourceSettings(
  audio: AudioState | undefined,
  source: Pick<Source, 'id' | 'kind'>,
): AudioSourceSettings {
  return audio?.sources[source.id] ?? defaultAudioSourceSettings(source);
}

/** dB to a linear gain, with the fader's floor as silence. */
export function faderGain(gainDb: number): number {
  return gainDb <= AUDIO_GAIN_MIN_DB ? 0 : 10 ** (gainDb / 20);
}

const MeterDbSchema = Type.Number({ minimum: AUDIO_METER_FLOOR_DB, maximum: 40 });

export const SourceMeterSchema = Type.Object(
  {
    /** Sample peak over the last interval, dBFS. */
    peakDb: MeterDbSchema,
    /** RMS over the last interval, dBFS. */
    rmsDb: MeterDbSchema,
  },
  { additionalProperties: false },
);
export type SourceMeter = Static<typeof SourceMeterSchema>;

/** One reading of the program's meters, as the output renderer measured it (BS.1770 / EBU R128). */
export const AudioMetersSchema = Type.Object(
  {
    /** Server time of the reading. */
    at: Type.Number({ minimum: 0 }),
    master: Type.Object(
      {
        momentaryLufs: MeterDbSchema,
        shortTermLufs: MeterDbSchema,
        integratedLufs: MeterDbSchema,
        /** The highest true peak since the meters started (dBTP), and over the last interval. */
        truePeakDbtp: MeterDbSchema,
        truePeakMaxDbtp: MeterDbSchema,
        /** Per channel (L, R): sample peak and RMS over the last interval, after the limiter. */
        channels: Type.Array(SourceMeterSchema, { minItems: 1, maxItems: 2 }),
        /** How far the limiter is pulling the program down now (≤ 0 dB). */
        gainReductionDb: Type.Number({ minimum: -60, maximum: 0 }),
      },
      { additionalProperties: false },
    ),
    /** Per source, before its fader (so a muted source still shows it has sound). */
    sources: Type.Record(Type.String(), SourceMeterSchema),
  },
  { additionalProperties: false },
);
export type AudioMeters = Static<typeof AudioMetersSchema>;
