import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';

/**
 * Rewrites a fragmented MP4 (safe while recording) into a progressive one
 * with the moov at the front (fast start for VOD players). Stream copy only,
 * so it costs I/O, not CPU. Writes to a temp name and renames atomically;
 * the fragmented source is kept unless removeSource is set.
 */
export async function finaliseMp4(fragmentedPath: string, outputPath: string, opts: { removeSource?: boolean; ffmpegPath?: string } = {}): Promise<void> {
  const tmp = `${outputPath}.tmp.mp4`;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', fragmentedPath, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-y', tmp];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`faststart remux failed (${code}): ${err.trim()}`))));
  });
  await rename(tmp, outputPath);
  if (opts.removeSource && fragmentedPath !== outputPath) await rm(fragmentedPath, { force: true });
}
