// Fan-out across controller processes: every frame is PUBLISHed once on the prefix's realtime channel
// (program-state frames by the same Lua script that stores the state, so Redis orders them by revision),
// and every process relays what it hears to its own WebSocket subscribers of that event. A frame is
// decoded and checked against the ServerMessage union once per process, and its text is what each socket
// sends: no parse or stringify per subscriber. Key revocations travel on a channel of their own.
import type { Redis } from 'ioredis';
import {
  KeyRevocationSchema,
  parse,
  serverMessages,
  type EventFrame,
  type KeyRevocation,
  type ServerMessage,
} from '../../protocol/index.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

/** A checked frame of one event with the exact text to send. */
export interface RelayedFrame {
  frame: EventFrame;
  text: string;
}

export type FrameListener = (relayed: RelayedFrame) => void;
export type RevocationListener = (revocation: KeyRevocation) => void;

function isEventFrame(frame: ServerMessage): frame is EventFrame {
  return 'eventId' in frame;
}

export class RealtimeHub {
  readonly #listeners = new Map<string, Set<FrameListener>>();
  readonly #revocationListeners = new Set<RevocationListener>();
  readonly #resubscribedListeners = new Set<() => void>();
  /** The subscriber lost its connection since it was last subscribed (frames published meanwhile were lost). */
  #lost = false;

  constructor(
    private readonly redis: Redis,
    /** A connection of its own: a subscribed Redis connection can do nothing else. */
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
    private readonly onBadFrame: (error: Error) => void = () => {},
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.revocationChannel()) this.#revoked(message);
      else this.#deliver(message);
    });
    // The worker publishes job status on its own per-event channels; panels get them as frames too.
    this.subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => this.#deliver(message));
    // Pub/sub is fire-and-forget: whatever was published while the subscriber was away (Redis restarted,
    // a network blip) never arrives, and the command connection may be back first, so a take answered 200
    // would reach no panel until the next one. ioredis re-subscribes right after 'ready'; a PING queued
    // behind those SUBSCRIBEs answers once they hold, and then the owners resend what they know.
    this.subscriber.on('close', () => (this.#lost = true));
    this.subscriber.on('ready', () => {
      if (!this.#lost) return;
      this.#lost = false;
      setImmediate(() => {
        this.subscriber.ping().then(
          () => {
            for (const listener of this.#resubscribedListeners) listener();
          },
          () => (this.#lost = true),
        );
      });
    });
    await this.subscriber.subscribe(this.keys.realtimeChannel(), this.keys.revocationChannel());
    await this.subscriber.psubscribe(this.keys.jobStatusChannel('*'));
  }

  /**
   * Called each time the subscriber is subscribed again after losing its connection: frames published
   * meanwhile were lost, so a listener resends its snapshot. Returns the unsubscribe function.
   */
  onResubscribed(listener: () => void): () => void {
    this.#resubscribedListeners.add(listener);
    return () => this.#resubscribedListeners.delete(listener);
  }

  /** Listen to one event's frames (from every controller process). Returns the unsubscribe function. */
  subscribe(eventId: string, listener: FrameListener): () => void {
    let set = this.#listeners.get(eventId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(eventId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(eventId);
    };
  }

  /** Event ids with at least one local listener. */
  localEvents(): string[] {
    return [...this.#listeners.keys()];
  }

  /** Send a frame to every subscriber of its event on every controller process. */
  async publish(frame: EventFrame): Promise<void> {
    await this.redis.publish(this.keys.realtimeChannel(), JSON.stringify(frame));
  }

  /** Deliver to this process's listeners only (e.g. a presence recount nobody else needs). */
  deliverLocal(frame: EventFrame): void {
    this.#fanOut({ frame, text: JSON.stringify(frame) });
  }

  /** Hear the key store's revocations, from every process. Returns the unsubscribe function. */
  onRevocation(listener: RevocationListener): () => void {
    this.#revocationListeners.add(listener);
    return () => this.#revocationListeners.delete(listener);
  }

  #fanOut(relayed: RelayedFrame): void {
    for (const listener of this.#listeners.get(relayed.frame.eventId) ?? []) listener(relayed);
  }

  #deliver(text: string): void {
    // Nobody on this process to relay to (a controller serving only HTTP): the frame needs no decoding.
    if (this.#listeners.size === 0) return;
    const decoded = serverMessages.decode(text);
    if (!decoded.ok) {
      this.onBadFrame(new TypeError(`realtime frame refused: ${decoded.error.field} ${decoded.error.message}`));
      return;
    }
    if (!isEventFrame(decoded.frame)) {
      this.onBadFrame(new TypeError(`realtime frame "${decoded.frame.type}" belongs to no event`));
      return;
    }
    this.#fanOut({ frame: decoded.frame, text });
  }

  #revoked(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    const parsed = parse(KeyRevocationSchema, value);
    if (!parsed.ok) {
      this.onBadFrame(new TypeError(`revocation refused: ${parsed.error.field} ${parsed.error.message}`));
      return;
    }
    for (const listener of this.#revocationListeners) listener(parsed.value);
  }

  /** Stops local delivery; the subscriber connection's owner quits it (which ends the subscriptions). */
  close(): void {
    this.#listeners.clear();
    this.#revocationListeners.clear();
    this.#resubscribedListeners.clear();
  }
}
