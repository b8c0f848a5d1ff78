// This process's open event WebSockets, and the rules that keep a public key (the viewer link is shared
// by everyone watching) from exhausting the controller: sockets per client address (counted with the
// obs-websocket door's, which claims its slots here too) and per key are capped, a socket that sends more
// than its frame budget is closed and its key cooled down at its address, sockets that stop answering pings are
// dropped, a client that does not read its frames is dropped before its send buffer grows without bound,
// and the sockets of a revoked key close at once.
// Limits are per controller process: with several processes behind a balancer each one applies them.
import type { WebSocket } from 'ws';
import {
  WS_CLOSE,
  WS_FLOOD_COOLDOWN_MS,
  WS_FRAME_BUDGET,
  type FrameBudgetLimits,
  type KeyRevocation,
} from '../../protocol/index.ts';
import type { Config } from '../../runtime/config.ts';
import { closeOverBudget, FrameBudget } from './frame-budget.ts';
import type { AuthContext } from './key-store.ts';

export interface SocketLimits {
  /** Open sockets one client address (an IPv6 /64) may hold: a venue's shared NAT still fits. */
  perAddress: number;
  /** Open sockets one key may hold: the viewer key is everyone's, an operator key a few panels'. */
  perKey: number;
  /** A socket whose unsent frames pass this is a reader that cannot keep up: dropped (it resyncs on reconnect). */
  maxBufferedBytes: number;
  /** Server pings this often; a socket that has not answered (or sent anything) by the next one is dead. */
  pingIntervalMs: number;
  /** What one socket may send (protocol WS_FRAME_BUDGET; smaller in tests). */
  frameBudget?: FrameBudgetLimits;
  /** How long an address that went over a budget may open no socket (protocol WS_FLOOD_COOLDOWN_MS). */
  floodCooldownMs?: number;
}

/** The limits as configured (WS_* in runtime/config.ts, where their defaults live). */
export function socketLimits(config: Config): SocketLimits {
  return {
    perAddress: config.WS_MAX_SOCKETS_PER_ADDRESS,
    perKey: config.WS_MAX_SOCKETS_PER_KEY,
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    pingIntervalMs: config.WS_PING_INTERVAL_MS,
  };
}

export interface SocketAdmission {
  eventId: string;
  auth: AuthContext;
  /** The rate-limit identity of the client address (see auth.ts rateLimitKey). */
  address: string;
}

/** One admitted socket: send through it so the buffer bound applies. */
export interface OpenSocket extends SocketAdmission {
  readonly socket: WebSocket;
  /** False when the socket is gone or was just dropped for not reading. */
  send(text: string): boolean;
  /**
   * Spends a received frame of `bytes` from the socket's budget: false when the frame must be ignored
   * (the socket is closing, or went over its budget just now and is closed with WS_CLOSE.OVER_BUDGET).
   */
  withinBudget(bytes: number): boolean;
}

interface Entry extends OpenSocket {
  keyTag: string;
  alive: boolean;
  release: () => void;
}

export type Admission = { ok: true; open: OpenSocket } | { ok: false; reason: string };
/** A connection slot of one address, for either door; `release` once the connection has closed. */
export type AddressClaim = { ok: true; release: () => void } | { ok: false; reason: string };

function coolingTag(address: string, keyTag: string): string {
  return `${address} ${keyTag}`;
}

