// A highlight reel: replay clips, each cut from its camera's ISO segments at its in and out points, joined by
// one transition (a dissolve, a dip through black, a wipe, or a cut) and encoded once to an H.264/AAC MP4.
// One ffmpeg run with one filter graph: every clip is brought to the reel's frame (the first clip's size,
// letterboxed, 30 fps, stereo 48 kHz; a camera without a microphone gives silence) and held to exactly its
// marked length, so each transition starts where the reel's arithmetic (protocol reelDurationMs) says.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { reelDurationMs, type ReelExportJob, type ReelTransition } from '../../protocol/index.ts';
import { probe, runFfmpeg } from '../../runtime/ffmpeg.ts';
import type { ClipExportResult } from './clip-export-worker.ts';
import { EXPORT_NICENESS } from './vod-export.ts';

/** The reel's frame rate: ISO segments come from phones at whatever rate they managed. */
export const REEL_FPS = 30;
/** Used when the first clip's picture size cannot be read. */
const FALLBACK_SIZE = { width: 1280, height: 720 };

/** ffmpeg xfade's name for each transition (a wipe from the left reveals the new picture moving right). */
const XFADE: Record<Exclude<ReelTransition['type'], 'cut'>, string> = {
  mix: 'fade',
  dip: 'fadeblack',
  wipe: 'wiperight',
};

export async function exportReel(
  job: ReelExportJob,
  onProgress: (progress: number) => void = () => undefined,
): Promise<ClipExportResult> {
  const clips = job.clips.map((clip) => {
    const first = clip.segments[0];
    if (first === undefined || clip.toMs <= clip.fromMs)
      throw new UnrecoverableError(`clip ${clip.clipId} has no media`);
    return {
      ...clip,
      startS: Math.max(0, clip.fromMs - first.startMs) / 1000,
      durationS: (clip.toMs - clip.fromMs) / 1000,
    };
  });
  const transition = job.transition;
  const overlapS = transition.type === 'cut' ? 0 : transition.durationMs / 1000;
  if (clips.some((c) => c.durationS <= overlapS))
    throw new UnrecoverableError('the transition is as long as a clip of the reel');
  const probes = await Promise.all(clips.map((c) => probe(c.segments[0]!.path)));
  const video = probes[0]?.video;
  // Even dimensions, as yuv420p H.264 needs.
  const width = 2 * Math.round((video?.width ?? FALLBACK_SIZE.width) / 2);
  const height = 2 * Math.round((video?.height ?? FALLBACK_SIZE.height) / 2);

  await mkdir(dirname(job.out), { recursive: true });
  const tag = randomUUID().slice(0, 8);
  const lists = clips.map((_, i) => `${job.out}.${tag}.${i}.txt`);
  const part = `${job.out}.part.mp4`;
  const totalMs = reelDurationMs(
    clips.map((c) => c.durationS * 1000),
    transition,
  );
  try {
    await Promise.all(
      clips.map((clip, i) =>
        writeFile(lists[i]!, clip.segments.map((s) => `file '${s.path.replaceAll("'", "'\\''")}'\n`).join('')),
      ),
    );
    const graph: string[] = [];
    clips.forEach((clip, i) => {
      const d = clip.durationS.toFixed(3);
      graph.push(
        `[${i}:v]trim=start=${clip.startS.toFixed(3)},setpts=PTS-STARTPTS,fps=${REEL_FPS},` +
          `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,` +
          `setsar=1,format=yuv420p,tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS[v${i}]`,
      );
      graph.push(
        probes[i]?.audio === null
          ? `anullsrc=r=48000:cl=stereo,atrim=duration=${d}[a${i}]`
          : `[${i}:a]atrim=start=${clip.startS.toFixed(3)},asetpts=PTS-STARTPTS,aresample=48000,` +
              `aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=duration=${d},asetpts=PTS-STARTPTS[a${i}]`,
      );
    });
    graph.push(
      ...joins(
        clips.map((c) => c.durationS),
        transition,
        overlapS,
      ),
    );
    await runFfmpeg(
      [
        '-v',
        'error',
        ...lists.flatMap((list) => ['-f', 'concat', '-safe', '0', '-i', list]),
        ...['-filter_complex', graph.join(';'), '-map', '[v]', '-map', '[a]'],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(REEL_FPS)],
        ...['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-movflags', '+faststart', part],
      ],
      { niceness: EXPORT_NICENESS, onProgress: (ms) => onProgress(Math.min(1, ms / totalMs)) },
    );
    await rename(part, job.out);
  } finally {
    await Promise.all([...lists, part].map((file) => rm(file, { force: true })));
  }
  return { file: job.out, durationMs: (await probe(job.out)).durationMs };
}

/** The filter chains joining [v0][a0]…[vN][aN] into [v][a]: one concat for cuts, else pairwise crossfades. */
function joins(durationsS: readonly number[], transition: ReelTransition, overlapS: number): string[] {
  const n = durationsS.length;
  if (n === 1) return ['[v0]null[v]', '[a0]anull[a]'];
  if (overlapS === 0) {
    const inputs = durationsS.map((_, i) => `[v${i}][a${i}]`).join('');
    return [`${inputs}concat=n=${n}:v=1:a=1[v][a]`];
  }
  const name = XFADE[transition.type as keyof typeof XFADE];
  const chains: string[] = [];
  let lengthS = durationsS[0] ?? 0;
  for (let i = 1; i < n; i++) {
    const [video, audio] = i === 1 ? ['[v0]', '[a0]'] : [`[vx${i - 1}]`, `[ax${i - 1}]`];
    const [videoOut, audioOut] = i === n - 1 ? ['[v]', '[a]'] : [`[vx${i}]`, `[ax${i}]`];
    // The next clip comes in `overlap` before the reel so far ends.
    const offset = (lengthS - overlapS).toFixed(3);
    chains.push(`${video}[v${i}]xfade=transition=${name}:duration=${overlapS.toFixed(3)}:offset=${offset}${videoOut}`);
    chains.push(`${audio}[a${i}]acrossfade=d=${overlapS.toFixed(3)}${audioOut}`);
    lengthS += (durationsS[i] ?? 0) - overlapS;
  }
  return chains;
}
