// Ingest servers a producer picks from when adding a destination: the platform's documented RTMP(S)
// ingest URLs (the stream key is appended by destinationUrl). Facebook and other services are `rtmp`
// destinations with their server URL filled in.
import { RTMP_BASE } from './jobs.ts';

export interface IngestServer {
  label: string;
  url: string;
}

export interface IngestPreset {
  /** The destination kind the preset creates. */
  kind: 'youtube' | 'twitch' | 'rtmp';
  label: string;
  servers: readonly IngestServer[];
  /** Where the producer finds the stream key. */
  keyHelp: string;
}

export const INGEST_PRESETS = {
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
  },
} as const satisfies Record<string, IngestPreset>;
export type IngestPresetId = keyof typeof INGEST_PRESETS;
