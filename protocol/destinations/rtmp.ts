// RTMP(S) destinations: YouTube and Twitch (their ingest servers, or one they list) and any custom RTMP
// server (Facebook Live is one). The stream key is the last path segment of the publish URL and a secret.
import { Type, type Static } from '@sinclair/typebox';
import type { IngestPreset } from '../ingest-presets.ts';
import { joinUserinfo, MASK, splitUserinfo } from '../secrets.ts';
import {
  DestinationIdSchema,
  DestinationInputError,
  DestinationLabelSchema,
  labelOf,
  refuseFields,
  samePlace,
  type DestinationKind,
} from './destination-kind.ts';

export const RTMP_SERVER_URL_PATTERN = '^rtmps?://[^\\s/]+(/[^\\s]*)?$';

/**
 * The stream key is kept apart from the server URL so that every status, log line and job return value
 * can show the URL with the key masked.
 */
export const RtmpDestinationSchema = Type.Object(
  {
    id: DestinationIdSchema,
    kind: Type.Union([Type.Literal('youtube'), Type.Literal('twitch'), Type.Literal('rtmp')]),
    label: DestinationLabelSchema,
    /**
     * The server and application the key is appended to, e.g. rtmp://live.example.org/app. Required for
     * rtmp; for youtube/twitch one of their ingest servers (RTMP_INGEST_PRESETS), left out = the default.
     */
    serverUrl: Type.Optional(Type.String({ pattern: RTMP_SERVER_URL_PATTERN, maxLength: 1024 })),
    streamKey: Type.String({ minLength: 1, maxLength: 512, pattern: '^[^\\s/]+$' }),
    /**
     * A server that wants a login takes it as `rtmp://user:password@host/app`: that part is a secret like
     * the key, so it is stored here, apart from `serverUrl`, and only shown as `****@`.
     */
    serverUserinfo: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[^\\s/@]+$' })),
  },
  { additionalProperties: false },
);
export type RtmpDestination = Static<typeof RtmpDestinationSchema>;

export const RTMP_BASE: Record<'youtube' | 'twitch', string> = {
  youtube: 'rtmp://a.rtmp.youtube.com/live2',
  twitch: 'rtmp://live.twitch.tv/app',
};

/**
 * The full publish URL, key included: only ever handed to an encoder, never logged or returned.
 * YouTube and Twitch use their default ingest unless the destination chose one of their servers.
 */
export function rtmpPublishUrl(destination: RtmpDestination): string {
  const base =
    destination.kind === 'rtmp' ? destination.serverUrl : (destination.serverUrl ?? RTMP_BASE[destination.kind]);
  if (base === undefined) throw new TypeError(`destination ${destination.id}: rtmp needs serverUrl`);
  return `${joinUserinfo(base, destination.serverUserinfo).replace(/\/+$/, '')}/${destination.streamKey}`;
}

/** The server URL as people may see it: a login only as `****@` (a stored one, or one written inline before). */
function shownServerUrl(d: RtmpDestination): string | undefined {
  if (d.serverUrl === undefined) return undefined;
  const { url, userinfo } = splitUserinfo(d.serverUrl);
  return userinfo !== undefined || d.serverUserinfo !== undefined ? joinUserinfo(url, MASK) : url;
}

