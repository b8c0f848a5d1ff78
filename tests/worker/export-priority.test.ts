// Issue 11, hole 11: exports (libx264) run below live outputs. An export's ffmpeg is started at
// EXPORT_NICENESS, so a re-encode cannot take the cores the recorder needs to hold its frame rate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../runtime/ffmpeg.ts';
import { EXPORT_NICENESS } from '../../worker/export/vod-export.ts';
import { until } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pitchside-nice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Nice values of this process's ffmpeg children. */
function childFfmpegNiceness(): number[] {
  const out = execFileSync('ps', ['-o', 'ni=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'ffmpeg')
    .map(([ni]) => Number(ni));
}

describe('export priority', () => {
  it(`runs the export encoder at nice ${EXPORT_NICENESS}, below the worker`, async () => {
    expect(EXPORT_NICENESS).toBeGreaterThan(0);
    const abort = new AbortController();
    const encode = runFfmpeg(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=s=640x360:r=30:d=60',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        join(dir, 'x.mp4'),
      ],
      { niceness: EXPORT_NICENESS, signal: abort.signal },
    ).catch(() => undefined);
    try {
      await until(() => childFfmpegNiceness().length > 0, 10_000, 'the export ffmpeg');
      expect(childFfmpegNiceness()).toEqual([EXPORT_NICENESS]);
    } finally {
      abort.abort();
      await encode;
    }
  });
});
