// The program mixer's DSP in Node (the same modules the worklets run): BS.1770-4 loudness and true peak
// on signals whose answers are known, and the limiter's ceiling.
import { describe, expect, it } from 'vitest';
import {
  LimiterCore,
  LoudnessMeter,
  MeterCore,
  SourceLevel,
  SUB_BLOCK_MS,
  TruePeakDetector,
  type MeterBlock,
} from '../../template/audio/dsp/index.ts';

const RATE = 48_000;
const QUANTUM = 128;
const FLOOR = -120;

function sine(hz: number, dbfs: number, seconds: number, phase = 0): Float32Array {
  const a = 10 ** (dbfs / 20);
  return Float32Array.from(
    { length: Math.round(seconds * RATE) },
    (_, i) => a * Math.sin((2 * Math.PI * hz * i) / RATE + phase),
  );
}

/** Runs channels through the meter core in render quanta; returns every 100 ms block. */
function meterBlocks(channels: Float32Array[]): MeterBlock[] {
  const core = new MeterCore(RATE, 2, SUB_BLOCK_MS);
  const blocks: MeterBlock[] = [];
  const length = channels[0]?.length ?? 0;
  for (let at = 0; at < length; at += QUANTUM) {
    const n = Math.min(QUANTUM, length - at);
    core.process(
      channels.map((c) => c.subarray(at, at + n)),
      n,
      (b) => blocks.push(b),
    );
  }
  return blocks;
}

function loudness(channels: Float32Array[]): ReturnType<LoudnessMeter['reading']> {
  const meter = new LoudnessMeter(FLOOR);
  for (const block of meterBlocks(channels)) meter.push(block.meanSquare);
  return meter.reading();
}

const db = (linear: number): number => 20 * Math.log10(linear);

/** A reference true peak: 32× oversampling with a long windowed sinc, independent of the detector. */
function referenceTruePeak(x: Float32Array): number {
  const over = 32;
  const half = 64;
  let peak = 0;
  for (let n = half; n < x.length - half; n += 1) {
    for (let p = 0; p < over; p += 1) {
      const t = n + p / over;
      let y = 0;
      for (let k = n - half + 1; k <= n + half; k += 1) {
        const d = t - k;
        const sinc = d === 0 ? 1 : Math.sin(Math.PI * d) / (Math.PI * d);
        const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / (half + 1));
        y += (x[k] ?? 0) * sinc * w;
      }
      peak = Math.max(peak, Math.abs(y));
    }
  }
  return peak;
}

describe('BS.1770-4 loudness', () => {
  it('a 1 kHz sine at −20 dBFS in both channels reads −20 LUFS (momentary, short-term, integrated)', () => {
    const tone = sine(1000, -20, 5);
    const reading = loudness([tone, tone]);
    expect(reading.momentaryLufs).toBeCloseTo(-20, 1);
    expect(Math.abs(reading.shortTermLufs + 20)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(reading.integratedLufs + 20)).toBeLessThanOrEqual(0.1);
  });

  it('mono (one channel, the other silent) reads 3 dB lower, as ffmpeg reads a mono file without dualmono', () => {
    const tone = sine(1000, -20, 3);
    const reading = loudness([tone, new Float32Array(tone.length)]);
    expect(Math.abs(reading.integratedLufs + 23.01)).toBeLessThanOrEqual(0.1);
  });

  it('EBU Tech 3341 case 1: a 997 Hz stereo sine at −23 dBFS reads −23 LUFS', () => {
    const tone = sine(997, -23, 20);
    const reading = loudness([tone, tone]);
    expect(Math.abs(reading.integratedLufs + 23)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(reading.momentaryLufs + 23)).toBeLessThanOrEqual(0.1);
  });

  it('gates: 10 s at −20 then 10 s at −36 (below the relative gate) integrates to −20; silence never counts', () => {
    const loud = sine(997, -20, 10);
    const quiet = sine(997, -36, 10);
    const silence = new Float32Array(5 * RATE);
    const program = new Float32Array([...loud, ...quiet, ...silence]);
    const reading = loudness([program, program]);
    // The −36 blocks fall under (mean − 10 LU) and are dropped; the blocks straddling the step are few.
    expect(Math.abs(reading.integratedLufs + 20)).toBeLessThanOrEqual(0.2);
    expect(reading.momentaryLufs).toBe(FLOOR);
  });

  it('K-weighting lifts high frequencies: 4 kHz reads louder than 1 kHz, 30 Hz quieter', () => {
    const at = (hz: number): number => loudness([sine(hz, -20, 3), sine(hz, -20, 3)]).integratedLufs;
    expect(at(4000)).toBeGreaterThan(at(1000) + 3);
    expect(at(30)).toBeLessThan(at(1000) - 1);
  });
});

