// The state a view draws. Program draws the state as it is; preview draws what the next take would put on
// program: the preview source, full frame, settled (no transition), under the same graphics.
import type { LayoutPreset, ProgramState, TemplateView } from '../../protocol/index.ts';

export interface ViewFrame {
  state: ProgramState;
  layout: LayoutPreset;
}

/** @param layout the layout program would show (Egress's, when it set one, else the state's) */
export function viewFrame(state: ProgramState, layout: LayoutPreset, view: TemplateView): ViewFrame {
  if (view === 'program') return { state, layout };
  return { state: { ...state, program: state.preview, take: null }, layout: 'single' };
}
