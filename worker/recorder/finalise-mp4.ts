import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';

/**
 * Rewrites a fragmented MP4 (safe while recording) into a progressive one
 * with the moov at the front (fast start for VOD players). Stream copy only,
 * so it costs I/O, not CPU. Writes to a temp name and renames atomically;
 * the fragmented source is kept unless removeSource is set.
 */
export interface FinaliseOptions {
  removeSource?: boolean;
  ffmpegPath?: string;
  /**
   * Cut the programme to exactly this length (a recording asked for N seconds). Stream copy cuts at
   * packets: every video frame is one, so the video is exact; AAC ends within one 21 ms audio frame.
   */
  durationS?: number;
}

export async function finaliseMp4(
  fragmentedPath: string,
  outputPath: string,
  opts: FinaliseOptions = {},
): Promise<void> {
  const tmp = `${outputPath}.tmp.mp4`;
  const trim = opts.durationS === undefined ? [] : ['-t', opts.durationS.toFixed(6)];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-i',
    fragmentedPath,
    '-map',
    '0',
    '-c',
    'copy',
    ...trim,
    '-movflags',
    '+faststart',
    '-y',
    tmp,
  ];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`faststart remux failed (${code}): ${err.trim()}`)),
    );
  });
  await rename(tmp, outputPath);
  if (opts.removeSource && fragmentedPath !== outputPath) await rm(fragmentedPath, { force: true });
}
