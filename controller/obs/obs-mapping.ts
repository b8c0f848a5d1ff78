// Pitchside state as OBS describes it: sources are scenes (and inputs, for tally), transitions have OBS's
// names. Pure functions, shared by the requests (answers) and the session (events).
import {
  AUDIO_GAIN_MAX_DB,
  AUDIO_GAIN_MIN_DB,
  AUDIO_METER_FLOOR_DB,
  faderGain,
  OBS_TRANSITIONS,
  type AudioSourceSettings,
  type ObsTransitionName,
  type OutputReport,
  type OutputStatusMessage,
  type ProgramState,
  type Source,
  type SourceMeter,
  type Tally,
  type TransitionType,
} from '../../protocol/index.ts';

// A type, not an interface: event data is a plain record.
export type ObsScene = {
  sceneName: string;
  sceneUuid: string;
};

export function sourceScene(source: Source): ObsScene {
  return { sceneName: source.label, sceneUuid: source.id };
}

/**
 * OBS's GetSceneList order: the array runs bottom to top, `sceneIndex` 0 is the bottom scene. Pitchside's
 * first source is the top of the list, so Companion's next/previous scene actions walk it in order.
 */
export function sceneList(state: ProgramState): Array<ObsScene & { sceneIndex: number }> {
  const count = state.sources.length;
  return state.sources.map((source, i) => ({ ...sourceScene(source), sceneIndex: count - i - 1 })).reverse();
}

/** The source a request names by sceneName/sourceName/inputName or by its uuid (the source id). */
export function findSource(state: ProgramState, name: unknown, uuid: unknown): Source | undefined {
  if (typeof uuid === 'string') return state.sources.find((s) => s.id === uuid);
  if (typeof name === 'string')
    return state.sources.find((s) => s.label === name) ?? state.sources.find((s) => s.id === name);
  return undefined;
}

export interface ObsTransition {
  transitionName: ObsTransitionName;
  transitionUuid: string;
  transitionKind: string;
  transitionFixed: boolean;
  transitionConfigurable: boolean;
}

export function obsTransition(type: TransitionType): ObsTransition {
  const entry = OBS_TRANSITIONS.find((t) => t.type === type) ?? OBS_TRANSITIONS[0];
  return {
    transitionName: entry.transitionName,
    transitionUuid: `pitchside-${entry.type}`,
    transitionKind: `pitchside_${entry.type}_transition`,
    transitionFixed: entry.transitionFixed,
    transitionConfigurable: false,
  };
}

export function transitionOf(state: Pick<ProgramState, 'transition'>): ObsTransition {
  return obsTransition(state.transition.type);
}

/** The transition a request names (by name, or the uuid obsTransition gives it). */
export function findTransition(name: unknown): TransitionType | undefined {
  if (typeof name !== 'string') return undefined;
  return OBS_TRANSITIONS.find((t) => t.transitionName === name || `pitchside-${t.type}` === name)?.type;
}

/** OBS's "stream" is what is sent to a server (RTMP or SRT); an HLS destination is served, not sent. */
export function isSentStream(output: Pick<OutputReport, 'kind'>): boolean {
  return output.kind === 'rtmp' || output.kind === 'srt';
}

/** Whether the stream (any sent destination) and the recording are running, from the worker's status. */
export function outputActivity(status: OutputStatusMessage | undefined): { stream: boolean; record: boolean } {
  if (status === undefined || status.state === 'completed' || status.state === 'failed')
    return { stream: false, record: false };
  const running = (which: (o: OutputReport) => boolean): boolean =>
    status.outputs.some((o) => which(o) && (o.state === 'live' || o.state === 'starting' || o.state === 'retrying'));
  return { stream: running(isSentStream), record: running((o) => o.kind === 'recording') };
}

/** OBS's "showing" (InputShowStateChanged, GetSourceActive): on program or on preview. */
export function obsShowing(tally: Tally): boolean {
  return tally === 'program' || tally === 'preview';
}

/** OBS reports a silent fader as −100 dB (its UI's floor), never −Infinity. */
const OBS_SILENCE_DB = -100;

export interface ObsVolume {
  inputVolumeMul: number;
  inputVolumeDb: number;
}

/** A Pitchside fader as OBS describes an input's volume: at the floor it is silence (mul 0, −100 dB). */
export function obsVolume(gainDb: number): ObsVolume {
  const mul = faderGain(gainDb);
  return { inputVolumeMul: mul, inputVolumeDb: mul === 0 ? OBS_SILENCE_DB : gainDb };
}

/**
 * An OBS volume (already within OBS's own ranges) on the Pitchside fader. Below the fader's floor is
 * silence, which the floor already is. Above its top the fader stops there, as a desk's fader does:
 * Companion's "adjust volume +N dB" steps from the last value it heard, so refusing would leave a button
 * that does nothing near the top, where stopping at the top is what the operator meant.
 */
export function faderDb(volume: { mul: number } | { db: number }): { gainDb: number; clamped: boolean } {
  const db = 'db' in volume ? volume.db : volume.mul <= 0 ? -Infinity : 20 * Math.log10(volume.mul);
  const gainDb = Math.min(AUDIO_GAIN_MAX_DB, Math.max(AUDIO_GAIN_MIN_DB, db));
  return { gainDb, clamped: db > AUDIO_GAIN_MAX_DB };
}

/** OBS meters are linear: dBFS → multiplier, the meter floor as 0. */
function linear(db: number): number {
  return db <= AUDIO_METER_FLOOR_DB ? 0 : 10 ** (db / 20);
}

/** How many channels each input reports: Pitchside mixes every source into the stereo program, centred. */
const OBS_METER_CHANNELS = 2;

/**
 * One input's InputVolumeMeters levels, OBS's way: per channel [magnitude, peak, inputPeak], where magnitude
 * (RMS) and peak are after the fader and mute and inputPeak is before them. The reading is the renderer's
 * pre-fader meter of the source; no reading (no renderer reporting, or a source with no sound) is silence.
 */
export function obsInputLevels(reading: SourceMeter | undefined, settings: AudioSourceSettings): number[][] {
  const fader = settings.muted ? 0 : faderGain(settings.gainDb);
  const inputPeak = reading === undefined ? 0 : linear(reading.peakDb);
  const magnitude = reading === undefined ? 0 : linear(reading.rmsDb) * fader;
  const channel = [magnitude, inputPeak * fader, inputPeak];
  return Array.from({ length: OBS_METER_CHANNELS }, () => [...channel]);
}
