// Tally from what is really on air, the way a vision mixer lights its tally: program red, preview green.
// "On air" follows the layout and the PiP, and a source being mixed out is still on air until the mix ends.
import { isPending, takeProgress, type ProgramState, type SourceId } from '../../../protocol/index.ts';

export type Tally = 'program' | 'preview' | 'none';

/** Quad shows the first four sources. */
const QUAD_SOURCES = 4;

export function onAirSources(state: ProgramState, serverNow: number): Set<SourceId> {
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

export function tallyOf(state: ProgramState, source: SourceId, serverNow: number): Tally {
  if (onAirSources(state, serverNow).has(source)) return 'program';
  return state.preview === source ? 'preview' : 'none';
}
