// A source's level before its fader (run in the source meter worklet, tested in Node): sample peak and RMS
// per 100 ms for the meters, and, for a source that ducks the others, whether it is speaking: its level
// (a 50 ms mean-square follower) is above the threshold, held for a while after it drops so the others do
// not pump back up between words.

export const DUCK_DETECT_MS = 50;
export const DUCK_HOLD_MS = 300;

export interface SourceLevelBlock {
  peak: number;
  rms: number;
}

export class SourceLevel {
  readonly #blockSamples: number;
  readonly #follow: number;
  readonly #holdSamples: number;
  #filled = 0;
  #sq = 0;
  #peak = 0;
  #envelope = 0;
  #threshold = Infinity;
  #sinceAbove = Infinity;
  #speaking = false;

  constructor(sampleRate: number, blockMs: number) {
    this.#blockSamples = Math.round((sampleRate * blockMs) / 1000);
    this.#follow = 1 - Math.exp(-1 / ((sampleRate * DUCK_DETECT_MS) / 1000));
    this.#holdSamples = Math.round((sampleRate * DUCK_HOLD_MS) / 1000);
  }

  /** The speaking threshold (dBFS, RMS); null: this source does not duck, so skip the follower. */
  setThreshold(thresholdDb: number | null): void {
    this.#threshold = thresholdDb === null ? Infinity : 10 ** (thresholdDb / 10);
    if (thresholdDb === null) this.#speaking = false;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /**
   * Feeds one quantum (the channels are averaged); `emit` gets each full 100 ms block, `onSpeaking` each
   * change of the speaking state.
   */
  process(
    input: readonly Float32Array[],
    length: number,
    emit: (block: SourceLevelBlock) => void,
    onSpeaking: (speaking: boolean) => void,
  ): void {
    const channels = input.length;
    const ducking = this.#threshold !== Infinity;
    for (let i = 0; i < length; i += 1) {
      let x = 0;
      for (let c = 0; c < channels; c += 1) x += input[c]?.[i] ?? 0;
      if (channels > 1) x /= channels;
      const sq = x * x;
      this.#sq += sq;
      const a = Math.abs(x);
      if (a > this.#peak) this.#peak = a;
      if (ducking) {
        this.#envelope += (sq - this.#envelope) * this.#follow;
        this.#sinceAbove = this.#envelope > this.#threshold ? 0 : this.#sinceAbove + 1;
        const speaking = this.#sinceAbove <= this.#holdSamples;
        if (speaking !== this.#speaking) {
          this.#speaking = speaking;
          onSpeaking(speaking);
        }
      }
      this.#filled += 1;
      if (this.#filled === this.#blockSamples) {
        emit({ peak: this.#peak, rms: Math.sqrt(this.#sq / this.#blockSamples) });
        this.#filled = 0;
        this.#sq = 0;
        this.#peak = 0;
      }
    }
  }
}
