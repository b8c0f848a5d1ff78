// Re-render of the program from the cameras' ISO recordings and the switch log, faster than real time: no
// browser steps the template per frame (on two cores that is slower than real time); ffmpeg decodes the ISO
// segments and cuts, mixes and wipes between them at the takes' server times (rerender-timeline.ts,
// rerender-graph.ts). The output is chunked (one ffmpeg per CHUNK_SECONDS, video H.264 and sound PCM in
// Matroska), then the chunks are joined without re-encoding the picture and the sound encoded once to AAC.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  RERENDER_FILE,
  type IsoSegment,
  type RerenderJob,
  type RerenderResult,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { probe, runFfmpeg } from '../../runtime/ffmpeg.ts';
import { buildChunkGraph } from './rerender-graph.ts';
import { chunkSpans, isoCoverage, programSpans, type IsoPiece, type SourceMedia } from './rerender-timeline.ts';
import { EXPORT_NICENESS, ExportInputError } from './vod-export.ts';

/** Program seconds one ffmpeg renders: bounds the files it opens (a segment is 2 s) and its filter graph. */
export const CHUNK_SECONDS = 20;
/**
 * x264 preset of the re-render. The encode is most of its cost (decoding and scaling the ISOs is about a
 * tenth); `superfast` takes two thirds of the CPU of `veryfast` (the VOD export's) at the same CRF, which
 * keeps 1080p faster than real time on two cores (bench/rerender, README § Instant replay).
 */
export const RERENDER_PRESET = 'superfast';
const RERENDER_CRF = '20';
/** ISO segments probed at once for a sound track. */
const PROBES_AT_ONCE = 4;
/** Share of the progress bar the chunks take; joining them and the AAC encode take the rest. */
const RENDER_SHARE = 0.95;

export interface RerenderSourceReader {
  /** Every entry of the event's switch log (the take on air at fromMs included). */
  readLog(eventId: string): Promise<SwitchLogEntry[]>;
  /** Cameras with ISO segments, and one camera's segments overlapping [fromMs, toMs]. */
  isoCameras(eventId: string): Promise<string[]>;
  isoSegments(eventId: string, camera: string, fromMs: number, toMs: number): Promise<IsoSegment[]>;
}

export interface RerenderOptions {
  onProgress?: (progress: number, message: string) => void;
  /** x264 preset (the bench compares); RERENDER_PRESET when left out. */
  preset?: string;
  signal?: AbortSignal;
}

