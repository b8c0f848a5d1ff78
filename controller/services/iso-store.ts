// Each camera's ISO recording as the camera page uploads it: complete media segments (a few seconds each)
// written under the data dir per event and camera, indexed in Redis by their server-time span. A file is
// renamed into place before it is indexed, so after a crash every indexed segment is whole and readable;
// at most the segment being uploaded is lost.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  ISO_MAX_BYTES_PER_MEDIA_S,
  isoRanges,
  type IsoRange,
  type IsoSegment,
  type RedisKeys,
} from '../../protocol/index.ts';
import { MAX_ISO_SEGMENT_MS, readIsoCameras, readIsoSegments } from '../../outputs/iso-index.ts';
import { AppError } from './app-error.ts';
import { canonicalTrackOrder } from './iso-track-order.ts';

/** Clock error allowed between the camera page's server-time estimate and the server. */
export const ISO_CLOCK_SLACK_MS = 5000;
/** Biggest segment accepted: 1080p at 8 Mbit/s for MAX_ISO_SEGMENT_MS, with room. */
export const MAX_ISO_SEGMENT_BYTES = 16 * 1024 * 1024;

const MEDIA_TYPES: Record<string, { ext: string; magic: (b: Buffer) => boolean }> = {
  'video/webm': { ext: 'webm', magic: (b) => b.readUInt32BE(0) === 0x1a45dfa3 },
  'video/x-matroska': { ext: 'mkv', magic: (b) => b.readUInt32BE(0) === 0x1a45dfa3 },
  /** A commentary seat's ISO: its microphone alone. */
  'audio/webm': { ext: 'webm', magic: (b) => b.readUInt32BE(0) === 0x1a45dfa3 },
  'video/mp4': { ext: 'mp4', magic: (b) => b.toString('latin1', 4, 8) === 'ftyp' },
};
export const ISO_MEDIA_TYPES = Object.keys(MEDIA_TYPES);

export interface IsoUpload {
  startMs: number;
  endMs: number;
  /** The request's media type without parameters. */
  mime: string;
  body: Buffer;
}

