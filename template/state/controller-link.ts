// Standalone (and Egress) link to the controller: a WebSocket that delivers a snapshot on connect and
// every change after it, reconnects with backoff, and measures the server clock with ping/pong.
import { parse, PongMessageSchema, type PingMessage } from '../../protocol/index.ts';
import { createLogger } from '../config/logger.ts';
import type { ServerClock } from './server-clock.ts';
import type { StateStore } from './state-store.ts';

const log = createLogger('controller-link');

export const RECONNECT_MIN_MS = 250;
export const RECONNECT_MAX_MS = 5000;
/** Quick pings right after connecting give a good offset before the first take matters. */
const FAST_PINGS = 5;
const FAST_PING_INTERVAL_MS = 200;
const PING_INTERVAL_MS = 2000;

export interface ControllerLinkOptions {
  /** ws(s)://host/api/events/:id/ws?key=… */
  url: string;
  store: StateStore;
  clock: ServerClock;
}

export class ControllerLink {
  readonly #options: ControllerLinkOptions;
  #socket: WebSocket | null = null;
  #pingTimer: ReturnType<typeof setTimeout> | null = null;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #pings = 0;
  #closed = false;
  connects = 0;

  constructor(options: ControllerLinkOptions) {
    this.#options = options;
  }

  start(): void {
    this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimers();
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.addEventListener('close', () => resolve(), { once: true });
      socket.close();
    });
  }

  #connect(): void {
    const socket = new WebSocket(this.#options.url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.#pings = 0;
      this.connects += 1;
      log.info('connected', { connects: this.connects });
      this.#ping();
    });
    socket.addEventListener('message', (event) => this.#handleMessage(event.data));
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#clearTimers();
      if (this.#closed) return;
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#attempt);
      this.#attempt += 1;
      log.warn(`socket closed (${event.code}); reconnecting in ${delay} ms`);
      this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    });
  }

  #handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      log.warn('ignored a frame that is not JSON');
      return;
    }
    const receivedAt = Date.now();
    const pong = parse(PongMessageSchema, frame);
    if (pong.ok) {
      this.#options.clock.handlePong(pong.value.clientTime, pong.value.serverTime, receivedAt);
      return;
    }
    if (typeof frame !== 'object' || frame === null || !('type' in frame) || frame.type !== 'state') return;
    const result = this.#options.store.offer(frame);
    if ('serverTime' in frame && typeof frame.serverTime === 'number') {
      this.#options.clock.handleServerStamp(frame.serverTime, receivedAt);
    }
    if (result === 'invalid') log.warn('ignored a state frame that does not match the schema');
  }

  #ping(): void {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== WebSocket.OPEN) return;
    const ping: PingMessage = { type: 'ping', clientTime: Date.now() };
    socket.send(JSON.stringify(ping));
    this.#pings += 1;
    this.#pingTimer = setTimeout(
      () => this.#ping(),
      this.#pings < FAST_PINGS ? FAST_PING_INTERVAL_MS : PING_INTERVAL_MS,
    );
  }

  #clearTimers(): void {
    if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#pingTimer = null;
    this.#reconnectTimer = null;
  }
}

export function controllerSocketUrl(location: Location, eventId: string, key: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/events/${encodeURIComponent(eventId)}/ws?key=${encodeURIComponent(key)}`;
}
