// VOD export of a finished recording: an MP4 (H.264/AAC, faststart) with chapters at the match's moments
// (periods, the scores or swings the sport's chapter policy picks, named markers; else one per take), a poster,
// a thumbnail strip and a CMX3600 EDL of the takes, optionally trimmed to an in/out window and normalised to a
// loudness target; the result says how loud the file is.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_LOUDNESS_TARGET_LUFS,
  EXPORT_FILES,
  type ExportJob,
  type ExportLoudness,
  type ExportResult,
  type ExportTrack,
  type GameLogEntry,
  type SwitchLogEntry,
  type TimeRangeQuery,
} from '../../protocol/index.ts';
import { ffmetadata, gameMoments, markerChapters, periodAt, takeChapters } from './chapters.ts';
import { cmx3600 } from './edl.ts';
import { probe, runFfmpeg } from '../../runtime/ffmpeg.ts';
import { takesInWindow } from './takes.ts';
import { isoSoundInput, writeIsoSound } from './iso-sound.ts';
import {
  measureForLoudnorm,
  measureLoudness,
  normaliseFilter,
  parseLoudnormMode,
  type LoudnormMeasurement,
} from './loudness.ts';

export const DEFAULT_THUMBNAILS = 10;
const THUMBNAIL_WIDTH = 320;
/** The poster is the frame this far into the first take (past any opening transition). */
const POSTER_OFFSET_MS = 2000;
/**
 * Exports run below live outputs: a libx264 re-encode would otherwise take the cores the recorder's
 * Chromium and ffmpegs need to hold their frame rate. (The export worker also runs one at a time.)
 */
export const EXPORT_NICENESS = 10;
/** Share of the progress bar the video encode takes; probe, loudness, poster, strip and EDL share the rest. */
const ENCODE_SHARE = 0.75;

/**
 * Reads one page of the event's switch log: at most `limit` entries from `from` (the ms part of the
 * stream id, inclusive), oldest first. The controller's SwitchLog.query fits.
 */
export type SwitchLogReader = (eventId: string, range: TimeRangeQuery) => Promise<SwitchLogEntry[]>;

/** The switch log is read this many takes at a time; a long show has thousands. */
export const SWITCH_LOG_PAGE = 1000;

/** Reads the event's whole game log (score and period changes), oldest first. The controller's GameLog fits. */
export type GameLogReader = (eventId: string) => Promise<GameLogEntry[]>;

export interface VodExportOptions {
  readLog: SwitchLogReader;
  /** Without it, chapters come from markers and takes only. */
  readGame?: GameLogReader;
  onProgress?: (progress: number, message: string) => void;
  /** Display names of sources in chapters (the source id otherwise). */
  labelOf?: (source: string) => string;
  signal?: AbortSignal;
}

export class ExportInputError extends Error {
  override readonly name = 'ExportInputError';
}

