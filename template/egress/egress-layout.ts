// Egress names layouts its own way (RoomComposite's `layout`, UpdateLayout): map them to the program's
// presets. An unknown or empty name leaves the layout to the program state.
import type { LayoutPreset } from '../../protocol/index.ts';

const EGRESS_LAYOUTS: ReadonlyArray<[RegExp, LayoutPreset]> = [
  [/^(single|single-speaker)(-light|-dark)?$/, 'single'],
  [/^(split|speaker)(-light|-dark)?$/, 'split'],
  [/^(quad|grid)(-light|-dark)?$/, 'quad'],
];

export function mapEgressLayout(name: string): LayoutPreset | null {
  const match = EGRESS_LAYOUTS.find(([pattern]) => pattern.test(name.trim().toLowerCase()));
  return match === undefined ? null : match[1];
}
