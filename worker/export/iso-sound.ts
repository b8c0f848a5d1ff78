// A commentary seat's ISO as one sound track over an export's window: its segments placed by their
// server-time stamps (each runs to the next one's start, as the re-render places a camera's), silence where
// the seat recorded nothing, written as raw PCM the export muxes as a track of its own. Segments are read a
// batch per ffmpeg (bounded inputs and filter graph, however long the show) and the batches appended.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { SeatIso } from '../../protocol/index.ts';
import { runFfmpeg, type FfmpegRunOptions } from '../../runtime/ffmpeg.ts';
import { AUDIO_RATE, filterPath } from './rerender-graph.ts';
import { isoCoverage } from './rerender-timeline.ts';

/** Segment files one ffmpeg reads (about a minute of a seat at ISO_SEGMENT_MS). */
const FILES_PER_RUN = 30;
/** The track's raw format: what `isoSoundInput` tells ffmpeg when it reads it back. */
const PCM = { format: 's16le', channels: 1 } as const;

type Part = { kind: 'silence'; samples: number } | { kind: 'segment'; file: string; skip: number; samples: number };

/** ffmpeg input arguments that read a track written by writeIsoSound. */
export function isoSoundInput(file: string): string[] {
  return ['-f', PCM.format, '-ar', String(AUDIO_RATE), '-ac', String(PCM.channels), '-i', file];
}

/**
 * The seat's sound over server times [fromMs, toMs) into `out`: raw PCM of exactly the window's length
 * (96 kB a second: a working file the export removes once muxed).
 */
export async function writeIsoSound(
  iso: SeatIso,
  fromMs: number,
  toMs: number,
  out: string,
  options: FfmpegRunOptions = {},
): Promise<void> {
  const samples = (ms: number) => Math.round((ms * AUDIO_RATE) / 1000);
  const parts: Part[] = [];
  let cursor = fromMs;
  const silence = (ms: number) => {
    if (samples(ms) > 0) parts.push({ kind: 'silence', samples: samples(ms) });
  };
  for (const segment of isoCoverage(iso.segments)) {
    const a = Math.max(cursor, segment.startMs);
    const b = Math.min(toMs, segment.endMs);
    if (b <= a) continue;
    silence(a - cursor);
    // Counted from the window's start, so rounding never accumulates along the track.
    const length = samples(b - fromMs) - samples(a - fromMs);
    parts.push({ kind: 'segment', file: segment.file, skip: samples(a - segment.startMs), samples: length });
    cursor = b;
  }
  silence(toMs - cursor);
  await writeFile(out, Buffer.alloc(0));
  for (let at = 0; at < parts.length;) {
    const batch: Part[] = [];
    let files = 0;
    while (at < parts.length && (files < FILES_PER_RUN || parts[at]?.kind === 'silence')) {
      const part = parts[at++]!;
      if (part.kind === 'segment') files += 1;
      batch.push(part);
    }
    await appendBatch(batch, `${out}.part`, options);
    await pipeline(createReadStream(`${out}.part`), createWriteStream(out, { flags: 'a' }));
  }
  await rm(`${out}.part`, { force: true });
}

async function appendBatch(parts: readonly Part[], out: string, options: FfmpegRunOptions): Promise<void> {
  const sound = `aresample=${AUDIO_RATE},aformat=sample_fmts=s16:channel_layouts=mono`;
  const lines = parts.map((part, i) =>
    part.kind === 'silence'
      ? `anullsrc=r=${AUDIO_RATE}:cl=mono,atrim=end_sample=${part.samples}[p${i}]`
      : // A segment whose media runs short of its stamps is padded with silence to its place's end.
        `amovie=filename=${filterPath(part.file)},asetpts=PTS-STARTPTS,${sound},apad,` +
        `atrim=start_sample=${part.skip}:end_sample=${part.skip + part.samples},asetpts=PTS-STARTPTS[p${i}]`,
  );
  lines.push(`${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=0:a=1,${sound}[a]`);
  await runFfmpeg(
    ['-v', 'error', '-filter_complex', lines.join(';'), '-map', '[a]', '-f', PCM.format, '-ac', '1', out],
    options,
  );
}
