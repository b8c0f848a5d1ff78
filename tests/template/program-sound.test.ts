// The mixer's limiter and meters in the built-in recorder's page (real Chromium, the recorder, ffmpeg): the
// page's integrated loudness agrees with ffmpeg's ebur128 on the recording of the same stretch, a tone
// below the limiter's threshold is recorded at exactly its level, a tone pushed to +6 dBFS is
// recorded under the ceiling by ffmpeg's true-peak measure, and a source set 200 ms late starts 200 ms after
// its twin. Heavy (a recorder for ~35 s): solo-list it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSourceToneHz, type AudioMeters } from '../../protocol/index.ts';
import { Recorder } from '../../worker/recorder/recorder.ts';
import { decodePcm, ebur128, onsetMs, toneDb } from '../helpers/audio-checks.ts';
import { TemplateControllerStub } from '../helpers/template-controller-stub.ts';

const W = 1280;
const H = 720;
const FPS = 30;
/** A test source's tone: a sine at −12 dBFS (TONE_GAIN 0.25). */
const TONE_DBFS = 20 * Math.log10(0.25);
const STEADY_S = 22;
const HOT_S = 7;
const DUCK_S = 5;
const CEILING_DBTP = -1;
const DELAY_S = 4;
const DELAY_MS = 200;
/** The twin's own delay: longer than a loaded page takes from making a source to opening its fader. */
const TWIN_DELAY_MS = 300;
/**
 * The bound (15 ms) plus one rendered frame (34 ms at 30 fps): both tones come from the page's own clock
 * and a DelayNode is sample-exact, but each tone starts when the page makes its source, and on a loaded machine
 * the two were once made a frame apart (218 ms read for 200 in a full fresh-clone run; 200.0 idle).
 */
const DELAY_TOLERANCE_MS = 15 + 34;
/** ±1 LU is the bound for the page's meter against ffmpeg's. */
const LOUDNESS_TOLERANCE_LU = 1;
/** A tone below the limiter's threshold goes through unchanged: AAC and Goertzel leave this much. */
const LEVEL_TOLERANCE_DB = 0.5;

let stub: TemplateControllerStub;
let dir: string;

beforeAll(async () => {
  stub = new TemplateControllerStub({ sourceCount: 2 });
  await stub.start();
  dir = mkdtempSync(join(tmpdir(), 'pitchside-sound-'));
});

afterAll(async () => {
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});

function meterReports(): { at: number; meters: AudioMeters }[] {
  return stub.received
    .filter((f) => f.type === 'audio.meters')
    .map((f) => ({ at: Date.now(), meters: f['meters'] as AudioMeters }));
}

