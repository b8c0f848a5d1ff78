// Tally from what is really on air, the way a vision mixer lights it: one rule for every tally light (the
// camera page, the director's tiles and camera list, obs-websocket's InputActiveStateChanged and
// GetSourceActive), so a camera operator, the director and a control surface never disagree.
//
// Red (program) means the source's LIVE picture is on air: the program (or the source a scheduled take has
// not yet left), a source being mixed out until the mix ends, the preview in split, the first four in quad,
// the PiP. A replay is not live: while the replay of camera X is on air no camera is red for it; the live
// source it left is dark (its ducked sound is not its picture) and camera X shows `replay` (amber on the
// camera page: "your angle is on air again, recorded"), so its operator knows a reframe now is not seen.
// The automatic return at the replay's end follows server time (settleReplay), as every renderer draws it.
import { audioSourceSettings, faderGain } from './audio.ts';
import { REPLAY_TRANSITION, settleReplay } from './replay.ts';
import { REPLAY_SOURCE_ID, type ProgramState, type SourceId } from './state.ts';
import { isPending, takeProgress } from './timing.ts';

export type Tally = 'program' | 'preview' | 'replay' | 'none';

/** Quad shows the first four sources. */
const QUAD_SOURCES = 4;

/** Pictures on air at server time `serverNow`: source ids, and REPLAY_SOURCE_ID while a replay is. */
function onAirPictures(state: ProgramState, serverNow: number): Set<SourceId> {
  const live = new Set<SourceId>();
  if (state.layout === 'quad') {
    for (const source of state.sources.slice(0, QUAD_SOURCES)) live.add(source.id);
  } else {
    // A scheduled take is not on air before its time: the source it leaves still is.
    const program = isPending(state.take, serverNow) ? state.take.from : state.program;
    if (program !== null) live.add(program);
    if (state.layout === 'split' && state.preview !== null) live.add(state.preview);
  }
  const take = state.take;
  if (take !== null && takeProgress(take, serverNow) < 1) {
    if (take.from !== null) live.add(take.from);
    if (take.interrupted !== null) {
      if (take.interrupted.from !== null) live.add(take.interrupted.from);
      live.add(take.interrupted.to);
    }
  }
  if (state.pip.visible && state.pip.source !== null) live.add(state.pip.source);
  return live;
}

/** Every source's tally at server time `serverNow` (sources not listed are `none`). */
export function tallies(state: ProgramState, serverNow: number): Map<SourceId, Tally> {
  const settled = settleReplay(state, serverNow);
  const pictures = onAirPictures(settled, serverNow);
  const replayed = pictures.has(REPLAY_SOURCE_ID) ? (settled.replay?.clip.source ?? null) : null;
  const result = new Map<SourceId, Tally>();
  for (const { id } of settled.sources) {
    const tally: Tally = pictures.has(id)
      ? 'program'
      : settled.preview === id
        ? 'preview'
        : replayed === id
          ? 'replay'
          : 'none';
    result.set(id, tally);
  }
  return result;
}

export function tallyOf(state: ProgramState, source: SourceId, serverNow: number): Tally {
  return tallies(state, serverNow).get(source) ?? 'none';
}

/**
 * When the tally can next change by itself, with no new state: a scheduled take starting, a mix ending (the
 * source mixed out goes dark), a replay returning to live. Null when nothing is due after `serverNow`.
 */
export function nextTallyChange(state: ProgramState, serverNow: number): number | null {
  const times: number[] = [];
  if (state.take !== null) times.push(state.take.startedAt, state.take.startedAt + state.take.transition.durationMs);
  const replay = state.replay;
  if (replay !== undefined && replay !== null && !replay.stay && replay.returnTo !== null) {
    times.push(replay.endsAt, replay.endsAt + REPLAY_TRANSITION.durationMs);
  }
  const due = times.filter((t) => t > serverNow);
  return due.length === 0 ? null : Math.min(...due);
}

/**
 * A voice's tally (a commentary seat's ON AIR): its sound reaches the program. Its strip is `on` (a seat has
 * no picture for `follow` to follow), not muted, its fader and the master's above their floor, the master
 * not muted.
 */
export function voiceOnAir(state: ProgramState, sourceId: SourceId): boolean {
  const source = state.sources.find((s) => s.id === sourceId);
  if (source === undefined) return false;
  const settings = audioSourceSettings(state.audio, source);
  const master = state.audio?.master;
  const masterOpen = master === undefined || (!master.muted && faderGain(master.gainDb) > 0);
  return settings.mode === 'on' && !settings.muted && faderGain(settings.gainDb) > 0 && masterOpen;
}
