// The program meter's per-sample work (run in the meter worklet, tested in Node): K-weighted energy per
// channel, 4× true peak, sample peak and RMS per channel, cut into 100 ms sub-blocks exactly (render quanta
// are 128 samples, a sub-block 4800, so a quantum may close one and open the next).
import { KWeighting } from './k-weighting.ts';
import { TruePeakDetector } from './true-peak.ts';

/** What the meter worklet posts every 100 ms of program. */
export interface MeterBlock {
  /** Σ over channels of the K-weighted mean square (what LoudnessMeter.push takes). */
  meanSquare: number;
  /** The true peak over the block, linear. */
  truePeak: number;
  /** Per channel: sample peak and mean square (unweighted). */
  peak: number[];
  rms: number[];
}

export class MeterCore {
  readonly #blockSamples: number;
  readonly #channels: { k: KWeighting; tp: TruePeakDetector; kSum: number; sq: number; peak: number }[];
  #truePeak = 0;
  #filled = 0;

  constructor(sampleRate: number, channels: number, blockMs: number) {
    this.#blockSamples = Math.round((sampleRate * blockMs) / 1000);
    this.#channels = Array.from({ length: channels }, () => ({
      k: new KWeighting(),
      tp: new TruePeakDetector(),
      kSum: 0,
      sq: 0,
      peak: 0,
    }));
  }

  /** Feeds one quantum (one array per channel; mono counts in both, as Web Audio upmixes it). Calls `emit` per full block. */
  process(input: readonly Float32Array[], length: number, emit: (block: MeterBlock) => void): void {
    let from = 0;
    while (from < length) {
      const to = Math.min(length, from + this.#blockSamples - this.#filled);
      this.#accumulate(input, from, to);
      this.#filled += to - from;
      from = to;
      if (this.#filled === this.#blockSamples) emit(this.#close());
    }
  }

  #accumulate(input: readonly Float32Array[], from: number, to: number): void {
    this.#channels.forEach((channel, c) => {
      const samples = input[c] ?? input[0];
      if (samples === undefined) return;
      channel.kSum += channel.k.sumOfSquares(samples, from, to);
      let sq = 0;
      let peak = channel.peak;
      for (let i = from; i < to; i += 1) {
        const x = samples[i] ?? 0;
        sq += x * x;
        const a = Math.abs(x);
        if (a > peak) peak = a;
      }
      channel.sq += sq;
      channel.peak = peak;
      this.#truePeak = channel.tp.maxAbove(samples.subarray(from, to), this.#truePeak);
    });
  }

  #close(): MeterBlock {
    const n = this.#blockSamples;
    const block: MeterBlock = {
      meanSquare: this.#channels.reduce((sum, c) => sum + c.kSum / n, 0),
      truePeak: this.#truePeak,
      peak: this.#channels.map((c) => c.peak),
      rms: this.#channels.map((c) => Math.sqrt(c.sq / n)),
    };
    for (const c of this.#channels) {
      c.kSum = 0;
      c.sq = 0;
      c.peak = 0;
    }
    this.#truePeak = 0;
    this.#filled = 0;
    return block;
  }
}
