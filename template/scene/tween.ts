// A value that glides to its target over a fixed time: graphics animate on local time from the moment
// the page learnt of a change, and snap on the first state (a reload shows the settled picture).

export type Easing = (t: number) => number;

export const easeOutCubic: Easing = (t) => 1 - (1 - t) ** 3;
export const easeInOutCubic: Easing = (t) => (t < 0.5 ? 4 * t ** 3 : 1 - (-2 * t + 2) ** 3 / 2);

export class Tween {
  #from: number[];
  #to: number[];
  #startedAt = 0;
  readonly #durationMs: number;
  readonly #easing: Easing;

  constructor(initial: number[], durationMs: number, easing: Easing = easeOutCubic) {
    this.#from = initial;
    this.#to = initial;
    this.#durationMs = durationMs;
    this.#easing = easing;
  }

  /** Aim at a new target from wherever the value is now. */
  set(target: number[], now: number, animate = true): void {
    if (target.every((v, i) => v === this.#to[i])) return;
    this.#from = animate ? this.value(now) : target;
    this.#to = target;
    this.#startedAt = now;
  }

  value(now: number): number[] {
    const t = Math.min(1, Math.max(0, (now - this.#startedAt) / this.#durationMs));
    if (t >= 1) return this.#to;
    const k = this.#easing(t);
    return this.#to.map((to, i) => {
      const from = this.#from[i] ?? to;
      return from + (to - from) * k;
    });
  }
}
