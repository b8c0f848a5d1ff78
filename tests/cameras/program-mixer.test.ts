// Issue 20's mixer end to end: two phones (Chromium fake devices, each its own colour and tone) and the demo
// event's test sources, the real controller and the built-in recorder. Camera A is on program (its sound
// follows the picture); camera B is `on` at −6 dB: in the recording B stays 6 dB under its own 0 dB level
// across a cut and a mix, A's tone comes and goes with A's picture, B muted is gone, and B's 500 ms delay
// moves its keyed tone about half a pulse later against A's. Heavy: solo-list it.
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { testSourceToneHz } from '../../protocol/index.ts';
import { until } from '../worker/helpers.ts';
import { decodePcm, onsetPhaseMs, soundingToneDb, toneDb } from '../helpers/audio-checks.ts';
import { DirectCameraStack, type PhoneMedia } from './direct-camera-stack.ts';

/**
 * Both tones are keyed on for half of every second: B's delay is measured by where its onsets fall against
 * A's in the same stretch. A is never delayed, and it crosses the same recorder, so whatever moves the
 * recording's clock against the phones' (the capture catching up after a busy moment) moves both alike.
 */
const PULSE_MS = 1000;
const PHONE_A: PhoneMedia = { colour: '#c8d820', toneHz: 2750, pulsePeriodMs: PULSE_MS };
const PHONE_B: PhoneMedia = { colour: '#20c0d8', toneHz: 3250, pulsePeriodMs: PULSE_MS };
const TEST_TONE_HZ = testSourceToneHz(1);
/** Each stretch is measured this long after the command that starts it (the gains glide, the mix ends). */
const SETTLE_MS = 700;
const STRETCH_MS = 3000;
/**
 * The delay line's precision is measured where it can be: `program-sound` delays a test source (rendered in the
 * page, no network) and reads it to a frame. Here a phone's sound reaches the recording through Chromium's
 * fake microphone (a file played on a timer) and a WebRTC jitter buffer, and each stream's onsets jump against
 * the other's between stretches: the 200 ms this test used to apply read 151, 307 and 379 ms on loaded
 * two-core runs. So this checks that a phone source's delay is applied, with half a pulse: not applied reads
 * 0 ± 180 ms, applied 500 ± 180 ms, and the bound sits between them.
 */
const DELAY_MS = 500;
const DELAY_TOLERANCE_MS = 250;
const GAIN_TOLERANCE_DB = 1;
const MUTED_BELOW_DB = -60;
/** A tone "gone" with its picture: this far under its level on program. */
const GONE_BELOW_DB = -40;

const stack = new DirectCameraStack({ phones: [PHONE_A, PHONE_B] });
beforeAll(() => stack.start(), 180_000);
afterAll(() => stack.close(), 60_000);