describe('true peak (4× oversampled)', () => {
  it('finds the inter-sample peak of a fs/4 sine sampled 45° off its crest (+3 dB over the sample peak)', () => {
    const x = sine(RATE / 4, 0, 0.1, Math.PI / 4);
    const detector = new TruePeakDetector();
    let truePeak = 0;
    let samplePeak = 0;
    for (let at = 0; at < x.length; at += QUANTUM) {
      const block = x.subarray(at, at + QUANTUM);
      truePeak = detector.maxAbove(block, truePeak);
      for (const v of block) samplePeak = Math.max(samplePeak, Math.abs(v));
    }
    expect(db(samplePeak)).toBeCloseTo(-3.01, 1);
    expect(Math.abs(db(truePeak))).toBeLessThanOrEqual(0.2);
  });

  it('agrees with a 32× reference on a 997 Hz sine and on a 15 kHz one, and the meter blocks report it', () => {
    for (const [hz, tolerance] of [
      [997, 0.1],
      [15_000, 0.5],
    ] as const) {
      const x = sine(hz, -3, 0.2, 0.3);
      const blocks = meterBlocks([x, x]);
      const measured = Math.max(...blocks.map((b) => b.truePeak));
      // At 15 kHz the 4× grid may fall 0.27 dB under the crest and a 12-tap interpolator has ripple of its own.
      const error = db(measured) - db(referenceTruePeak(x));
      expect(Math.abs(error), `${hz} Hz`).toBeLessThanOrEqual(tolerance);
    }
  });
});

describe('true-peak limiter', () => {
  function limit(
    channels: Float32Array[],
    ceilingDbtp: number,
  ): { out: Float32Array[]; minGain: number; latency: number } {
    const limiter = new LimiterCore({ sampleRate: RATE, channels: 2, ceilingDbtp, on: true });
    const out = channels.map((c) => Float32Array.from(c));
    let minGain = 1;
    for (let at = 0; at < (out[0]?.length ?? 0); at += QUANTUM) {
      limiter.process(
        out.map((c) => c.subarray(at, at + QUANTUM)),
        QUANTUM,
      );
      minGain = Math.min(minGain, limiter.takeMinGain());
    }
    return { out, minGain, latency: limiter.latency };
  }

  it('a tone peaking at +6 dBFS (with inter-sample peaks) comes out under −1 dBTP', () => {
    const left = sine(RATE / 4 - 37, 6, 0.5, Math.PI / 4);
    const right = sine(3100, 4, 0.5);
    const { out, minGain } = limit([left, right], -1);
    for (const channel of out) expect(db(referenceTruePeak(channel.subarray(0, 8000)))).toBeLessThanOrEqual(-1);
    expect(db(minGain)).toBeLessThan(-6);
  });

  it('a sudden burst is caught: silence then a full-scale square-ish step never overshoots', () => {
    const x = new Float32Array(RATE / 4);
    for (let i = 6000; i < x.length; i += 1) x[i] = i % 40 < 20 ? 1.8 : -1.8;
    const { out } = limit([x, x], -1);
    expect(db(referenceTruePeak(out[0]?.subarray(5000, 9000) ?? new Float32Array()))).toBeLessThanOrEqual(-1);
  });

  it('below the threshold the signal passes unchanged, only delayed by the look-ahead', () => {
    const x = sine(440, -10, 0.3);
    const { out, minGain, latency } = limit([x, x], -1);
    expect(minGain).toBe(1);
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(RATE * 0.005);
    const y = out[0] ?? new Float32Array();
    let maxError = 0;
    for (let i = latency; i < y.length; i += 1)
      maxError = Math.max(maxError, Math.abs((y[i] ?? 0) - (x[i - latency] ?? 0)));
    expect(maxError).toBeLessThan(1e-6);
  });
});

describe('source level and ducking key', () => {
  it('reports peak and RMS per 100 ms and holds "speaking" past the end of the sound', () => {
    const level = new SourceLevel(RATE, SUB_BLOCK_MS);
    level.setThreshold(-40);
    const x = new Float32Array([...sine(300, -12, 1), ...new Float32Array(RATE)]);
    const blocks: { peak: number; rms: number }[] = [];
    const changes: { at: number; speaking: boolean }[] = [];
    for (let at = 0; at < x.length; at += QUANTUM) {
      level.process(
        [x.subarray(at, at + QUANTUM)],
        QUANTUM,
        (b) => blocks.push(b),
        (speaking) => changes.push({ at, speaking }),
      );
    }
    expect(db(blocks[5]?.peak ?? 0)).toBeCloseTo(-12, 1);
    expect(db(blocks[5]?.rms ?? 0)).toBeCloseTo(-15.01, 1);
    expect(changes.map((c) => c.speaking)).toEqual([true, false]);
    expect(changes[0]?.at ?? Infinity).toBeLessThan(RATE * 0.02);
    // Released after the tone ends (1 s) plus the hold (300 ms) plus the follower's fall.
    const offS = (changes[1]?.at ?? 0) / RATE;
    expect(offS).toBeGreaterThan(1.3);
    expect(offS).toBeLessThan(1.6);
  });
});
