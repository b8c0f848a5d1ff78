// The page's live link to the controller: a WebSocket that shows its state, reconnects by itself with
// backoff, and resyncs from the snapshot the server sends on every (re)connect. Pages never poll.
import {
  PongMessageSchema,
  StateMessageSchema,
  parse,
  type ProgramState,
  type StateMessage,
} from '../../../protocol/index.ts';

export const BACKOFF_INITIAL_MS = 250;
export const BACKOFF_MAX_MS = 5000;
/** Pings estimate the server clock (the game clock is drawn from server time) and detect a dead link. */
export const PING_INTERVAL_MS = 3000;
/** No frame for this long means the link is dead even if the socket has not noticed (e.g. Wi-Fi lost). */
export const SILENCE_TIMEOUT_MS = 10_000;
/** Close codes after which reconnecting cannot help (controller/routes/realtime.ts: 4404 = no such event). */
const FINAL_CLOSE_CODES = new Set([1008, 4001, 4003, 4404]);
/** Offset samples kept: the one with the shortest round trip is the most trustworthy. */
const OFFSET_SAMPLES = 8;

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'closed';

/** A server frame that is not a state or pong frame (cameras, log, presence, jobs…): pages parse what they know. */
export interface OtherFrame {
  type: string;
  [field: string]: unknown;
}

export interface RealtimeClientCallbacks {
  /** A newer state, or the snapshot after a (re)connect (`snapshot` true: replace, even at a lower revision). */
  state: (state: ProgramState, snapshot: boolean) => void;
  frame: (frame: OtherFrame) => void;
  status: (status: ConnectionStatus, detail: string) => void;
}

export interface RealtimeClientOptions {
  eventId: string;
  key: string;
  /** ws(s)://host; '' = the page's own origin. */
  origin?: string;
  /** Extra query parameters, e.g. `client=director` for presence. */
  query?: Record<string, string>;
}

export class RealtimeClient {
  readonly #url: string;
  readonly #listeners: { [K in keyof RealtimeClientCallbacks]: Set<RealtimeClientCallbacks[K]> } = {
    state: new Set(),
    frame: new Set(),
    status: new Set(),
  };
  #socket: WebSocket | null = null;
  #state: ProgramState | null = null;
  #status: ConnectionStatus = 'closed';
  #attempt = 0;
  #awaitingSnapshot = true;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;
  #offsets: { rtt: number; offset: number }[] = [];
  #closed = true;

  constructor(options: RealtimeClientOptions) {
    const origin = options.origin ?? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
    const query = new URLSearchParams({ key: options.key, ...options.query });
    this.#url = `${origin}/api/events/${encodeURIComponent(options.eventId)}/ws?${query.toString()}`;
  }

  get state(): ProgramState | null {
    return this.#state;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Best estimate of the server's clock now, for clocks and uptimes computed from state. */
  serverNow(): number {
    const best = this.#offsets.reduce<{ rtt: number; offset: number } | null>(
      (a, b) => (a === null || b.rtt < a.rtt ? b : a),
      null,
    );
    return Date.now() + (best?.offset ?? 0);
  }

  on<K extends keyof RealtimeClientCallbacks>(event: K, listener: RealtimeClientCallbacks[K]): () => void {
    this.#listeners[event].add(listener);
    return () => this.#listeners[event].delete(listener);
  }

  start(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.#connect();
  }

  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
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
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    this.#awaitingSnapshot = true;
    socket.addEventListener('open', () => {
      this.#lastFrameAt = Date.now();
      this.#ping();
      clearInterval(this.#pingTimer);
      this.#pingTimer = setInterval(() => this.#heartbeat(socket), PING_INTERVAL_MS);
    });
    socket.addEventListener('message', (event) => this.#handleMessage(event.data));
    socket.addEventListener('close', (event) => this.#handleClose(socket, event));
  }

  #heartbeat(socket: WebSocket): void {
    if (Date.now() - this.#lastFrameAt > SILENCE_TIMEOUT_MS) {
      // Dead link that TCP has not noticed yet: drop it and go through the normal reconnect path.
      socket.close(4000, 'silent');
      return;
    }
    this.#ping();
  }

  #ping(): void {
    if (this.#socket?.readyState === WebSocket.OPEN)
      this.#socket.send(JSON.stringify({ type: 'ping', clientTime: Date.now() }));
  }

  #handleMessage(data: unknown): void {
    this.#lastFrameAt = Date.now();
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') return;
    const type = (frame as { type: string }).type;
    if (type === 'state') {
      const parsed = parse(StateMessageSchema, frame);
      if (parsed.ok) this.#handleState(parsed.value);
      else console.warn(`Ignored a state frame: ${parsed.error.field} ${parsed.error.message}`);
    } else if (type === 'pong') {
      const parsed = parse(PongMessageSchema, frame);
      if (parsed.ok) this.#handlePong(parsed.value.clientTime, parsed.value.serverTime);
    } else {
      for (const listener of this.#listeners.frame) listener(frame as OtherFrame);
    }
  }

  #handleState(message: StateMessage): void {
    const snapshot = this.#awaitingSnapshot;
    if (snapshot) {
      this.#awaitingSnapshot = false;
      this.#attempt = 0;
      this.#setStatus('online', 'Online');
    } else if (this.#state !== null && message.state.revision <= this.#state.revision) {
      return; // a duplicate or an older update: the newest revision wins
    }
    this.#state = message.state;
    for (const listener of this.#listeners.state) listener(message.state, snapshot);
  }

  #handlePong(clientTime: number, serverTime: number): void {
    const now = Date.now();
    const rtt = now - clientTime;
    if (rtt < 0) return;
    this.#offsets.push({ rtt, offset: serverTime - (clientTime + now) / 2 });
    if (this.#offsets.length > OFFSET_SAMPLES) this.#offsets.shift();
  }

  #handleClose(socket: WebSocket, event: CloseEvent): void {
    if (socket !== this.#socket) return;
    clearInterval(this.#pingTimer);
    this.#socket = null;
    if (this.#closed) return;
    // The server refused the key (4001/4003/1008) or knows no such event (4404): retrying cannot help.
    if (FINAL_CLOSE_CODES.has(event.code)) {
      this.#closed = true;
      this.#setStatus(
        'closed',
        event.reason !== '' ? event.reason : 'The controller refused this key: ask for a new link.',
      );
      return;
    }
    this.#attempt += 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** (this.#attempt - 1));
    const jittered = delay / 2 + Math.random() * (delay / 2);
    this.#setStatus('reconnecting', `Connection lost: retrying in ${(jittered / 1000).toFixed(1)} s`);
    this.#retryTimer = setTimeout(() => this.#connect(), jittered);
  }

  #setStatus(status: ConnectionStatus, detail: string): void {
    this.#status = status;
    for (const listener of this.#listeners.status) listener(status, detail);
  }
}
