// `npm run demo`'s recording path (embedded stack, real template, built-in recorder) asked for an exact
// length: the MP4 is that long to the frame, at the asked rate and size, and shows and sounds like the
// program source of each moment of the cue sheet.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testSourceColour, testSourceToneHz } from '../../protocol/index.ts';
import { recordProgram, type DemoCueSheet } from '../../scripts/program-recording.ts';
import { colourDistance, hexToRgb, regionColour, tonePowers } from './media-checks.ts';

const W = 1280;
const H = 720;
const FPS = 30;
const SECONDS = 10;
/** Cuts at known times; the demo event starts on camera-1. */
const CUES: DemoCueSheet = [
  { atMs: 2000, command: { type: 'program.take', source: 'camera-2', transition: { type: 'cut' } } },
  { atMs: 5000, command: { type: 'program.take', source: 'camera-3', transition: { type: 'cut' } } },
  { atMs: 8000, command: { type: 'program.take', source: 'camera-4', transition: { type: 'cut' } } },
];
/** Each take is checked one second later (`take time + 1 s`), plus the opening source. */
const EXPECTED: [atS: number, camera: number][] = [
  [1, 1],
  [3, 2],
  [6, 3],
  [9, 4],
];

describe('a program recording of a set length (npm run demo)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitchside-demo-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is 10 s to the frame at 1280×720@30, with the cue sheet’s sources in picture and sound', async () => {
    const out = join(dir, 'program.mp4');
    const summary = await recordProgram({
      video: { width: W, height: H, fps: FPS },
      seconds: SECONDS,
      cues: CUES,
      out,
    });
    expect(summary.cueErrors).toEqual([]);
    expect(summary.probe.video).toMatchObject({ codec: 'h264', width: W, height: H });
    expect(summary.probe.video?.fps).toBeCloseTo(FPS, 1);
    expect(summary.probe.audio?.codec).toBe('aac');
    expect(Math.abs(summary.probe.durationMs - SECONDS * 1000)).toBeLessThanOrEqual(1000 / FPS);
    const frames = Number(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-count_packets',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=nb_read_packets',
        '-of',
        'csv=p=0',
        out,
      ])
        .toString()
        .trim(),
    );
    expect(Math.abs(frames - SECONDS * FPS)).toBeLessThanOrEqual(1);

    for (const [atS, camera] of EXPECTED) {
      expect(
        colourDistance(regionColour(out, atS, W, H), hexToRgb(testSourceColour(camera))),
        `picture at ${atS} s`,
      ).toBeLessThanOrEqual(12);
      const tones = [1, 2, 3, 4].map((n) => testSourceToneHz(n));
      const powers = tonePowers(out, atS - 0.25, 0.5, tones);
      const loudest = powers.indexOf(Math.max(...powers)) + 1;
      expect(loudest, `sound at ${atS} s`).toBe(camera);
    }
  });
});
