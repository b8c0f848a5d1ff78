// Self-hosted playback: where an `hls` destination's playlist and segments live on disk (written by the
// worker, or by Egress into shared storage) and under which URL the controller serves them. Both
// processes build the names here, so they cannot disagree.

/**
 * Target segment length. The recorder's encoder makes a keyframe every 2 s (worker/recorder/page-capture.js
 * GOP_SECONDS) and a segment can only start at one, so 2 s is the shortest segment without a second encode.
 */
export const HLS_SEGMENT_SECONDS = 2;
/** Segments in the live playlist without a DVR window: 12 s, enough for a player's 3-segment hold-back. */
export const HLS_LIVE_WINDOW_SEGMENTS = 6;
/** The live playlist every backend writes and the controller serves. */
export const HLS_PLAYLIST = 'index.m3u8';
/**
 * Built-in backend file names carry the run (one output's life, restarts included): a segment URL then
 * always means the same bytes, so it may be cached for good, even when a later run starts numbering again.
 */
export function hlsRunId(now: number = Date.now()): string {
  return now.toString(36);
}
/** fMP4 initialisation segment of a run. */
export function hlsInitSegment(run: string): string {
  return `init-${run}.mp4`;
}
/** ffmpeg's segment file pattern of a run (`%d` = the media sequence number). */
export function hlsSegmentPattern(run: string): string {
  return `seg-${run}-%d.m4s`;
}
/** Egress's segment file prefix (it appends `_<n>.ts`) and whole-event playlist beside the live one. */
export const HLS_EGRESS_SEGMENT_PREFIX = 'seg';
export const HLS_EGRESS_FULL_PLAYLIST = 'full.m3u8';
/** Files the controller serves from a destination's directory: nothing else, and no path separators. */
export const HLS_FILE_PATTERN =
  /^(?:index\.m3u8|full\.m3u8|init-[a-z0-9]{1,16}\.mp4|seg-[a-z0-9]{1,16}-\d{1,20}\.m4s|seg_\d{1,20}\.ts)$/;

/** Subdirectory of the data dir (or Egress's shared storage) holding every event's HLS output. */
export const HLS_DATA_SUBDIR = 'hls';

/** Path segments under the HLS root of one destination's files: `<eventId>/<destinationId>`. */
export function hlsDestinationPath(eventId: string, destinationId: string): string {
  return `${eventId}/${destinationId}`;
}

/** The playlist's URL path on the controller (a viewer key or a public event needed, see routes/hls.ts). */
export function hlsPlaylistUrlPath(eventId: string, destinationId: string): string {
  return `/api/events/${encodeURIComponent(eventId)}/hls/${encodeURIComponent(destinationId)}/${HLS_PLAYLIST}`;
}

/** Playlist entries in the live window for a DVR window (or the short live window). */
export function hlsListSize(dvrWindowSeconds: number | undefined): number {
  return dvrWindowSeconds === undefined
    ? HLS_LIVE_WINDOW_SEGMENTS
    : Math.max(HLS_LIVE_WINDOW_SEGMENTS, Math.ceil(dvrWindowSeconds / HLS_SEGMENT_SECONDS));
}
