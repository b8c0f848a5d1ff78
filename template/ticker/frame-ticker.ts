// Renders at the output rate, whether or not anything changed: the clock runs, test patterns move, and
// a recorder counting frames sees a constant-rate stream. Frames are slots of 1/fps since the start;
// the display's refresh (requestAnimationFrame) only says when to look at the slot clock.
import { FrameStats } from './frame-stats.ts';

/** Start a slot's render this early: rAF at 60 Hz jitters, and a 30 fps slot must not slip a refresh. */
const SLOT_EARLY_MS = 2;

export type FrameCallback = (frameIndex: number, slotTimeMs: number) => void;

export interface FrameTickerOptions {
  fps: number;
  /** Draws one output frame. */
  render: (frameIndex: number, slotTimeMs: number) => void;
}

export class FrameTicker {
  readonly stats = new FrameStats();
  readonly #options: FrameTickerOptions;
  readonly #listeners = new Set<FrameCallback>();
  #origin = -1;
  #lastIndex = -1;
  #handle = 0;
  #running = false;

  constructor(options: FrameTickerOptions) {
    this.#options = options;
  }

  get frameIndex(): number {
    return this.#lastIndex;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#handle = requestAnimationFrame(this.#tick);
  }

  /** Told after each rendered frame (the recorder encodes the canvas then). Returns an unsubscribe. */
  onFrame(callback: FrameCallback): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  async close(): Promise<void> {
    this.#running = false;
    cancelAnimationFrame(this.#handle);
  }

  readonly #tick = (now: number): void => {
    if (!this.#running) return;
    this.#handle = requestAnimationFrame(this.#tick);
    const slotMs = 1000 / this.#options.fps;
    if (this.#origin < 0) this.#origin = now;
    const index = Math.floor((now - this.#origin + SLOT_EARLY_MS) / slotMs);
    if (index <= this.#lastIndex) return;
    const dropped = this.#lastIndex < 0 ? 0 : index - this.#lastIndex - 1;
    this.#lastIndex = index;
    const slotTime = this.#origin + index * slotMs;
    const started = performance.now();
    this.#options.render(index, slotTime);
    this.stats.record(now, performance.now() - started, dropped);
    for (const listener of this.#listeners) listener(index, slotTime);
  };
}
