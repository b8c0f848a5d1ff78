// True peak by 4× oversampling (BS.1770-4 annex 2): between every two samples three more points are
// interpolated with a windowed-sinc polyphase filter, and the peak is taken over all four. A signal whose
// samples stay under 0 dBFS can still peak above it between them, and an encoder (AAC) or a DAC will show it.

export const OVERSAMPLING = 4;
/** Taps per phase: the interpolated point sits between the 6th and 7th of them. */
export const TRUE_PEAK_TAPS = 12;
/** The detector's delay: what it reports for sample n is the peak around input sample n − this. */
export const TRUE_PEAK_DELAY = TRUE_PEAK_TAPS / 2;
const KAISER_BETA = 6;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k += 1) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/**
 * Phase p (1..3) of the interpolator: the point p/4 of a sample after input sample n − TRUE_PEAK_DELAY, from
 * inputs n − j (j = 0..11). A Kaiser-windowed sinc at the original Nyquist frequency, each phase scaled to
 * unit gain at DC so a constant reads as itself.
 */
export function interpolationPhases(): Float64Array[] {
  const half = TRUE_PEAK_TAPS / 2 + 0.5;
  const phases: Float64Array[] = [];
  for (let p = 1; p < OVERSAMPLING; p += 1) {
    const taps = new Float64Array(TRUE_PEAK_TAPS);
    let sum = 0;
    for (let j = 0; j < TRUE_PEAK_TAPS; j += 1) {
      // Distance in input samples between tap j's sample (n − j) and the interpolated point.
      const t = TRUE_PEAK_DELAY - p / OVERSAMPLING - j;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      const window = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - (t / half) ** 2))) / besselI0(KAISER_BETA);
      taps[j] = sinc * window;
      sum += sinc * window;
    }
    for (let j = 0; j < TRUE_PEAK_TAPS; j += 1) taps[j] = (taps[j] ?? 0) / sum;
    phases.push(taps);
  }
  return phases;
}

const PHASES = interpolationPhases();
/** The largest factor interpolation can raise a sample's magnitude by (sum of |taps|): a cheap upper bound. */
export const INTERPOLATION_GAIN_BOUND = Math.max(...PHASES.map((t) => t.reduce((a, v) => a + Math.abs(v), 0)));

/** One channel's 4× true-peak detector; it keeps the last samples so blocks join seamlessly. */
export class TruePeakDetector {
  /** The previous TRUE_PEAK_TAPS − 1 samples, then the block being processed. */
  #buffer = new Float32Array(TRUE_PEAK_TAPS - 1 + 128);
  #scratch = new Float32Array(128);

  /**
   * Writes into `out[i]` the true peak (linear magnitude) of the stretch from input sample i − TRUE_PEAK_DELAY
   * to three quarters of a sample after it, across block boundaries.
   */
  peaks(input: Float32Array, out: Float32Array): void {
    this.#interpolate(this.#prepare(input), input.length, out);
    this.#keep(input.length);
  }

  /**
   * The block's true peak, but only if it can exceed `floor` (else `floor`): a quiet block costs a scan for
   * its sample peak instead of the interpolation, which is what keeps the meter cheap.
   */
  maxAbove(input: Float32Array, floor: number): number {
    const buffer = this.#prepare(input);
    const end = TRUE_PEAK_TAPS - 1 + input.length;
    let bound = 0;
    for (let i = 0; i < end; i += 1) bound = Math.max(bound, Math.abs(buffer[i] ?? 0));
    let max = floor;
    if (bound * INTERPOLATION_GAIN_BOUND > floor) {
      if (this.#scratch.length < input.length) this.#scratch = new Float32Array(input.length);
      this.#interpolate(buffer, input.length, this.#scratch);
      for (let i = 0; i < input.length; i += 1) max = Math.max(max, this.#scratch[i] ?? 0);
    }
    this.#keep(input.length);
    return max;
  }

  #interpolate(buffer: Float32Array, length: number, out: Float32Array): void {
    const [p1, p2, p3] = PHASES as [Float64Array, Float64Array, Float64Array];
    const history = TRUE_PEAK_TAPS - 1;
    for (let i = 0; i < length; i += 1) {
      const newest = i + history;
      let a = 0;
      let b = 0;
      let c = 0;
      for (let j = 0; j < TRUE_PEAK_TAPS; j += 1) {
        const x = buffer[newest - j] ?? 0;
        a += x * (p1[j] ?? 0);
        b += x * (p2[j] ?? 0);
        c += x * (p3[j] ?? 0);
      }
      const sample = Math.abs(buffer[newest - TRUE_PEAK_DELAY] ?? 0);
      out[i] = Math.max(sample, Math.abs(a), Math.abs(b), Math.abs(c));
    }
  }

  /** Copies the block after the kept history (growing the buffer for an unusually long block). */
  #prepare(input: Float32Array): Float32Array {
    const history = TRUE_PEAK_TAPS - 1;
    if (this.#buffer.length < history + input.length) {
      const grown = new Float32Array(history + input.length);
      grown.set(this.#buffer.subarray(0, history));
      this.#buffer = grown;
    }
    this.#buffer.set(input, history);
    return this.#buffer;
  }

  /** Moves the last TRUE_PEAK_TAPS − 1 samples of the block just processed to the front. */
  #keep(length: number): void {
    this.#buffer.copyWithin(0, length, length + TRUE_PEAK_TAPS - 1);
  }
}

export function toDb(linear: number, floorDb: number): number {
  return linear > 0 ? Math.max(floorDb, 20 * Math.log10(linear)) : floorDb;
}
