// One track order for every ISO segment: video first, then audio. Chrome's MediaRecorder adds a track to its
// WebM when that track's first frame arrives, so on a busy phone one segment lists audio first and the next
// video first. ffmpeg's concat demuxer (clip media, clip and reel exports, the re-render) maps streams by
// index, so such a pair turned into Opus packets decoded as VP8 ("Invalid profile 7") and back: a replay
// clip that froze on the live stand-in and an export 0.7–1.7 s short, seen on a loaded two-core machine.
//
// Reordering the track entries in place is free (no child process per segment) and byte-safe: the entries
// keep their sizes, so the Tracks element (or moov box) keeps its size and nothing after it moves; media
// blocks name their track by number (WebM) or track_ID (MP4 fragments), and MP4 chunk offsets point past
// moov, which stays where it is. Layouts this does not recognise are left as they are.

/** Sort rank of a track kind: video, then audio, then anything else. */
const RANK = { video: 0, audio: 1, other: 2 } as const;
type Kind = keyof typeof RANK;

interface Entry {
  start: number;
  end: number;
  kind: Kind;
}

/** Puts the segment's video track first and its audio second, in place; true when anything moved. */
export function canonicalTrackOrder(body: Buffer, mime: string): boolean {
  const entries = mime === 'video/mp4' ? mp4Tracks(body) : webmTracks(body);
  if (entries === null || entries.length < 2) return false;
  const sorted = [...entries].sort((a, b) => RANK[a.kind] - RANK[b.kind]);
  if (sorted.every((e, i) => e === entries[i])) return false;
  const first = entries[0]!;
  const reordered = Buffer.concat(sorted.map((e) => body.subarray(e.start, e.end)));
  reordered.copy(body, first.start);
  return true;
}

// --- WebM / Matroska (EBML) -----------------------------------------------------------------------------

const SEGMENT = 0x18538067;
const TRACKS = 0x1654ae6b;
const CLUSTER = 0x1f43b675;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const EBML_HEADER = 0x1a45dfa3;

interface Element {
  id: number;
  /** Where the payload starts. */
  data: number;
  /** Where the element ends (null: unknown size, as a live WebM's Segment and Clusters are). */
  end: number | null;
}

/** An EBML variable-length integer at `at`: its value (marker kept for IDs) and byte length. */
function vint(body: Buffer, at: number, keepMarker: boolean): { value: number; length: number } | null {
  const first = body[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 8 || at + length > body.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = body[at + i]!;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value: !keepMarker && allOnes ? -1 : value, length };
}

function element(body: Buffer, at: number, limit: number): Element | null {
  const id = vint(body, at, true);
  if (id === null || id.length > 4) return null;
  const size = vint(body, at + id.length, false);
  if (size === null) return null;
  const data = at + id.length + size.length;
  if (size.value === -1) return { id: id.value, data, end: null };
  const end = data + size.value;
  return end <= limit ? { id: id.value, data, end } : null;
}

function webmTracks(body: Buffer): Entry[] | null {
  const header = element(body, 0, body.length);
  if (header?.id !== EBML_HEADER || header.end === null) return null;
  const segment = element(body, header.end, body.length);
  if (segment?.id !== SEGMENT) return null;
  const segmentEnd = segment.end ?? body.length;
  // The Segment's children up to the first Cluster: SeekHead, Info, Tracks (the SeekHead holds Tracks' ID as
  // data, so the element is found by walking, not by searching for its bytes).
  for (let at = segment.data; at < segmentEnd;) {
    const child = element(body, at, segmentEnd);
    if (child === null || child.end === null || child.id === CLUSTER) return null;
    if (child.id === TRACKS) return trackEntries(body, child.data, child.end);
    at = child.end;
  }
  return null;
}

function trackEntries(body: Buffer, from: number, to: number): Entry[] | null {
  const entries: Entry[] = [];
  for (let at = from; at < to;) {
    const entry = element(body, at, to);
    // Anything but contiguous TrackEntry elements (a Void between them, say) is left alone.
    if (entry?.id !== TRACK_ENTRY || entry.end === null) return null;
    let kind: Kind = 'other';
    for (let inner = entry.data; inner < entry.end;) {
      const field = element(body, inner, entry.end);
      if (field === null || field.end === null) return null;
      if (field.id === TRACK_TYPE && field.end - field.data === 1) {
        const type = body[field.data];
        kind = type === 1 ? 'video' : type === 2 ? 'audio' : 'other';
      }
      inner = field.end;
    }
    entries.push({ start: at, end: entry.end, kind });
    at = entry.end;
  }
  return entries;
}

// --- MP4 (ISO BMFF) -------------------------------------------------------------------------------------

interface Box {
  type: string;
  start: number;
  /** Where the payload starts. */
  data: number;
  end: number;
}

function boxes(body: Buffer, from: number, to: number): Box[] | null {
  const out: Box[] = [];
  for (let at = from; at < to;) {
    if (at + 8 > to) return null;
    let size = body.readUInt32BE(at);
    let data = at + 8;
    if (size === 1) {
      if (at + 16 > to) return null;
      size = Number(body.readBigUInt64BE(at + 8));
      data = at + 16;
    } else if (size === 0) size = to - at;
    if (size < data - at || at + size > to) return null;
    out.push({ type: body.toString('latin1', at + 4, at + 8), start: at, data, end: at + size });
    at += size;
  }
  return out;
}

function child(body: Buffer, parent: Box, type: string): Box | null {
  return boxes(body, parent.data, parent.end)?.find((b) => b.type === type) ?? null;
}

function mp4Tracks(body: Buffer): Entry[] | null {
  const moov = boxes(body, 0, body.length)?.find((b) => b.type === 'moov');
  if (moov === undefined) return null;
  const children = boxes(body, moov.data, moov.end);
  if (children === null) return null;
  const first = children.findIndex((b) => b.type === 'trak');
  const traks = children.filter((b) => b.type === 'trak');
  // Only traks side by side are swapped, so every other box keeps its place.
  if (traks.some((t, i) => children[first + i] !== t)) return null;
  return traks.map((trak) => {
    const mdia = child(body, trak, 'mdia');
    const hdlr = mdia === null ? null : child(body, mdia, 'hdlr');
    // hdlr: version and flags (4), pre_defined (4), then handler_type.
    const handler =
      hdlr !== null && hdlr.data + 12 <= hdlr.end ? body.toString('latin1', hdlr.data + 8, hdlr.data + 12) : '';
    const kind: Kind = handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other';
    return { start: trak.start, end: trak.end, kind };
  });
}
