// EBU R128 / ITU-R BS.1770-4 loudness from 100 ms K-weighted energy sub-blocks: momentary (400 ms),
// short-term (3 s) and gated integrated loudness (400 ms blocks every 100 ms, i.e. 75 % overlap; absolute
// gate −70 LUFS, relative gate 10 LU under the mean of the blocks that passed the first). Channels are
// summed with weight 1.0 each (L, R), as ffmpeg's ebur128 does on the recorder's stereo output: a mono
// source reaches the program upmixed to both channels, so a −20 dBFS sine there reads −20 LUFS.

export const SUB_BLOCK_MS = 100;
const MOMENTARY_SUB_BLOCKS = 4;
const SHORT_TERM_SUB_BLOCKS = 30;
export const ABSOLUTE_GATE_LUFS = -70;
export const RELATIVE_GATE_LU = -10;
/** Gating blocks are kept in a histogram of this width, so integrated loudness costs the same after hours. */
const HISTOGRAM_STEP_LU = 0.01;
const HISTOGRAM_TOP_LUFS = 10;
const HISTOGRAM_BINS = Math.round((HISTOGRAM_TOP_LUFS - ABSOLUTE_GATE_LUFS) / HISTOGRAM_STEP_LU);

/** Loudness of a mean square (already channel-weighted and summed). */
export function lufs(meanSquare: number, floor: number): number {
  return meanSquare > 0 ? Math.max(floor, -0.691 + 10 * Math.log10(meanSquare)) : floor;
}

export interface LoudnessReading {
  momentaryLufs: number;
  shortTermLufs: number;
  integratedLufs: number;
}

export class LoudnessMeter {
  readonly #floor: number;
  /** The last 30 sub-blocks' channel-summed mean squares (a ring). */
  readonly #recent = new Float64Array(SHORT_TERM_SUB_BLOCKS);
  #count = 0;
  readonly #binCounts = new Float64Array(HISTOGRAM_BINS);
  readonly #binEnergy = new Float64Array(HISTOGRAM_BINS);

  constructor(floorDb: number) {
    this.#floor = floorDb;
  }

  /** One 100 ms sub-block: Σ over channels of (sum of K-weighted squares / samples). */
  push(meanSquare: number): void {
    this.#recent[this.#count % SHORT_TERM_SUB_BLOCKS] = meanSquare;
    this.#count += 1;
    if (this.#count < MOMENTARY_SUB_BLOCKS) return;
    const block = this.#mean(MOMENTARY_SUB_BLOCKS);
    const loudness = lufs(block, -Infinity);
    if (loudness <= ABSOLUTE_GATE_LUFS) return;
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((loudness - ABSOLUTE_GATE_LUFS) / HISTOGRAM_STEP_LU));
    this.#binCounts[bin] = (this.#binCounts[bin] ?? 0) + 1;
    this.#binEnergy[bin] = (this.#binEnergy[bin] ?? 0) + block;
  }

  reading(): LoudnessReading {
    return {
      momentaryLufs: lufs(this.#mean(MOMENTARY_SUB_BLOCKS), this.#floor),
      shortTermLufs: lufs(this.#mean(SHORT_TERM_SUB_BLOCKS), this.#floor),
      integratedLufs: this.#integrated(),
    };
  }

  /** Mean of the last n sub-blocks (fewer at the start: the windows fill up). */
  #mean(n: number): number {
    const available = Math.min(n, this.#count);
    if (available === 0) return 0;
    let sum = 0;
    for (let i = 1; i <= available; i += 1) sum += this.#recent[(this.#count - i) % SHORT_TERM_SUB_BLOCKS] ?? 0;
    return sum / available;
  }

  #integrated(): number {
    const ungated = this.#gatedMean(0);
    if (ungated === 0) return this.#floor;
    const relativeGate = lufs(ungated, -Infinity) + RELATIVE_GATE_LU;
    const first = Math.max(0, Math.floor((relativeGate - ABSOLUTE_GATE_LUFS) / HISTOGRAM_STEP_LU));
    // The bin holding the gate itself counts in, as its blocks are within HISTOGRAM_STEP_LU of it.
    return lufs(this.#gatedMean(first), this.#floor);
  }

  /** Mean square of the gating blocks in bins from `first` up. */
  #gatedMean(first: number): number {
    let blocks = 0;
    let energy = 0;
    for (let i = first; i < HISTOGRAM_BINS; i += 1) {
      blocks += this.#binCounts[i] ?? 0;
      energy += this.#binEnergy[i] ?? 0;
    }
    return blocks === 0 ? 0 : energy / blocks;
  }
}
