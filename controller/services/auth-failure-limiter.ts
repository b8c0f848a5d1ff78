// Failed authentication per client address (an IPv6 /64), one count for every door: HTTP and the event
// WebSocket (both through the auth hook) and the obs-websocket password. A client past the limit is
// refused for the rest of its window, wherever it knocks; a client with a valid key is never counted.
// Per controller process, like the socket limits.

/** Addresses remembered at most: past this, expired windows go first, then the oldest. */
const MAX_TRACKED_ADDRESSES = 10_000;

interface Window {
  failures: number;
  endsAt: number;
}

export class AuthFailureLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(
    /** Failed attempts an address may make per window; the next is refused. */
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one failed attempt; how long (ms) the address must wait when it is past the limit, else 0. */
  fail(address: string, now: number = Date.now()): number {
    let window = this.#live(address, now);
    if (window === null) {
      this.#prune(now);
      window = { failures: 0, endsAt: now + this.windowMs };
      this.#windows.set(address, window);
    }
    window.failures++;
    return window.failures > this.limit ? window.endsAt - now : 0;
  }

  /** How long (ms) the address must wait before its next attempt is even checked; 0 when it may try. */
  retryAfterMs(address: string, now: number = Date.now()): number {
    const window = this.#live(address, now);
    return window !== null && window.failures >= this.limit ? window.endsAt - now : 0;
  }

  #live(address: string, now: number): Window | null {
    const window = this.#windows.get(address);
    if (window === undefined) return null;
    if (window.endsAt > now) return window;
    this.#windows.delete(address);
    return null;
  }

  #prune(now: number): void {
    if (this.#windows.size < MAX_TRACKED_ADDRESSES) return;
    for (const [address, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(address);
    for (const address of this.#windows.keys()) {
      if (this.#windows.size < MAX_TRACKED_ADDRESSES) break;
      this.#windows.delete(address);
    }
  }
}
