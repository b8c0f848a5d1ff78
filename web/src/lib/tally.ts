// The tally's short badge on tiles and camera lists; the rule itself is protocol/tally.ts (one for every
// tally light: camera page, director, obs-websocket).
import type { Tally } from '../../../protocol/index.ts';

export const TALLY_BADGE: Record<Tally, string> = { program: 'PGM', preview: 'PVW', replay: 'RPL', none: '' };
