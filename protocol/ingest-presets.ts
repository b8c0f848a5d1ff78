// The services a producer picks from when adding a destination, each offered by its kind's module
// (destinations/): the documented ingest servers, where to find the key, what else the row asks for.
import { RTMP_INGEST_PRESETS } from './destinations/rtmp.ts';
import { SRT_INGEST_PRESETS } from './destinations/srt.ts';

export interface IngestServer {
  label: string;
  url: string;
}

export interface IngestPreset {
  /** The destination kind the preset creates. */
  kind: 'youtube' | 'twitch' | 'rtmp' | 'srt';
  label: string;
  /** Servers to choose from; none: the producer types the server URL. */
  servers: readonly IngestServer[];
  /** Where the producer finds the stream key (for SRT, the stream id). */
  keyHelp: string;
  /** An example server URL, for a preset without servers. */
  urlPlaceholder?: string;
  /** The destination takes an encryption passphrase. */
  passphrase?: boolean;
}

export const INGEST_PRESETS = { ...RTMP_INGEST_PRESETS, ...SRT_INGEST_PRESETS } as const satisfies Record<
  string,
  IngestPreset
>;
export type IngestPresetId = keyof typeof INGEST_PRESETS;