export class IsoStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Root of ISO files: `<root>/<event>/<camera>/<seq>-<startMs>.<ext>`. */
    readonly root: string,
    private readonly now: () => number = Date.now,
    /** Whether an arrived segment is laid out as a recording: mediaLayoutOk unless told otherwise. */
    private readonly readable: (body: Buffer, mime: string) => boolean = mediaLayoutOk,
  ) {}

  dir(eventId: string, camera: string): string {
    return join(this.root, eventId, camera);
  }

  path(eventId: string, segment: IsoSegment): string {
    return join(this.dir(eventId, segment.camera), segment.file);
  }

  /**
   * Refuses a segment that cannot be one (its type, its first bytes, its span, its density), with a 4xx
   * naming the field. Cheap: called before the upload is charged to any quota, and again by append().
   */
  check(upload: IsoUpload): { ext: string } {
    const type = MEDIA_TYPES[upload.mime];
    if (type === undefined)
      throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `ISO segments are ${ISO_MEDIA_TYPES.join(', ')}.`);
    if (upload.body.length < 8 || !type.magic(upload.body))
      throw new AppError(400, 'INVALID', `The body is not a ${upload.mime} file.`, '/body');
    if (upload.endMs <= upload.startMs)
      throw new AppError(400, 'INVALID', 'endMs must be after startMs.', '/querystring/endMs');
    if (upload.endMs - upload.startMs > MAX_ISO_SEGMENT_MS)
      throw new AppError(400, 'INVALID', `A segment is at most ${MAX_ISO_SEGMENT_MS} ms.`, '/querystring/endMs');
    if (upload.endMs > this.now() + ISO_CLOCK_SLACK_MS)
      throw new AppError(
        400,
        'INVALID',
        'endMs is in the future: is the page clock synchronised?',
        '/querystring/endMs',
      );
    const mediaS = (upload.endMs - upload.startMs) / 1000;
    if (upload.body.length > ISO_MAX_BYTES_PER_MEDIA_S * Math.max(mediaS, 1))
      throw new AppError(
        413,
        'TOO_LARGE',
        `A segment carries at most ${ISO_MAX_BYTES_PER_MEDIA_S / 1_000_000} MB per second of media (${Math.round(
          upload.body.length / 1_000_000,
        )} MB for ${mediaS.toFixed(1)} s).`,
        '/body',
      );
    return type;
  }

  async append(eventId: string, camera: string, upload: IsoUpload): Promise<IsoSegment> {
    const type = this.check(upload);
    // Nothing downstream (clips, exports, the re-render) ever sees a file that is not laid out as a
    // recording: a media magic number followed by junk is refused here, not turned into a 500 later.
    if (!this.readable(upload.body, upload.mime))
      throw new AppError(422, 'UNREADABLE_MEDIA', `The body is not a readable ${upload.mime} recording.`, '/body');
    // Every segment stored video first, audio second, so segments concatenate (iso-track-order.ts).
    canonicalTrackOrder(upload.body, upload.mime);
    const seq = await this.redis.incr(this.keys.isoSeq(eventId, camera));
    const file = `${String(seq).padStart(8, '0')}-${Math.round(upload.startMs)}.${type.ext}`;
    const dir = this.dir(eventId, camera);
    await mkdir(dir, { recursive: true });
    const target = join(dir, file);
    await writeFile(`${target}.part`, upload.body);
    await rename(`${target}.part`, target);
    const segment: IsoSegment = {
      camera,
      seq,
      startMs: upload.startMs,
      endMs: upload.endMs,
      bytes: upload.body.length,
      file,
      mime: upload.mime,
    };
    await this.redis
      .multi()
      .zadd(this.keys.isoSegments(eventId, camera), upload.startMs, JSON.stringify(segment))
      .sadd(this.keys.isoCameras(eventId), camera)
      .exec();
    return segment;
  }

  /** Segments of a camera overlapping [fromMs, toMs], in start order. */
  segments(eventId: string, camera: string, fromMs: number, toMs: number): Promise<IsoSegment[]> {
    return readIsoSegments(this.redis, this.keys, eventId, camera, fromMs, toMs);
  }

  /** Whether the camera has ever uploaded a segment for this event. */
  async hasCamera(eventId: string, camera: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.isoCameras(eventId), camera)) === 1;
  }

  async ranges(eventId: string, camera?: string): Promise<IsoRange[]> {
    const cameras = camera === undefined ? await readIsoCameras(this.redis, this.keys, eventId) : [camera];
    const ranges: IsoRange[] = [];
    for (const id of cameras) {
      const all = await this.segments(eventId, id, 0, Number.MAX_SAFE_INTEGER);
      ranges.push(...isoRanges(id, all));
    }
    return ranges;
  }
}

const EBML_SEGMENT = Buffer.from([0x18, 0x53, 0x80, 0x67]);
const EBML_TRACKS = Buffer.from([0x16, 0x54, 0xae, 0x6b]);
const EBML_CLUSTER = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/**
 * Whether the bytes are laid out as a recording, checked in-process (no child process per segment: an
 * ffprobe spawn costs 0.1 CPU-s, 0.05 core per camera at one segment every 2 s, on the venue laptop that
 * also renders the program). WebM/Matroska: a Segment holding Tracks and a Cluster. MP4: top-level boxes
 * that tile the file, starting with ftyp, with a moov and media (mdat or moof). A media magic number
 * followed by junk fails both; what ffmpeg later cannot decode inside a well-formed file makes its clip
 * partial or failed, never a 500.
 */
export function mediaLayoutOk(body: Buffer, mime: string): boolean {
  if (mime === 'video/mp4') {
    const boxes = new Set<string>();
    let at = 0;
    while (at + 8 <= body.length) {
      let size = body.readUInt32BE(at);
      const type = body.toString('latin1', at + 4, at + 8);
      if (size === 1) {
        if (at + 16 > body.length) return false;
        size = Number(body.readBigUInt64BE(at + 8));
      } else if (size === 0) size = body.length - at;
      if (size < 8 || at + size > body.length || !/^[a-z0-9 ]{4}$/i.test(type)) return false;
      if (boxes.size === 0 && type !== 'ftyp') return false;
      boxes.add(type);
      at += size;
    }
    return at === body.length && boxes.has('moov') && (boxes.has('mdat') || boxes.has('moof'));
  }
  const segment = body.indexOf(EBML_SEGMENT);
  return segment > 0 && body.indexOf(EBML_TRACKS, segment) > 0 && body.indexOf(EBML_CLUSTER, segment) > 0;
}