export const rtmpKind: DestinationKind<RtmpDestination> = {
  schema: RtmpDestinationSchema,
  reportKind: 'rtmp',

  fromInput(input, previous) {
    refuseFields(input, ['dvrWindowSeconds', 'passphrase'], 'An RTMP destination');
    const kind = input.kind as RtmpDestination['kind'];
    if (kind === 'rtmp' && input.serverUrl === undefined)
      throw new DestinationInputError(
        'A custom RTMP destination needs its server URL (rtmp:// or rtmps://).',
        '/serverUrl',
      );
    if (input.serverUrl !== undefined && !new RegExp(RTMP_SERVER_URL_PATTERN).test(input.serverUrl))
      throw new DestinationInputError('An RTMP server URL starts with rtmp:// or rtmps://.', '/serverUrl');
    // The login is write-only: the form shows it as `****@` and sends that back to keep the stored one.
    const split = input.serverUrl === undefined ? undefined : splitUserinfo(input.serverUrl);
    const place = { ...input, ...(split === undefined ? {} : { serverUrl: split.url }) };
    const same = samePlace(previous, place);
    let serverUserinfo = split?.userinfo;
    if (serverUserinfo === MASK) {
      serverUserinfo = same ? (previous as RtmpDestination).serverUserinfo : undefined;
      if (serverUserinfo === undefined)
        throw new DestinationInputError(
          'This server URL keeps a login (****@) that is not stored for it: write the login again.',
          '/serverUrl',
        );
    }
    if (serverUserinfo !== undefined && !/^[^\s/@]+$/.test(serverUserinfo))
      throw new DestinationInputError('A server login is user:password with no space, / or @.', '/serverUrl');
    const kept = same ? (previous as RtmpDestination).streamKey : undefined;
    const streamKey = input.streamKey ?? kept;
    if (streamKey === undefined)
      throw new DestinationInputError(
        previous === undefined
          ? 'A new destination needs its stream key.'
          : 'A destination whose kind or server URL changes needs its stream key again (the stored one stays with the old server).',
        '/streamKey',
      );
    return {
      kind,
      ...labelOf(input),
      ...(split === undefined ? {} : { serverUrl: split.url }),
      streamKey,
      ...(serverUserinfo === undefined ? {} : { serverUserinfo }),
    };
  },

  view(d, fingerprint) {
    return {
      id: d.id,
      kind: d.kind,
      ...labelOf(d),
      ...(d.serverUrl === undefined ? {} : { serverUrl: shownServerUrl(d) }),
      streamKeyMasked: fingerprint(d.streamKey),
    };
  },

  secrets: (d) => [
    d.streamKey,
    ...[d.serverUserinfo, d.serverUrl === undefined ? undefined : splitUserinfo(d.serverUrl).userinfo].filter(
      (s): s is string => s !== undefined,
    ),
  ],
  target: (d) => {
    const { serverUserinfo: _login, ...rest } = d;
    const shown = shownServerUrl(d);
    return rtmpPublishUrl({ ...rest, streamKey: MASK, ...(shown === undefined ? {} : { serverUrl: shown }) });
  },
  recorder: (d) => ({ kind: 'rtmp', url: rtmpPublishUrl(d) }),
  egress: (d) => ({ kind: 'rtmp-stream', url: rtmpPublishUrl(d) }),
};

/** The services the console offers that are RTMP destinations, with their documented ingest servers. */
export const RTMP_INGEST_PRESETS = {
  youtube: {
    kind: 'youtube',
    label: 'YouTube',
    servers: [
      { label: 'Primary (RTMP)', url: RTMP_BASE.youtube },
      { label: 'Primary (RTMPS)', url: 'rtmps://a.rtmps.youtube.com/live2' },
    ],
    keyHelp: 'YouTube Studio → Go live → Stream → Stream key',
  },
  twitch: {
    kind: 'twitch',
    label: 'Twitch',
    servers: [
      { label: 'Automatic (closest)', url: RTMP_BASE.twitch },
      { label: 'Europe: Frankfurt', url: 'rtmp://fra05.contribute.live-video.net/app' },
      { label: 'Europe: London', url: 'rtmp://lhr03.contribute.live-video.net/app' },
      { label: 'US East: Ashburn', url: 'rtmp://iad05.contribute.live-video.net/app' },
      { label: 'US West: San Jose', url: 'rtmp://sjc06.contribute.live-video.net/app' },
      { label: 'Asia: Singapore', url: 'rtmp://sin04.contribute.live-video.net/app' },
    ],
    keyHelp: 'Twitch Creator Dashboard → Settings → Stream → Primary Stream key',
  },
  facebook: {
    kind: 'rtmp',
    label: 'Facebook Live',
    servers: [{ label: 'Facebook (RTMPS)', url: 'rtmps://live-api-s.facebook.com:443/rtmp' }],
    keyHelp: 'Facebook Live Producer → Streaming software → Stream key',
  },
  custom: {
    kind: 'rtmp',
    label: 'Custom RTMP(S)',
    servers: [],
    keyHelp: 'The key your streaming service gave you',
    urlPlaceholder: 'rtmps://live.example.org/app',
  },
} as const satisfies Record<string, IngestPreset>;
