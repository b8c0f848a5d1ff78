// ITU-R BS.1770-4 K-weighting: the high-shelf pre-filter (+4 dB above ~1.5 kHz, the head's effect) then the
// RLB high-pass (~38 Hz). The coefficients are the standard's, for 48 kHz: the program context always runs
// at 48 kHz (the recorder and Egress capture at that rate), so no other rate is needed.

/** Stage 1 (shelf) and stage 2 (RLB high-pass), BS.1770-4 table 1 and table 2. */
export const K_WEIGHTING_48K = {
  shelf: {
    b0: 1.53512485958697,
    b1: -2.69169618940638,
    b2: 1.19839281085285,
    a1: -1.69065929318241,
    a2: 0.73248077421585,
  },
  highPass: { b0: 1, b1: -2, b2: 1, a1: -1.99004745483398, a2: 0.99007225036621 },
} as const;

/** One channel's K-weighting filter (two biquads, transposed direct form II, state in doubles). */
export class KWeighting {
  #s1a = 0;
  #s1b = 0;
  #s2a = 0;
  #s2b = 0;

  /** Filters `input` and returns the sum of squares of the K-weighted samples (what loudness needs). */
  sumOfSquares(input: Float32Array, from = 0, to = input.length): number {
    const { shelf: f, highPass: h } = K_WEIGHTING_48K;
    let s1a = this.#s1a;
    let s1b = this.#s1b;
    let s2a = this.#s2a;
    let s2b = this.#s2b;
    let sum = 0;
    for (let i = from; i < to; i += 1) {
      const x = input[i] ?? 0;
      const y1 = f.b0 * x + s1a;
      s1a = f.b1 * x - f.a1 * y1 + s1b;
      s1b = f.b2 * x - f.a2 * y1;
      const y2 = h.b0 * y1 + s2a;
      s2a = h.b1 * y1 - h.a1 * y2 + s2b;
      s2b = h.b2 * y1 - h.a2 * y2;
      sum += y2 * y2;
    }
    this.#s1a = s1a;
    this.#s1b = s1b;
    this.#s2a = s2a;
    this.#s2b = s2b;
    return sum;
  }
}
