// The one browser link to the controller's event WebSocket, used by the program template and every
// operator page: it shows its state, reconnects by itself with jittered backoff, notices a dead link
// that TCP has not, stops for good on a final close code (a refused key, a deleted event), estimates the
// server clock from ping/pong, and reads every frame once through protocol's ServerMessage codec.
//
// The revision rule: within one connection revisions only rise (an equal or lower one is a duplicate or
// out of order, dropped); the first state of every connection is the server's snapshot and replaces
// what the page shows even at a lower revision (the store was restored, or the event re-created).
import {
  dispatchFrame,
  EVENT_SOCKET_PROTOCOL,
  FINAL_CLOSE_CODES,
  keyProtocol,
  serverMessages,
  WS_CLOSE,
  type ClientMessage,
  type FrameHandlers,
  type PongMessage,
  type ProgramState,
  type ServerMessage,
  type StateMessage,
} from '../protocol/index.ts';
import { ServerClock } from './server-clock.ts';

export const BACKOFF_INITIAL_MS = 250;
export const BACKOFF_MAX_MS = 5000;
/** Quick pings right after connecting give a good clock offset before the first take matters. */
export const FAST_PINGS = 5;
export const FAST_PING_INTERVAL_MS = 200;
/** Steady pings keep the offset fresh and prove the link alive. */
export const PING_INTERVAL_MS = 2000;
/** No frame for this long (pongs included) means the link is dead even if the socket has not noticed. */
export const SILENCE_TIMEOUT_MS = 10_000;

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'closed';

/** Frames pages handle themselves; state and pong belong to the client (revision rule, clock). */
export type PageFrame = Exclude<ServerMessage, StateMessage | PongMessage>;

export interface RealtimeClientEvents {
  /** A newer state, or a connection's snapshot (`snapshot` true: it replaces, even at a lower revision). */
  state: (state: ProgramState, snapshot: boolean) => void;
  status: (status: ConnectionStatus, detail: string) => void;
}

export interface RealtimeClientOptions {
  eventId: string;
  key: string;
  /** ws(s)://host; default: the page's own origin. */
  origin?: string;
  /** Extra query parameters, e.g. `client=director`. */
  query?: Record<string, string>;
  /** A clock to feed (the template shares one with its renderer); default: a clock of its own. */
  clock?: ServerClock;
  /**
   * More WebSocket subprotocols to offer beside the key's, asked anew for every (re)connection: headers, so
   * what they carry (the watch page's chat ticket, the program pass) stays out of access logs.
   */
  protocols?: () => string[];
}

/** The socket's URL: no secret in it (the key goes in a subprotocol, see socketProtocols). */
export function eventSocketUrl(options: Pick<RealtimeClientOptions, 'eventId' | 'origin' | 'query'>): string {
  const origin = options.origin ?? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  const query = new URLSearchParams(options.query).toString();
  return `${origin}/api/events/${encodeURIComponent(options.eventId)}/ws${query === '' ? '' : `?${query}`}`;
}

/**
 * The subprotocols a socket offers: 'pitchside' first (the one the server selects), then the key (a header,
 * so it reaches no access log or proxy as a query would) and the page's own (the chat ticket, the pass).
 */
export function socketProtocols(key: string, extra: readonly string[] = []): string[] {
  return [EVENT_SOCKET_PROTOCOL, ...(key === '' ? [] : [keyProtocol(key)]), ...extra];
}