export async function exportVod(job: ExportJob, options: VodExportOptions): Promise<ExportResult> {
  const report = options.onProgress ?? (() => undefined);
  const labelOf = options.labelOf ?? ((s: string) => s);
  report(0, 'reading the recording');
  const input = await probe(job.recording).catch((error: Error) => {
    throw new ExportInputError(error.message);
  });
  if (input.video === null) throw new ExportInputError(`${job.recording} has no video stream`);
  const fps = Math.round(input.video.fps) || 30;
  const inMs = Math.min(job.options.inMs ?? 0, input.durationMs);
  const outMs = Math.min(job.options.outMs ?? input.durationMs, input.durationMs);
  if (outMs <= inMs) throw new ExportInputError(`options.outMs (${outMs}) must be after options.inMs (${inMs})`);
  const lengthMs = outMs - inMs;

  const entries = await readWholeLog(options.readLog, job.eventId);
  const window = { recordingStartedAt: job.recordingStartedAt, inMs, outMs };
  const takes = takesInWindow(entries, window);
  // The match's moments (markers, periods, scores) when any falls in the window, else one chapter per take.
  const game =
    job.options.chapters === 'take' || options.readGame === undefined ? [] : await options.readGame(job.eventId);
  const moments =
    job.options.chapters === 'take' ? [] : [...(job.markers ?? []), ...gameMoments(game, job.chapterPolicy)];
  const opening = periodAt(game, job.recordingStartedAt + inMs) ?? 'Start';
  const momentChapters = markerChapters(moments, window, opening);
  const chapters = momentChapters.length > 0 ? momentChapters : takeChapters(takes, labelOf);
  await mkdir(job.outDir, { recursive: true });
  const file = (name: string) => join(job.outDir, name);
  await writeFile(file(EXPORT_FILES.metadata), ffmetadata(chapters, job.eventId));

  // Untrimmed H.264 and AAC are copied (seconds, not minutes); a trim is re-encoded so it cuts on the frame,
  // and normalised sound is re-encoded with its gain.
  const trimmed = inMs > 0 || outMs < input.durationMs;
  const inputArgs = [...(trimmed ? ['-ss', seconds(inMs), '-to', seconds(outMs)] : []), '-i', job.recording];
  const ffmpegOptions = { niceness: EXPORT_NICENESS, ...(options.signal ? { signal: options.signal } : {}) };
  const targetLufs = job.options.targetLufs ?? DEFAULT_LOUDNESS_TARGET_LUFS;
  let measured: LoudnormMeasurement | null = null;
  if (job.options.normaliseLoudness === true && input.audio !== null) {
    report(0.03, 'measuring loudness');
    measured = await measureForLoudnorm(inputArgs, targetLufs, ffmpegOptions);
  }
  const copyVideo = !trimmed && input.video.codec === 'h264';
  const copyAudio = !trimmed && measured === null && (input.audio === null || input.audio.codec === 'aac');
  const asked: readonly ExportTrack[] = job.options.tracks ?? [{ source: 'program' }];
  if (asked.some((t) => t.source === 'international') && input.audioStreams < 2)
    throw new ExportInputError(
      `${job.recording} has no international sound track: it was recorded with "Record international sound" ` +
        `off (the sound desk; audio.master.international), by Egress, or before the recorder made one`,
    );
  // A recording without sound has no program track to write.
  const tracks = asked.filter((t) => input.audio !== null || !isMix(t));
  const seatInputs: string[] = [];
  for (const track of tracks) {
    if (isMix(track)) continue;
    const iso = job.seatIso?.find((s) => s.seat === track.source);
    if (iso === undefined) throw new ExportInputError(`the job carries no ISO for ${track.source}`);
    report(0.04, `placing ${iso.title}`);
    const pcm = file(`.${track.source}.pcm`);
    const from = job.recordingStartedAt + inMs;
    await writeIsoSound(iso, from, from + lengthMs, pcm, ffmpegOptions);
    seatInputs.push(pcm);
  }
  report(0.05, copyVideo && copyAudio ? 'writing the MP4' : 'encoding the MP4');
  let seatIndex = 0;
  const audioArgs = tracks.flatMap((track, i) => {
    // Inputs: 0 the recording, 1 the chapters, then each seat's sound in the order of the tracks.
    const map =
      track.source === 'program' ? '0:a:0' : track.source === 'international' ? '0:a:1' : `${2 + seatIndex++}:a:0`;
    const mix = isMix(track);
    return [
      ...['-map', map],
      ...(mix && measured !== null ? [`-filter:a:${i}`, normaliseFilter(measured, targetLufs)] : []),
      ...(mix && copyAudio ? [`-c:a:${i}`, 'copy'] : [`-c:a:${i}`, 'aac', `-b:a:${i}`, '160k']),
      // MP4 keeps a track's name as its handler name (ffmpeg's mp4 muxer drops `title`); both are written.
      ...[`-metadata:s:a:${i}`, `title=${trackTitle(track, job)}`],
      ...[`-metadata:s:a:${i}`, `handler_name=${trackTitle(track, job)}`],
      ...[`-metadata:s:a:${i}`, `language=${track.language ?? (track.source === 'international' ? 'zxx' : 'und')}`],
      ...[`-disposition:a:${i}`, i === 0 ? 'default' : '0'],
    ];
  });
  const encodeLog = await runFfmpeg(
    [
      ...inputArgs,
      '-i',
      file(EXPORT_FILES.metadata),
      ...seatInputs.flatMap((pcm) => isoSoundInput(pcm)),
      '-map',
      '0:v:0',
      ...audioArgs,
      '-map_metadata',
      '1',
      '-map_chapters',
      '1',
      ...(copyVideo
        ? ['-c:v', 'copy']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p']),
      '-movflags',
      '+faststart',
      file(EXPORT_FILES.video),
    ],
    {
      ...ffmpegOptions,
      onProgress: (ms) => report(0.05 + ENCODE_SHARE * Math.min(1, ms / lengthMs), 'encoding the MP4'),
    },
  );
  await Promise.all(seatInputs.map((pcm) => rm(pcm, { force: true })));

  let loudness: ExportLoudness | undefined;
  if (input.audio !== null) {
    report(0.82, 'measuring loudness');
    loudness = {
      ...(await measureLoudness(file(EXPORT_FILES.video), ffmpegOptions)),
      normalised: measured === null ? null : { targetLufs, mode: parseLoudnormMode(encodeLog) },
    };
  }

  report(0.86, 'poster');
  const firstTake = takes[0];
  const posterMs = Math.min(lengthMs / 2, (firstTake?.startMs ?? 0) + POSTER_OFFSET_MS);
  await runFfmpeg(
    [
      '-ss',
      seconds(posterMs),
      '-i',
      file(EXPORT_FILES.video),
      '-frames:v',
      '1',
      '-q:v',
      '3',
      file(EXPORT_FILES.poster),
    ],
    { niceness: EXPORT_NICENESS },
  );

  report(0.9, 'thumbnail strip');
  const count = job.options.thumbnails ?? DEFAULT_THUMBNAILS;
  await runFfmpeg(
    [
      '-i',
      file(EXPORT_FILES.video),
      '-vf',
      `fps=${count}/${seconds(lengthMs)},scale=${THUMBNAIL_WIDTH}:-2,tile=${count}x1`,
      '-frames:v',
      '1',
      '-q:v',
      '4',
      file(EXPORT_FILES.thumbnails),
    ],
    { niceness: EXPORT_NICENESS },
  );

  report(0.97, 'EDL');
  await writeFile(file(EXPORT_FILES.edl), cmx3600(job.eventId, takes, fps));
  report(1, 'done');
  return {
    video: file(EXPORT_FILES.video),
    poster: file(EXPORT_FILES.poster),
    thumbnails: file(EXPORT_FILES.thumbnails),
    edl: file(EXPORT_FILES.edl),
    chapters,
    durationMs: lengthMs,
    ...(loudness === undefined ? {} : { loudness }),
  };
}

/**
 * Every take of the event, a page at a time. Pages start at the last entry's millisecond (inclusive, as
 * the reader's `from` is), so entries sharing it are read twice and kept once, by stream id.
 */
export async function readWholeLog(readLog: SwitchLogReader, eventId: string): Promise<SwitchLogEntry[]> {
  const entries: SwitchLogEntry[] = [];
  const seen = new Set<string>();
  let from: number | undefined;
  for (;;) {
    const page = await readLog(eventId, { ...(from === undefined ? {} : { from }), limit: SWITCH_LOG_PAGE });
    const fresh = page.filter((entry) => !seen.has(entry.id));
    for (const entry of fresh) seen.add(entry.id);
    entries.push(...fresh);
    const last = page.at(-1);
    if (page.length < SWITCH_LOG_PAGE || last === undefined) return entries;
    if (fresh.length === 0)
      throw new Error(`the switch log of ${eventId} has over ${SWITCH_LOG_PAGE} takes in one millisecond`);
    from = Number(last.id.split('-')[0]);
  }
}

/** The recording's own mixes (its tracks), as against a seat's ISO. */
function isMix(track: ExportTrack): boolean {
  return track.source === 'program' || track.source === 'international';
}

/** What a player lists the track as. */
function trackTitle(track: ExportTrack, job: ExportJob): string {
  if (track.source === 'program') return 'Program';
  if (track.source === 'international') return 'International';
  return job.seatIso?.find((s) => s.seat === track.source)?.title ?? track.source;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
