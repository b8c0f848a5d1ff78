// Server time as the page estimates it: clocks and transitions are drawn for server time, so two pages
// (and one before and after a reload) agree to within the estimate's error.

/** Samples kept: a minute of pings at the steady interval, so a changed network path is picked up. */
export const CLOCK_OFFSET_SAMPLES = 30;

interface OffsetSample {
  offsetMs: number;
  rttMs: number;
}

export class ServerClock {
  readonly #samples: OffsetSample[] = [];
  #best: OffsetSample | null = null;

  /** A ping/pong round trip: the lowest round trip gives the tightest bound on the offset. */
  handlePong(clientTime: number, serverTime: number, receivedAt: number): void {
    const rttMs = receivedAt - clientTime;
    if (rttMs < 0) return; // the page's own clock stepped back: the sample means nothing
    this.#add({ offsetMs: serverTime + rttMs / 2 - receivedAt, rttMs });
  }

  /** A one-way frame stamped by the server (a state message): only a first guess until a pong arrives. */
  handleServerStamp(serverTime: number, receivedAt: number): void {
    if (this.#samples.length === 0) this.#best = { offsetMs: serverTime - receivedAt, rttMs: Number.POSITIVE_INFINITY };
  }

  #add(sample: OffsetSample): void {
    this.#samples.push(sample);
    if (this.#samples.length > CLOCK_OFFSET_SAMPLES) this.#samples.shift();
    this.#best = this.#samples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
  }

  get offsetMs(): number {
    return this.#best?.offsetMs ?? 0;
  }

  get rttMs(): number | null {
    const rtt = this.#best?.rttMs;
    return rtt === undefined || !Number.isFinite(rtt) ? null : rtt;
  }

  now(wallTime = Date.now()): number {
    return wallTime + this.offsetMs;
  }
}
