// Pitchside state as OBS describes it: sources are scenes (and inputs, for tally), transitions have OBS's
// names. Pure functions, shared by the requests (answers) and the session (events).
import {
  OBS_TRANSITIONS,
  type ObsTransitionName,
  type OutputReport,
  type OutputStatusMessage,
  type ProgramState,
  type Source,
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
