// SRT destinations: MPEG-TS over SRT in caller mode to srt://host:port, as contribution encoders and
// many ingest services take it. The URL holds no secret; the stream id (services use it as the stream
// key) and the AES passphrase are stored apart from it and only joined onto it for the encoder.
import { Type, type Static } from '@sinclair/typebox';
import type { IngestPreset } from '../ingest-presets.ts';
import { MASK } from '../secrets.ts';
import {
  DestinationIdSchema,
  DestinationInputError,
  DestinationLabelSchema,
  labelOf,
  refuseFields,
  samePlace,
  type DestinationKind,
} from './destination-kind.ts';

/** Host (a name, IPv4 or [IPv6]) and port; options are fields of their own, so the URL can be shown. */
export const SRT_SERVER_URL_PATTERN = '^srt://(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$';
/** SRT's own limits on an encryption passphrase (SRTO_PASSPHRASE). */
export const SrtPassphraseSchema = Type.String({ minLength: 10, maxLength: 79 });
/** SRT's limit on a stream id (SRTO_STREAMID). */
const SRT_STREAM_ID_MAX = 512;

export const SrtDestinationSchema = Type.Object(
  {
    id: DestinationIdSchema,
    kind: Type.Literal('srt'),
    label: DestinationLabelSchema,
    serverUrl: Type.String({ pattern: SRT_SERVER_URL_PATTERN, maxLength: 1024 }),
    /** Sent as the SRT stream id, where services put the stream key: a secret. */
    streamKey: Type.Optional(Type.String({ minLength: 1, maxLength: SRT_STREAM_ID_MAX, pattern: '^\\S+$' })),
    /** Encrypts the stream (AES); the receiver must know the same one. A secret. */
    passphrase: Type.Optional(SrtPassphraseSchema),
  },
  { additionalProperties: false },
);
export type SrtDestination = Static<typeof SrtDestinationSchema>;

/**
 * The caller URL ffmpeg (libsrt) and Egress (GStreamer's srtsink) both read, secrets included: only ever
 * handed to an encoder, never logged or returned. Both URL-decode the query values.
 */
export function srtCallerUrl(destination: SrtDestination): string {
  const query = new URLSearchParams({ mode: 'caller' });
  if (destination.streamKey !== undefined) query.set('streamid', destination.streamKey);
  if (destination.passphrase !== undefined) query.set('passphrase', destination.passphrase);
  // URLSearchParams writes a space as '+', which neither reader decodes.
  return `${destination.serverUrl}?${query.toString().replace(/\+/g, '%20')}`;
}

export const srtKind: DestinationKind<SrtDestination> = {
  schema: SrtDestinationSchema,
  reportKind: 'srt',

  fromInput(input, previous) {
    refuseFields(input, ['dvrWindowSeconds'], 'An SRT destination');
    if (input.serverUrl === undefined || !new RegExp(SRT_SERVER_URL_PATTERN).test(input.serverUrl))
      throw new DestinationInputError(
        'An SRT destination needs its server as srt://host:port (stream id and passphrase are fields of their own).',
        '/serverUrl',
      );
    const kept = samePlace(previous, input) ? (previous as SrtDestination) : undefined;
    const streamKey = input.streamKey ?? kept?.streamKey;
    // An empty passphrase turns encryption off; left out, the stored one stays (same server only).
    const passphrase = input.passphrase === '' ? undefined : (input.passphrase ?? kept?.passphrase);
    return {
      kind: 'srt',
      ...labelOf(input),
      serverUrl: input.serverUrl,
      ...(streamKey === undefined ? {} : { streamKey }),
      ...(passphrase === undefined ? {} : { passphrase }),
    };
  },

  view(d, fingerprint) {
    return {
      id: d.id,
      kind: d.kind,
      ...labelOf(d),
      serverUrl: d.serverUrl,
      ...(d.streamKey === undefined ? {} : { streamKeyMasked: fingerprint(d.streamKey) }),
      ...(d.passphrase === undefined ? {} : { passphraseMasked: fingerprint(d.passphrase) }),
    };
  },

  secrets: (d) => [d.streamKey, d.passphrase].filter((s) => s !== undefined),
  target: (d) =>
    srtCallerUrl({
      ...d,
      ...(d.streamKey === undefined ? {} : { streamKey: MASK }),
      ...(d.passphrase === undefined ? {} : { passphrase: MASK }),
    }),
  recorder: (d) => ({ kind: 'srt', url: srtCallerUrl(d) }),
  egress: (d) => ({ kind: 'srt-stream', url: srtCallerUrl(d) }),
};

/** The console's choice for an SRT destination. */
export const SRT_INGEST_PRESETS = {
  srt: {
    kind: 'srt',
    label: 'SRT (caller)',
    servers: [],
    keyHelp: 'The stream id your SRT server gave you, if any (sent as streamid)',
    urlPlaceholder: 'srt://ingest.example.org:9000',
    passphrase: true,
  },
} as const satisfies Record<string, IngestPreset>;
