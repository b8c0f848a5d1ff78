// Fan-out across controller processes: every frame is PUBLISHed once on the prefix's realtime channel
// (program-state frames by the same Lua script that stores the state, so Redis orders them by revision),
// and every process relays what it hears to its own WebSocket subscribers of that event.
import type { Redis } from 'ioredis';
import { jobStatusChannel, type RelayFrame } from '../../protocol/index.ts';
import type { RedisKeys } from './redis-keys.ts';

export type FrameListener = (frame: RelayFrame) => void;

export class RealtimeHub {
  readonly #listeners = new Map<string, Set<FrameListener>>();
  readonly #jobPattern = jobStatusChannel('*');

  constructor(
    private readonly redis: Redis,
    /** A connection of its own: a subscribed Redis connection can do nothing else. */
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
    private readonly onBadFrame: (error: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => this.#deliver(message));
    // The worker publishes job status on its own per-event channels; panels get them as frames too.
    this.subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => this.#deliver(message));
    await this.subscriber.subscribe(this.keys.realtimeChannel());
    await this.subscriber.psubscribe(this.#jobPattern);
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
  async publish(frame: RelayFrame): Promise<void> {
    await this.redis.publish(this.keys.realtimeChannel(), JSON.stringify(frame));
  }

  /** Deliver to this process's listeners only (e.g. a presence recount nobody else needs). */
  deliverLocal(frame: RelayFrame): void {
    for (const listener of this.#listeners.get(frame.eventId) ?? []) listener(frame);
  }

  #deliver(message: string): void {
    let frame: RelayFrame;
    try {
      frame = JSON.parse(message) as RelayFrame;
      if (
        typeof frame !== 'object' ||
        frame === null ||
        typeof frame.eventId !== 'string' ||
        typeof frame.type !== 'string'
      ) {
        throw new TypeError('frame without type/eventId');
      }
    } catch (error) {
      this.onBadFrame(error);
      return;
    }
    this.deliverLocal(frame);
  }

  /** Stops local delivery; the subscriber connection's owner quits it (which ends the subscriptions). */
  close(): void {
    this.#listeners.clear();
  }
}
