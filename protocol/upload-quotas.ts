// What one key and one event may store, and the disk space every upload leaves free: the numbers the upload
// doors (ISO segments, team logos) are held to by controller/services/upload-quota.ts, named once so the
// docs, the refusals and the tests say the same.

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export type QuotaScope = 'key' | 'event';
export type QuotaMeasure = 'bytes' | 'files' | 'mediaMs';

/** At most `max` of `measure` per `windowMs`, counted per key or per event, across controller processes. */
export interface QuotaLimit {
  scope: QuotaScope;
  measure: QuotaMeasure;
  max: number;
  windowMs: number;
}

/**
 * ISO segments may be no denser than this many bytes per second of the media they say they hold: 16 Mbit/s,
 * twice a phone's 1080p ISO encode. A segment claiming 1 s and carrying 8 MiB is refused whatever the windows say.
 */
export const ISO_MAX_BYTES_PER_MEDIA_S = 2_000_000;

export const UPLOAD_QUOTAS = {
  /**
   * A camera sends 2 s segments in real time; after a network drop it catches up, so a key may send half as
   * much again as a minute holds. An event holds MAX_SOURCES cameras doing the same.
   */
  iso: [
    { scope: 'key', measure: 'mediaMs', max: 90_000, windowMs: 60_000 },
    { scope: 'key', measure: 'bytes', max: 160 * MiB, windowMs: 60_000 },
    { scope: 'event', measure: 'mediaMs', max: 16 * 90_000, windowMs: 60_000 },
    { scope: 'event', measure: 'bytes', max: 2 * GiB, windowMs: 60_000 },
  ],
  /** A crest or two per team and a few tries: far under what a key may upload in an hour. */
  logo: [
    { scope: 'key', measure: 'files', max: 20, windowMs: 3_600_000 },
    { scope: 'event', measure: 'files', max: 60, windowMs: 3_600_000 },
  ],
  /** A producer loads an event's sponsors (at most MAX_SPONSORS) and replaces a few. */
  sponsor: [
    { scope: 'key', measure: 'files', max: 60, windowMs: 3_600_000 },
    { scope: 'event', measure: 'files', max: 120, windowMs: 3_600_000 },
  ],
  /** OGraf packages (stored in Redis, so bytes count too): a desk's worth of graphics and a few tries each. */
  ograf: [
    { scope: 'key', measure: 'files', max: 30, windowMs: 3_600_000 },
    { scope: 'event', measure: 'files', max: 60, windowMs: 3_600_000 },
    { scope: 'event', measure: 'bytes', max: 256 * MiB, windowMs: 3_600_000 },
  ],
} as const satisfies Record<string, readonly QuotaLimit[]>;

export type UploadKind = keyof typeof UPLOAD_QUOTAS;

/** Below this much free space in the data dir's file system, no upload is stored (507) and operators are told. */
export const DEFAULT_UPLOAD_MIN_FREE_BYTES = 2 * GiB;