describe('program mixer (direct cameras, built-in recorder)', () => {
  it('fader, audio-follow-video across a cut and a mix, mute and delay are what the recording carries', async () => {
    const { camera: a } = await stack.joinCamera('Camera A', 0);
    const { camera: b } = await stack.joinCamera('Camera B', 1);
    await stack.take(a.id);
    await stack.command({ type: 'audio.source', source: b.id, mode: 'on', gainDb: -6 });
    // Both tones are at −6 dBFS: together they would reach the limiter, which is not what this measures.
    await stack.command({ type: 'audio.master', gainDb: -6 });

    const status = stack.statusListener();
    await status.start(DEMO_EVENT_ID);
    const startedAt = await stack.record(status);
    const peers = async (id: string): Promise<number> => (await stack.camera(id))?.health?.peers ?? 0;
    await until(async () => (await peers(a.id)) >= 1 && (await peers(b.id)) >= 1, 60_000, 'recorder receiving');
    // The first seconds of a WebRTC stream are quieter while its receive side settles.
    await new Promise((r) => setTimeout(r, 3000));

    /** Runs a step, then waits out the settle time and one stretch; returns the stretch (recording seconds). */
    const stretches: Record<string, { fromS: number; durationS: number }> = {};
    const step = async (name: string, action: () => Promise<void>, settleMs = SETTLE_MS): Promise<void> => {
      await action();
      const fromS = (Date.now() - startedAt + settleMs) / 1000;
      await new Promise((r) => setTimeout(r, settleMs + STRETCH_MS));
      stretches[name] = { fromS, durationS: STRETCH_MS / 1000 };
    };
    await step('b at −6', async () => undefined);
    await step('cut to a test source', () => stack.take('camera-1'));
    await step(
      'mixed back to a',
      () => stack.command({ type: 'program.take', source: a.id, transition: { type: 'mix', durationMs: 1000 } }),
      1000 + SETTLE_MS,
    );
    await step('b delayed', () => stack.command({ type: 'audio.source', source: b.id, delayMs: DELAY_MS }));
    await step('b muted', () => stack.command({ type: 'audio.source', source: b.id, muted: true }));
    // Last, so every stream has long settled: B at 0 dB (and A on program), the levels the others are against.
    await step('reference', () => stack.command({ type: 'audio.source', source: b.id, muted: false, gainDb: 0 }));
    const file = await stack.stop(status);
    if (process.env['KEEP_MIXER_RECORDING'] !== undefined) copyFileSync(file, process.env['KEEP_MIXER_RECORDING']);
    status.close();

    const level = (name: string, hz: number): number => {
      const stretch = stretches[name];
      if (stretch === undefined) throw new Error(`no stretch ${name}`);
      return soundingToneDb(decodePcm(file, stretch.fromS, stretch.durationS), hz);
    };
    const levels = Object.fromEntries(
      Object.keys(stretches).map((name) => [
        name,
        { a: level(name, PHONE_A.toneHz), b: level(name, PHONE_B.toneHz), test: level(name, TEST_TONE_HZ) },
      ]),
    );
    const report = JSON.stringify(levels, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v));
    const ref = levels['reference'];
    if (ref === undefined) throw new Error('no reference');
    expect(ref.b, report).toBeGreaterThan(-20);
    expect(ref.a, report).toBeGreaterThan(-20);

    // B, always on, sits 6 dB under its own 0 dB level whatever is on program, through the cut and the mix.
    for (const name of ['b at −6', 'cut to a test source', 'mixed back to a'])
      expect(Math.abs((levels[name]?.b ?? 0) - (ref.b - 6)), `${name}: ${report}`).toBeLessThanOrEqual(
        GAIN_TOLERANCE_DB,
      );
    // And second by second from the cut to the end of the mix back, the mix included.
    const cut = stretches['cut to a test source'];
    const mixed = stretches['mixed back to a'];
    const seconds: number[] = [];
    for (let t = cut?.fromS ?? 0; t + 1 <= (mixed?.fromS ?? 0) + (mixed?.durationS ?? 0); t += 1)
      seconds.push(soundingToneDb(decodePcm(file, t, 1), PHONE_B.toneHz));
    const duringMix = seconds.map((v) => Math.round(v * 10) / 10).join(' ');
    expect(seconds.length).toBeGreaterThanOrEqual(6);
    for (const v of seconds)
      expect(Math.abs(v - (ref.b - 6)), `B second by second: ${duringMix}`).toBeLessThanOrEqual(GAIN_TOLERANCE_DB);

    // A follows its picture: there on program, gone under the test source, back after the mix.
    expect(Math.abs((levels['b at −6']?.a ?? 0) - ref.a), report).toBeLessThanOrEqual(GAIN_TOLERANCE_DB);
    expect(levels['cut to a test source']?.a ?? 0, report).toBeLessThan(ref.a + GONE_BELOW_DB);
    expect(levels['cut to a test source']?.test ?? -200, report).toBeGreaterThan(-20);
    expect(Math.abs((levels['mixed back to a']?.a ?? 0) - ref.a), report).toBeLessThanOrEqual(GAIN_TOLERANCE_DB);
    expect(levels['mixed back to a']?.test ?? 0, report).toBeLessThan(
      (levels['cut to a test source']?.test ?? 0) + GONE_BELOW_DB,
    );

    // Muted: below −60 dB against its own level (over the whole stretch: the narrowest band, the lowest floor).
    const mutedStretch = stretches['b muted'];
    const muted =
      mutedStretch === undefined
        ? 0
        : toneDb(decodePcm(file, mutedStretch.fromS, mutedStretch.durationS), PHONE_B.toneHz);
    expect(muted - ref.b, `muted ${muted}; ${report}`).toBeLessThan(MUTED_BELOW_DB);

    // Delay: B's keyed tone switches on DELAY_MS later against A's than it did just before.
    const phase = (name: string): number => {
      const stretch = stretches[name];
      if (stretch === undefined) throw new Error(`no stretch ${name}`);
      const pcm = decodePcm(file, stretch.fromS, stretch.durationS);
      const at = stretch.fromS * 1000;
      return onsetPhaseMs(pcm, PHONE_B.toneHz, PULSE_MS, at) - onsetPhaseMs(pcm, PHONE_A.toneHz, PULSE_MS, at);
    };
    const shift = (((phase('b delayed') - phase('mixed back to a')) % PULSE_MS) + PULSE_MS) % PULSE_MS;
    console.info(
      `program mixer: levels ${report}; B second by second through the cut and the mix ${duringMix}; delay shift ${shift.toFixed(1)} ms`,
    );
    expect(Math.abs(shift - DELAY_MS), `shift ${shift} ms`).toBeLessThanOrEqual(DELAY_TOLERANCE_MS);
  }, 300_000);
});
