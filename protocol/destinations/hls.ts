// Self-hosted playback: the program as HLS the controller serves (routes/hls.ts). No server and no key:
// nothing leaves the deployment.
import { Type, type Static } from '@sinclair/typebox';
import { hlsListSize, hlsPlaylistUrlPath } from '../hls.ts';
import {
  DestinationIdSchema,
  DestinationLabelSchema,
  labelOf,
  refuseFields,
  type DestinationKind,
} from './destination-kind.ts';

/** Longest DVR window a viewer can seek back in (a whole match with extra time and a break). */
export const MAX_DVR_WINDOW_SECONDS = 4 * 3600;

/**
 * `dvrWindowSeconds` keeps that much behind the live edge for viewers to seek back in; left out, the
 * playlist is a short live window.
 */
export const HlsDestinationSchema = Type.Object(
  {
    id: DestinationIdSchema,
    kind: Type.Literal('hls'),
    label: DestinationLabelSchema,
    dvrWindowSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: MAX_DVR_WINDOW_SECONDS })),
  },
  { additionalProperties: false },
);
export type HlsDestination = Static<typeof HlsDestinationSchema>;

/** What the console calls the choice of a self-hosted `hls` destination. */
export const HLS_CONSOLE_LABEL = 'Pitchside player (HLS)';

const window = (d: { dvrWindowSeconds?: number | undefined }) =>
  d.dvrWindowSeconds === undefined ? {} : { dvrWindowSeconds: d.dvrWindowSeconds };

export const hlsKind: DestinationKind<HlsDestination> = {
  schema: HlsDestinationSchema,
  reportKind: 'hls',

  fromInput(input) {
    refuseFields(input, ['serverUrl', 'streamKey', 'passphrase'], 'An HLS destination');
    return { kind: 'hls', ...labelOf(input), ...window(input) };
  },

  view: (d) => ({ id: d.id, kind: d.kind, ...labelOf(d), ...window(d) }),
  secrets: () => [],
  target: (d, eventId) => hlsPlaylistUrlPath(eventId, d.id),
  recorder: (d) => ({ kind: 'hls', listSize: hlsListSize(d.dvrWindowSeconds) }),
  egress: () => ({ kind: 'hls-segments' }),
};