export async function rerender(
  job: RerenderJob,
  reader: RerenderSourceReader,
  options: RerenderOptions = {},
): Promise<RerenderResult> {
  const started = performance.now();
  const report = options.onProgress ?? (() => undefined);
  if (job.toMs <= job.fromMs) throw new ExportInputError(`toMs (${job.toMs}) must be after fromMs (${job.fromMs})`);
  const { width, height, fps } = job.video;
  const clock = { t0: job.fromMs, fps };
  const frames = Math.round(((job.toMs - job.fromMs) * fps) / 1000);
  report(0, 'reading the switch log and the ISO index');

  // Each camera's segments, and their coverage without the ones found unreadable (a recorder stopped before
  // its first frame leaves a header-only file): those are the slate, like any hole in the ISO.
  const segmentsOf = new Map<string, IsoPiece[]>();
  for (const camera of await reader.isoCameras(job.eventId)) {
    const segments = await reader.isoSegments(job.eventId, camera, job.fromMs, job.toMs);
    const dir = join(job.isoDir, job.eventId, camera);
    segmentsOf.set(
      camera,
      segments.map((s) => ({ file: join(dir, s.file), startMs: s.startMs, endMs: s.endMs })),
    );
  }
  /** What a probe found in each ISO file the render uses: null when it has no readable picture. */
  const found = new Map<string, { audio: boolean } | null>();
  const coverage = new Map<string, IsoPiece[]>();
  const cover = () => {
    for (const [camera, segments] of segmentsOf)
      coverage.set(camera, isoCoverage(segments.filter((s) => found.get(s.file) !== null)));
  };
  cover();
  const testSources = new Set(job.testSources);
  const media: SourceMedia = {
    iso: (source) => coverage.get(source),
    isTestSource: (source) => testSources.has(source),
  };
  const chunks = chunkSpans(programSpans(await reader.readLog(job.eventId), clock, frames), CHUNK_SECONDS * fps);

  await mkdir(job.outDir, { recursive: true });
  const work = join(job.outDir, `.rerender-${randomUUID().slice(0, 8)}`);
  await mkdir(work, { recursive: true });
  let slateFrames = 0;
  try {
    const parts: string[] = [];
    let done = 0;
    for (const [i, spans] of chunks.entries()) {
      const graphOf = () =>
        buildChunkGraph(spans, {
          width,
          height,
          clock,
          media,
          hasAudio: (file) => found.get(file)?.audio ?? false,
        });
      // The files the chunk uses are probed once, a few at a time (an ffprobe is mostly its start-up): which
      // carry sound (a camera page without a microphone records picture only), and which cannot be read at
      // all (then the coverage is drawn again without them, and the graph built again).
      for (;;) {
        const unknown = [...new Set(graphOf().files)].filter((file) => !found.has(file));
        if (unknown.length === 0) break;
        for (let at = 0; at < unknown.length; at += PROBES_AT_ONCE) {
          const batch = unknown.slice(at, at + PROBES_AT_ONCE);
          const infos = await Promise.all(batch.map((file) => probe(file).catch(() => null)));
          batch.forEach((file, j) => {
            const info = infos[j];
            found.set(file, info?.video != null ? { audio: info.audio !== null } : null);
          });
        }
        cover();
      }
      const graph = graphOf();
      slateFrames += graph.slateFrames;
      const script = join(work, `chunk-${i}.filter`);
      const part = join(work, `chunk-${String(i).padStart(5, '0')}.mkv`);
      await writeFile(script, graph.filter);
      const chunkFrames = spans.reduce((sum, s) => sum + s.to - s.from, 0);
      const message = `rendering ${Math.round((done / fps) * 10) / 10} s of ${Math.round((frames / fps) * 10) / 10} s`;
      await runFfmpeg(
        [
          ...['-v', 'error'],
          ...['-filter_complex_script', script, '-map', '[v]', '-map', '[a]'],
          ...[
            '-c:v',
            'libx264',
            '-preset',
            options.preset ?? RERENDER_PRESET,
            '-crf',
            RERENDER_CRF,
            '-pix_fmt',
            'yuv420p',
          ],
          ...['-g', String(2 * fps), '-c:a', 'pcm_s16le', part],
        ],
        {
          niceness: EXPORT_NICENESS,
          onProgress: (ms) => report((RENDER_SHARE * Math.min(frames, done + (ms * fps) / 1000)) / frames, message),
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      parts.push(part);
      done += chunkFrames;
      report((RENDER_SHARE * done) / frames, message);
    }

    report(RENDER_SHARE, 'joining the chunks');
    const list = join(work, 'chunks.txt');
    await writeFile(list, parts.map((p) => `file '${p.replaceAll("'", "'\\''")}'\n`).join(''));
    const out = join(job.outDir, RERENDER_FILE);
    const partial = join(work, RERENDER_FILE);
    await runFfmpeg(
      [
        ...['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list],
        ...['-c:v', 'copy', '-c:a', 'aac', '-b:a', '160k', '-movflags', '+faststart', partial],
      ],
      { niceness: EXPORT_NICENESS, ...(options.signal ? { signal: options.signal } : {}) },
    );
    await rename(partial, out);
    const renderMs = performance.now() - started;
    const durationMs = (await probe(out)).durationMs;
    report(1, 'done');
    return {
      video: out,
      durationMs,
      width,
      height,
      fps,
      renderMs: Math.round(renderMs),
      speed: Math.round((durationMs / renderMs) * 100) / 100,
      slateMs: Math.round((slateFrames * 1000) / fps),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
