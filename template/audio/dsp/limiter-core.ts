// The master's true-peak limiter (run in the limiter worklet, tested in Node). The audio is delayed by the
// look-ahead; the gain that a peak needs is held over the look-ahead window (a sliding minimum) and then
// averaged over the same window, so the gain ramps down linearly and reaches the needed value exactly
// when the peak leaves the delay line: the output cannot exceed the ceiling and the gain never jumps.
// Release is exponential, towards the held value only, so it never undoes that guarantee.
import { TRUE_PEAK_DELAY, TruePeakDetector } from './true-peak.ts';

export const LIMITER_LOOKAHEAD_MS = 2;
export const LIMITER_RELEASE_MS = 150;
/**
 * The limiter aims this far under the ceiling: the AAC encoder after it adds overshoot of its own, and
 * what must stay under the ceiling is the recording, not this node's output.
 */
export const LIMITER_MARGIN_DB = 0.3;

export interface LimiterOptions {
  sampleRate: number;
  channels: number;
  ceilingDbtp: number;
  /** Off: the audio is still delayed by the same amount, so switching never shifts the sound against the picture. */
  on: boolean;
}

export class LimiterCore {
  readonly #window: number;
  readonly #delay: number;
  readonly #release: number;
  readonly #detectors: TruePeakDetector[];
  /** Per channel, the delay line (a ring of #delay samples). */
  readonly #lines: Float32Array[];
  #linePos = 0;
  /** Sliding minimum of the needed gain over #window steps: a monotonic deque of (step, gain). */
  readonly #dequeStep: Float64Array;
  readonly #dequeGain: Float64Array;
  #head = 0;
  #tail = 0;
  #step = 0;
  /** The released gain and the running average over #window of it. */
  #released = 1;
  readonly #avgRing: Float64Array;
  #avgSum: number;
  #avgPos = 0;
  #threshold = 1;
  #on = true;
  #peaks = new Float32Array(128);
  #previousPeak = 0;
  /** The lowest gain applied since the last read (gain reduction for the meters). */
  #minGain = 1;

  constructor(options: LimiterOptions) {
    this.#window = Math.max(1, Math.round((options.sampleRate * LIMITER_LOOKAHEAD_MS) / 1000));
    this.#delay = this.#window - 1 + TRUE_PEAK_DELAY;
    this.#release = 1 - Math.exp(-1 / ((options.sampleRate * LIMITER_RELEASE_MS) / 1000));
    this.#detectors = Array.from({ length: options.channels }, () => new TruePeakDetector());
    this.#lines = Array.from({ length: options.channels }, () => new Float32Array(this.#delay));
    this.#dequeStep = new Float64Array(this.#window + 1);
    this.#dequeGain = new Float64Array(this.#window + 1);
    this.#avgRing = new Float64Array(this.#window).fill(1);
    this.#avgSum = this.#window;
    this.configure(options.ceilingDbtp, options.on);
  }

  /** Samples the audio is delayed by. */
  get latency(): number {
    return this.#delay;
  }

  configure(ceilingDbtp: number, on: boolean): void {
    this.#threshold = 10 ** ((ceilingDbtp - LIMITER_MARGIN_DB) / 20);
    this.#on = on;
  }

  /** The lowest gain applied since the last call (1 = no reduction). */
  takeMinGain(): number {
    const min = this.#minGain;
    this.#minGain = 1;
    return min;
  }

  /** Limits one quantum in place (`channels` arrays of `length`); a missing channel repeats the first. */
  process(io: Float32Array[], length: number): void {
    if (this.#peaks.length < length) this.#peaks = new Float32Array(length);
    const peaks = this.#peaks;
    peaks.fill(0, 0, length);
    for (let c = 0; c < this.#detectors.length; c += 1) {
      const samples = io[c] ?? io[0];
      if (samples === undefined) continue;
      const detector = this.#detectors[c];
      if (detector === undefined) continue;
      const channelPeaks = this.#channelPeaks(c, length);
      detector.peaks(samples.subarray(0, length), channelPeaks);
      for (let i = 0; i < length; i += 1) peaks[i] = Math.max(peaks[i] ?? 0, channelPeaks[i] ?? 0);
    }
    for (let i = 0; i < length; i += 1) {
      // A peak between samples i−1 and i is covered by both, so take the larger of the two neighbours.
      const peak = Math.max(peaks[i] ?? 0, this.#previousPeak);
      this.#previousPeak = peaks[i] ?? 0;
      const needed = this.#on && peak > this.#threshold ? this.#threshold / peak : 1;
      const gain = this.#nextGain(needed);
      if (gain < this.#minGain) this.#minGain = gain;
      for (let c = 0; c < this.#lines.length; c += 1) {
        const line = this.#lines[c];
        const samples = io[c];
        if (line === undefined || samples === undefined) continue;
        const delayed = line[this.#linePos] ?? 0;
        line[this.#linePos] = samples[i] ?? 0;
        samples[i] = delayed * gain;
      }
      this.#linePos = (this.#linePos + 1) % this.#delay;
    }
  }

  readonly #channelScratch: Float32Array[] = [];

  #channelPeaks(channel: number, length: number): Float32Array {
    let scratch = this.#channelScratch[channel];
    if (scratch === undefined || scratch.length < length) {
      scratch = new Float32Array(length);
      this.#channelScratch[channel] = scratch;
    }
    return scratch;
  }

  #nextGain(needed: number): number {
    const step = this.#step;
    this.#step += 1;
    // Sliding minimum over the last #window steps.
    while (this.#tail > this.#head && (this.#dequeGain[(this.#tail - 1) % this.#dequeGain.length] ?? 1) >= needed)
      this.#tail -= 1;
    this.#dequeStep[this.#tail % this.#dequeStep.length] = step;
    this.#dequeGain[this.#tail % this.#dequeGain.length] = needed;
    this.#tail += 1;
    while ((this.#dequeStep[this.#head % this.#dequeStep.length] ?? 0) <= step - this.#window) this.#head += 1;
    const held = this.#dequeGain[this.#head % this.#dequeGain.length] ?? 1;
    // Down at once to the held value; back up exponentially.
    this.#released = held < this.#released ? held : this.#released + (held - this.#released) * this.#release;
    // The average over the window of the released gain: a linear ramp that arrives with the peak.
    this.#avgSum += this.#released - (this.#avgRing[this.#avgPos] ?? 1);
    this.#avgRing[this.#avgPos] = this.#released;
    this.#avgPos = (this.#avgPos + 1) % this.#window;
    return Math.min(1, this.#avgSum / this.#window);
  }
}
