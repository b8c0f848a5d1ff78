// Issue 11, hole 11: recordings and exports are removed after their retention (settings in days,
// 0 = forever); nothing recent is touched, and a recording still being written never is (fresh mtime).
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testLogger } from '../helpers/logger.ts';
import { DAY_MS } from '../../runtime/config.ts';
import { sweepRetention } from '../../worker/retention.ts';

const root = mkdtempSync(join(tmpdir(), 'pitchside-retention-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, ageDays: number): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x');
  const at = (Date.now() - ageDays * DAY_MS) / 1000;
  utimesSync(path, at, at);
  return path;
}

describe('retention sweep', () => {
  it('removes recordings, HLS streams and exports past their days, keeps the rest, and keeps everything at 0 days', async () => {
    const recordings = join(root, 'recordings');
    const exports = join(root, 'exports');
    const oldRecording = file(join(recordings, 'cup', 'cup-1.mp4'), 40);
    const oldFragment = file(join(recordings, 'cup', 'cup-1.frag.mp4'), 40);
    const oldStart = file(join(recordings, 'cup', 'cup-1.mp4.start.json'), 40);
    const recent = file(join(recordings, 'cup', 'cup-2.mp4'), 2);
    const goneEvent = file(join(recordings, 'old-event', 'old-event-1.mp4'), 90);
    const oldExport = join(exports, 'cup', 'export-cup-aaaa');
    file(join(oldExport, 'program.mp4'), 10);
    file(join(oldExport, 'takes.edl'), 10);
    const newExport = join(exports, 'cup', 'export-cup-bbbb');
    file(join(newExport, 'program.mp4'), 1);
    // A finished stream's window, and a live one (its playlist rewritten a moment ago) beside old segments.
    const hls = join(root, 'hls');
    const oldStream = join(hls, 'cup', 'pitchside-hls');
    file(join(oldStream, 'index.m3u8'), 40);
    file(join(oldStream, 'seg-1.m4s'), 40);
    const liveStream = join(hls, 'final', 'pitchside-hls');
    file(join(liveStream, 'seg-1.m4s'), 40);
    file(join(liveStream, 'index.m3u8'), 0);
    const log = testLogger('retention');

    const keepAll = {
      recordingsDir: recordings,
      exportsDir: exports,
      hlsDir: hls,
      recordingDays: 0,
      exportDays: 0,
      log,
    };
    expect(await sweepRetention(keepAll)).toEqual([]);

    const removed = await sweepRetention({ ...keepAll, recordingDays: 30, exportDays: 7 });
    expect(removed.sort()).toEqual([oldRecording, oldFragment, oldStart, goneEvent, oldExport, oldStream].sort());
    for (const path of [oldRecording, oldFragment, oldStart, goneEvent, oldExport, oldStream])
      expect(existsSync(path)).toBe(false);
    expect(existsSync(join(recordings, 'old-event'))).toBe(false);
    for (const path of [recent, newExport, liveStream]) expect(existsSync(path)).toBe(true);
  });
});