export class RealtimeClient {
  readonly clock: ServerClock;
  readonly #url: string;
  readonly #key: string;
  readonly #protocols: () => string[];
  readonly #listeners: { [K in keyof RealtimeClientEvents]: Set<RealtimeClientEvents[K]> } = {
    state: new Set(),
    status: new Set(),
  };
  readonly #handlers = new Set<FrameHandlers<PageFrame>>();
  #socket: WebSocket | null = null;
  #state: ProgramState | null = null;
  #status: ConnectionStatus = 'closed';
  #detail = 'Not started';
  #attempt = 0;
  #pings = 0;
  #awaitingSnapshot = true;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  #closed = true;
  /** Connections opened so far (1 after the first, +1 per reconnect). */
  connects = 0;

  constructor(options: RealtimeClientOptions) {
    this.#url = eventSocketUrl(options);
    this.#key = options.key;
    this.#protocols = options.protocols ?? (() => []);
    this.clock = options.clock ?? new ServerClock();
  }

  /** The state on screen: the newest revision of this connection, or its snapshot. */
  get state(): ProgramState | null {
    return this.#state;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get statusDetail(): string {
    return this.#detail;
  }

  /** Best estimate of the server's clock now, for clocks and uptimes computed from state. */
  serverNow(): number {
    return this.clock.now();
  }

  on<K extends keyof RealtimeClientEvents>(event: K, listener: RealtimeClientEvents[K]): () => void {
    this.#listeners[event].add(listener);
    return () => this.#listeners[event].delete(listener);
  }

  /** Typed handlers, one per frame type the caller cares about. Returns the function that removes them. */
  handle(handlers: FrameHandlers<PageFrame>): () => void {
    this.#handlers.add(handlers);
    return () => this.#handlers.delete(handlers);
  }

  /** Sends a frame if the link is open; false when it is not (the caller decides whether to retry). */
  send(frame: ClientMessage): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  start(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.#connect();
  }

  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    this.#setStatus('closed', 'Closed');
    if (socket === null || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.addEventListener('close', () => resolve(), { once: true });
      socket.close(1000, 'page closed');
    });
  }

  #connect(): void {
    this.#setStatus(
      this.#attempt === 0 ? 'connecting' : 'reconnecting',
      this.#attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${this.#attempt})…`,
    );
    const socket = new WebSocket(this.#url, socketProtocols(this.#key, this.#protocols()));
    this.#socket = socket;
    this.#awaitingSnapshot = true;
    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      this.connects += 1;
      this.#lastFrameAt = Date.now();
      this.#pings = 0;
      this.#ping(socket);
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.#socket) this.#handleMessage(event.data);
    });
    socket.addEventListener('close', (event) => this.#handleClose(socket, event));
  }

  #ping(socket: WebSocket): void {
    if (socket !== this.#socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.#lastFrameAt > SILENCE_TIMEOUT_MS) {
      // A dead link TCP has not noticed yet (Wi-Fi gone, laptop lid): drop it and reconnect as usual.
      socket.close(WS_CLOSE.SILENT, 'silent');
      return;
    }
    this.send({ type: 'ping', clientTime: Date.now() });
    this.#pings += 1;
    this.#pingTimer = setTimeout(
      () => this.#ping(socket),
      this.#pings < FAST_PINGS ? FAST_PING_INTERVAL_MS : PING_INTERVAL_MS,
    );
  }

  #handleMessage(data: unknown): void {
    const receivedAt = Date.now();
    this.#lastFrameAt = receivedAt;
    if (typeof data !== 'string') return;
    const decoded = serverMessages.decode(data);
    if (!decoded.ok) {
      // A newer controller may send types this page does not know yet: not an error.
      if (decoded.reason !== 'unknown-type')
        console.warn(`Ignored a frame: ${decoded.error.field} ${decoded.error.message}`);
      return;
    }
    const frame = decoded.frame;
    if (frame.type === 'state') this.#handleState(frame, receivedAt);
    else if (frame.type === 'pong') this.clock.handlePong(frame.clientTime, frame.serverTime, receivedAt);
    else for (const handlers of this.#handlers) dispatchFrame(handlers, frame);
  }

  #handleState(message: StateMessage, receivedAt: number): void {
    this.clock.handleServerStamp(message.serverTime, receivedAt);
    const snapshot = this.#awaitingSnapshot;
    if (snapshot) {
      this.#awaitingSnapshot = false;
      this.#attempt = 0;
      this.#setStatus('online', 'Online');
    } else if (this.#state !== null && message.state.revision <= this.#state.revision) {
      return;
    }
    this.#state = message.state;
    for (const listener of this.#listeners.state) listener(message.state, snapshot);
  }

  #handleClose(socket: WebSocket, event: CloseEvent): void {
    if (socket !== this.#socket) return;
    clearTimeout(this.#pingTimer);
    this.#socket = null;
    if (this.#closed) return;
    if (FINAL_CLOSE_CODES.has(event.code)) {
      this.#closed = true;
      this.#setStatus('closed', event.reason !== '' ? event.reason : 'The controller refused this link.');
      return;
    }
    this.#attempt += 1;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** (this.#attempt - 1));
    // Jitter: after a controller restart, a hall of pages must not come back in one burst.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#setStatus('reconnecting', `Connection lost: retrying in ${(delay / 1000).toFixed(1)} s`);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #setStatus(status: ConnectionStatus, detail: string): void {
    this.#status = status;
    this.#detail = detail;
    for (const listener of this.#listeners.status) listener(status, detail);
  }
}
