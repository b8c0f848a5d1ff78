// An ISO segment as a camera page uploads it: a VP8 WebM of a moving test pattern, made by ffmpeg.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function makeIsoSegment(dir: string, seconds: number, name = 'segment.webm'): Buffer {
  const file = join(dir, name);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=30:d=${seconds}`],
    ...['-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-y', file],
  ]);
  return readFileSync(file);
}
