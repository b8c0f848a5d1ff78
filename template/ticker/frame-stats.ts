// Frame interval statistics over a sliding window: what a viewer of the output would notice.

/** Ten seconds at 60 fps. */
export const FRAME_STATS_WINDOW = 600;

export interface FrameIntervalSummary {
  frames: number;
  dropped: number;
  p50: number;
  p95: number;
  p99: number;
  renderMs: number;
  measuredFps: number;
}

export class FrameStats {
  readonly #intervals = new Float64Array(FRAME_STATS_WINDOW);
  readonly #renders = new Float64Array(FRAME_STATS_WINDOW);
  #count = 0;
  #frames = 0;
  #dropped = 0;
  #lastTime = -1;

  record(time: number, renderMs: number, droppedSlots: number): void {
    this.#frames += 1;
    this.#dropped += droppedSlots;
    if (this.#lastTime >= 0) {
      const at = this.#count % FRAME_STATS_WINDOW;
      this.#intervals[at] = time - this.#lastTime;
      this.#renders[at] = renderMs;
      this.#count += 1;
    }
    this.#lastTime = time;
  }

  reset(): void {
    this.#count = 0;
    this.#frames = 0;
    this.#dropped = 0;
    this.#lastTime = -1;
  }

  summary(): FrameIntervalSummary {
    const n = Math.min(this.#count, FRAME_STATS_WINDOW);
    const intervals = Array.from(this.#intervals.subarray(0, n)).sort((a, b) => a - b);
    const pick = (q: number) => (n === 0 ? 0 : (intervals[Math.min(n - 1, Math.floor(q * n))] ?? 0));
    const total = intervals.reduce((a, b) => a + b, 0);
    const renderTotal = this.#renders.subarray(0, n).reduce((a, b) => a + b, 0);
    return {
      frames: this.#frames,
      dropped: this.#dropped,
      p50: round(pick(0.5)),
      p95: round(pick(0.95)),
      p99: round(pick(0.99)),
      renderMs: n === 0 ? 0 : round(renderTotal / n),
      measuredFps: total === 0 ? 0 : round((n * 1000) / total),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