export class SocketRegistry {
  readonly #entries = new Set<Entry>();
  readonly #byAddress = new Map<string, number>();
  readonly #byKey = new Map<string, number>();
  /** Addresses that went over a frame budget, until when they may open no socket. */
  readonly #cooling = new Map<string, number>();
  readonly #budget: FrameBudgetLimits;
  readonly #cooldownMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    readonly limits: SocketLimits,
    private readonly onDrop: (reason: 'dead' | 'slow' | 'over budget', open: OpenSocket) => void,
  ) {
    this.#budget = limits.frameBudget ?? WS_FRAME_BUDGET;
    this.#cooldownMs = limits.floodCooldownMs ?? WS_FLOOD_COOLDOWN_MS;
  }

  /** A new budget for one connection (the obs-websocket door keeps its own socket list). */
  frameBudget(): FrameBudget {
    return new FrameBudget(this.#budget);
  }

  /**
   * A slot for one more connection from this address, for either door: refused while the address cools
   * down after a flood or holds `perAddress` connections already. Checked before any Redis work.
   */
  claimAddress(address: string, now: number = Date.now(), keyTag?: string): AddressClaim {
    for (const tag of keyTag === undefined ? [address] : [address, coolingTag(address, keyTag)]) {
      const until = this.#cooling.get(tag);
      if (until !== undefined && until > now) {
        return {
          ok: false,
          reason: `too many frames from this address: retry in ${Math.ceil((until - now) / 1000)} s`,
        };
      }
      if (until !== undefined) this.#cooling.delete(tag);
    }
    if ((this.#byAddress.get(address) ?? 0) >= this.limits.perAddress) {
      return { ok: false, reason: 'too many connections from this address' };
    }
    bump(this.#byAddress, address, 1);
    let held = true;
    const release = (): void => {
      if (held) bump(this.#byAddress, address, -1);
      held = false;
    };
    return { ok: true, release };
  }

  /**
   * The address sent more than a socket's budget: it opens nothing more for the cooldown. With `keyTag`
   * (an event socket, whose key is known), only that key is cooled at that address: a viewer page flooding
   * from the machine the built-in recorder runs on (or from behind the venue's one NAT) must not lock the
   * recorder's template key or the director's out.
   */
  overBudget(address: string, now: number = Date.now(), keyTag?: string): void {
    this.#cooling.set(keyTag === undefined ? address : coolingTag(address, keyTag), now + this.#cooldownMs);
  }

  start(): void {
    this.#timer = setInterval(() => this.#sweep(), this.limits.pingIntervalMs);
    this.#timer.unref();
  }

  admit(socket: WebSocket, admission: SocketAdmission): Admission {
    const keyTag = `${admission.auth.eventId ?? '*'}/${admission.auth.keyId}`;
    if ((this.#byKey.get(keyTag) ?? 0) >= this.limits.perKey) {
      return { ok: false, reason: 'too many connections with this key' };
    }
    const claim = this.claimAddress(admission.address, Date.now(), keyTag);
    if (!claim.ok) return claim;
    const budget = this.frameBudget();
    const entry: Entry = {
      ...admission,
      socket,
      keyTag,
      alive: true,
      release: claim.release,
      send: (text) => this.#send(entry, text),
      withinBudget: (bytes) => {
        if (socket.readyState !== socket.OPEN) return false;
        if (budget.take(bytes)) return true;
        this.overBudget(entry.address, Date.now(), keyTag);
        this.onDrop('over budget', entry);
        closeOverBudget(socket);
        return false;
      },
    };
    this.#entries.add(entry);
    bump(this.#byKey, keyTag, 1);
    const alive = (): void => {
      entry.alive = true;
    };
    socket.on('pong', alive);
    socket.on('message', alive);
    socket.once('close', () => this.#release(entry));
    return { ok: true, open: entry };
  }

  /** Open sockets of an event on this process (all events when omitted). */
  count(eventId?: string): number {
    if (eventId === undefined) return this.#entries.size;
    let n = 0;
    for (const entry of this.#entries) if (entry.eventId === eventId) n++;
    return n;
  }

  /** Closes the sockets a revocation names: a rotated or removed key's, or every socket of a deleted event. */
  revoke(revocation: KeyRevocation): number {
    const keyIds = 'keyIds' in revocation ? new Set(revocation.keyIds) : null;
    let closed = 0;
    for (const entry of this.#entries) {
      if (entry.eventId !== revocation.eventId) continue;
      // The admin key belongs to no event and is never revoked by an event's rotation.
      if (entry.auth.eventId !== revocation.eventId) continue;
      if (keyIds !== null && !keyIds.has(entry.auth.keyId)) continue;
      entry.socket.close(
        keyIds === null ? WS_CLOSE.NOT_FOUND : WS_CLOSE.UNAUTHORIZED,
        keyIds === null ? 'the event was deleted' : 'this key was revoked: ask for a new link',
      );
      closed++;
    }
    return closed;
  }

  /** Closes every socket (shutdown): clients reconnect, to this process or another. */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const entry of this.#entries) entry.socket.close(1012, 'controller restarting');
  }

  #send(entry: Entry, text: string): boolean {
    const socket = entry.socket;
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount + text.length > this.limits.maxBufferedBytes) {
      // A close frame would queue behind the backlog: cut the connection now.
      this.onDrop('slow', entry);
      socket.terminate();
      return false;
    }
    socket.send(text);
    return true;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [address, until] of this.#cooling) if (until <= now) this.#cooling.delete(address);
    for (const entry of this.#entries) {
      if (!entry.alive) {
        this.onDrop('dead', entry);
        entry.socket.terminate();
        continue;
      }
      entry.alive = false;
      if (entry.socket.readyState === entry.socket.OPEN) entry.socket.ping();
    }
  }

  #release(entry: Entry): void {
    if (!this.#entries.delete(entry)) return;
    entry.release();
    bump(this.#byKey, entry.keyTag, -1);
  }
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