async function waitForReport(predicate: (m: AudioMeters) => boolean, timeoutMs: number): Promise<AudioMeters> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const last = meterReports().at(-1)?.meters;
    if (last !== undefined && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no meter report matched; last: ${JSON.stringify(meterReports().at(-1))}`);
}

describe('program sound: limiter and meters in the recorder page', () => {
  it('meters agree with ffmpeg ebur128; the limiter is transparent below its threshold and holds the ceiling above', async () => {
    const [hz1, hz2] = [testSourceToneHz(1), testSourceToneHz(2)];
    // camera-1 on program (follows the picture), camera-2 always in the mix 6 dB down.
    stub.command(
      { type: 'program.take', source: 'camera-1', transition: { type: 'cut', durationMs: 0 } },
      { type: 'audio.source', source: 'camera-2', mode: 'on', gainDb: -6 },
      { type: 'audio.master', limiter: { on: true, ceilingDbtp: CEILING_DBTP } },
    );
    const file = join(dir, 'program.mp4');
    const recorder = new Recorder({
      url: stub.templateUrl({ width: W, height: H, fps: FPS }),
      width: W,
      height: H,
      fps: FPS,
      outputs: [{ id: 'vod', kind: 'file', path: file }],
    });
    await recorder.start();
    const startedAt = Date.now();
    try {
      // The output page reports meters ~10×/s to the controller.
      // Each source's pre-fader meter: both tones at −12 dBFS peak whatever their faders.
      const first = await waitForReport((m) => Object.keys(m.sources).length === 2, 10_000);
      expect(Object.keys(first.sources).sort()).toEqual(['camera-1', 'camera-2']);
      for (const meter of Object.values(first.sources)) expect(meter.peakDb).toBeCloseTo(TONE_DBFS, 0);
      await new Promise((r) => setTimeout(r, startedAt + STEADY_S * 1000 - Date.now()));
      const steady = meterReports().at(-1)?.meters;
      expect(steady?.master.gainReductionDb).toBeGreaterThan(-0.1);
      const reportsBefore = meterReports().length;

      // Push camera-1 to +6 dBFS (fader +10, master +8): far over the ceiling.
      stub.command({ type: 'audio.source', source: 'camera-1', gainDb: 10 }, { type: 'audio.master', gainDb: 8 });
      const hot = await waitForReport((m) => m.master.gainReductionDb < -6, 5000);
      expect(meterReports().length).toBeGreaterThan(reportsBefore);
      await new Promise((r) => setTimeout(r, HOT_S * 1000));
      expect(hot.master.truePeakDbtp).toBeLessThanOrEqual(CEILING_DBTP);

      // Ducking: camera-2 (on, over the −40 dBFS threshold) now ducks the others by the default 10 dB.
      stub.command(
        { type: 'audio.source', source: 'camera-1', gainDb: 0 },
        { type: 'audio.master', gainDb: 0 },
        { type: 'audio.source', source: 'camera-2', duckOthers: true },
      );
      const duckFromS = (Date.now() - startedAt) / 1000 + 1;
      await new Promise((r) => setTimeout(r, DUCK_S * 1000));

      // Delay: camera-3 and camera-4 join in one frame, both always on; camera-4 is set 200 ms later than
      // camera-3, so its tone starts 200 ms after its twin's (same clock, same frame). Both are delayed (300
      // and 500 ms) so that both onsets are their delay lines' (a tone reaching the line when it joined), not
      // the fader opening: the page opens the faders at its next rendered frame, tens of ms after the sources
      // were made on a loaded machine, and an undelayed twin would start then (172–193 ms read for 200).
      stub.command(
        { type: 'audio.source', source: 'camera-2', duckOthers: false },
        { type: 'source.add', source: { id: 'camera-3', label: 'Camera 3', kind: 'test' } },
        { type: 'source.add', source: { id: 'camera-4', label: 'Camera 4', kind: 'test' } },
        { type: 'audio.source', source: 'camera-3', mode: 'on', gainDb: -6, delayMs: TWIN_DELAY_MS },
        { type: 'audio.source', source: 'camera-4', mode: 'on', gainDb: -6, delayMs: TWIN_DELAY_MS + DELAY_MS },
      );
      const joinedFromS = (Date.now() - startedAt) / 1000 - 1;
      await new Promise((r) => setTimeout(r, DELAY_S * 1000));

      await recorder.close();
      // The meter: the page integrated the same steady programme the recording carries.
      const reference = ebur128(file, 1, STEADY_S - 3);
      expect(
        Math.abs((steady?.master.integratedLufs ?? 0) - reference.integratedLufs),
        `page ${steady?.master.integratedLufs} LUFS, ffmpeg ${reference.integratedLufs} LUFS`,
      ).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);

      // Below the threshold: each tone exactly at its level (−12 dBFS; −18 dBFS for the −6 dB fader).
      const pcm = decodePcm(file, 2, 10);
      expect(Math.abs(toneDb(pcm, hz1) - TONE_DBFS)).toBeLessThanOrEqual(LEVEL_TOLERANCE_DB);
      expect(Math.abs(toneDb(pcm, hz2) - (TONE_DBFS - 6))).toBeLessThanOrEqual(LEVEL_TOLERANCE_DB);

      // Above: the recording's true peak (ffmpeg, 4× oversampled) stays under the ceiling.
      const hotStretch = ebur128(file, STEADY_S + 1.5, HOT_S - 2);
      expect(hotStretch.truePeakDbtp, `true peak ${hotStretch.truePeakDbtp} dBTP`).toBeLessThanOrEqual(CEILING_DBTP);
      const hotTone = toneDb(decodePcm(file, STEADY_S + 1.5, HOT_S - 2), hz1);
      expect(hotTone).toBeGreaterThan(CEILING_DBTP - 4);
      const ducked = decodePcm(file, duckFromS, DUCK_S - 2);
      expect(Math.abs(toneDb(ducked, hz1) - (TONE_DBFS - 10)), 'camera-1 ducked by 10 dB').toBeLessThanOrEqual(
        LEVEL_TOLERANCE_DB,
      );
      expect(Math.abs(toneDb(ducked, hz2) - (TONE_DBFS - 6)), 'camera-2 as it was').toBeLessThanOrEqual(
        LEVEL_TOLERANCE_DB,
      );
      const joined = decodePcm(file, joinedFromS, DELAY_S);
      const [hz3, hz4] = [testSourceToneHz(3), testSourceToneHz(4)];
      const delayMs = onsetMs(joined, hz4) - onsetMs(joined, hz3);
      expect(Math.abs(delayMs - DELAY_MS), `camera-4 ${delayMs} ms after camera-3`).toBeLessThanOrEqual(
        DELAY_TOLERANCE_MS,
      );
      console.info(
        `program sound: delay ${delayMs.toFixed(1)} ms; page ${steady?.master.integratedLufs.toFixed(2)} LUFS vs ffmpeg ${reference.integratedLufs} LUFS;` +
          ` tones ${toneDb(pcm, hz1).toFixed(2)} / ${toneDb(pcm, hz2).toFixed(2)} dBFS;` +
          ` hot: ffmpeg true peak ${hotStretch.truePeakDbtp} dBTP, tone ${hotTone.toFixed(2)} dBFS,` +
          ` page gain reduction ${hot.master.gainReductionDb.toFixed(1)} dB`,
      );
    } finally {
      await recorder.close().catch(() => undefined);
    }
  }, 180_000);
});
