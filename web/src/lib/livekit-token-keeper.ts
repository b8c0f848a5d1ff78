// A LiveKit room token kept fresh for a page: room tokens live LIVEKIT_TOKEN_TTL_MS (a leaked or revoked
// one stops admitting soon), so the page fetches the next one before its current one runs out and always
// has a valid one to connect or reconnect with (LiveKit renews a connected participant's own token).
import {
  LIVEKIT_TOKEN_MIN_REFRESH_MS,
  LIVEKIT_TOKEN_REFRESH_BEFORE_MS,
  livekitTokenRefreshDelay,
  type LiveKitToken,
} from '../../../protocol/index.ts';

/** After LiveKit gives up on a connection, a page connects again this long after (with the current token). */
export const LIVEKIT_RECONNECT_MS = 3000;

export interface TokenKeeperOptions {
  fetch: () => Promise<LiveKitToken>;
  /** Server time (ms): the token's expiry is the controller's clock. */
  now?: () => number;
  /** A refresh failed (it is retried). */
  onError?: (error: unknown) => void;
}

export class LiveKitTokenKeeper {
  #token: LiveKitToken | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly #now: () => number;

  constructor(private readonly options: TokenKeeperOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** The token to connect with now: `initial` while it has life left, else a fetched one. */
  async start(initial: LiveKitToken | null = null): Promise<LiveKitToken> {
    const fresh = initial !== null && initial.expiresAt - this.#now() > LIVEKIT_TOKEN_REFRESH_BEFORE_MS;
    this.#token = fresh ? initial : await this.options.fetch();
    this.#schedule(livekitTokenRefreshDelay(this.#token, this.#now()));
    return this.#token;
  }

  get current(): LiveKitToken {
    if (this.#token === null) throw new Error('LiveKitTokenKeeper: start() it first');
    return this.#token;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#refresh(), delayMs);
  }

  async #refresh(): Promise<void> {
    try {
      this.#token = await this.options.fetch();
      this.#schedule(livekitTokenRefreshDelay(this.#token, this.#now()));
    } catch (error) {
      this.options.onError?.(error);
      this.#schedule(LIVEKIT_TOKEN_MIN_REFRESH_MS);
    }
  }
}
