// Who is connected to each event, across every controller process: one sorted-set member per open
// WebSocket, scored by its last heartbeat, so a crashed process's connections age out on their own.
import type { Redis } from 'ioredis';
import type { Presence, PresenceMessage, Role } from '../../protocol/index.ts';
import type { RealtimeHub } from './realtime-hub.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

export const PRESENCE_HEARTBEAT_MS = 10_000;
/**
 * Joins and leaves within this window go out as one recount: a crowd arriving at kick-off (or every
 * page reconnecting after a restart) costs one presence frame per socket, not one per arrival (O(N²)).
 */
export const PRESENCE_DEBOUNCE_MS = 250;
/** A member not refreshed for this long is gone (three missed heartbeats). */
export const PRESENCE_TTL_MS = 3 * PRESENCE_HEARTBEAT_MS;

interface LocalMember {
  eventId: string;
  member: string;
}

export class PresenceTracker {
  readonly #local = new Map<string, LocalMember>();
  readonly #lastSent = new Map<string, string>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly hub: RealtimeHub,
    private readonly processId: string,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#heartbeat().catch(() => {}), PRESENCE_HEARTBEAT_MS);
    this.#timer.unref();
  }

  async join(eventId: string, connectionId: string, role: Role): Promise<void> {
    const member = `${this.processId}/${connectionId}|${role}`;
    this.#local.set(connectionId, { eventId, member });
    await this.redis.zadd(this.keys.presence(eventId), Date.now(), member);
    this.#schedule(eventId);
  }

  async leave(connectionId: string): Promise<void> {
    const local = this.#local.get(connectionId);
    if (local === undefined) return;
    this.#local.delete(connectionId);
    await this.redis.zrem(this.keys.presence(local.eventId), local.member);
    this.#schedule(local.eventId);
  }

  #schedule(eventId: string): void {
    if (this.#pending.has(eventId)) return;
    const timer = setTimeout(() => {
      this.#pending.delete(eventId);
      void this.#publish(eventId).catch(() => {});
    }, PRESENCE_DEBOUNCE_MS);
    timer.unref();
    this.#pending.set(eventId, timer);
  }

  async count(eventId: string): Promise<Presence> {
    const key = this.keys.presence(eventId);
    await this.redis.zremrangebyscore(key, '-inf', Date.now() - PRESENCE_TTL_MS);
    const members = await this.redis.zrange(key, 0, -1);
    // A feed key opens no socket, so it is never present.
    const panels: Record<Exclude<Role, 'viewer' | 'feed'>, number> = {
      admin: 0,
      director: 0,
      graphics: 0,
      camera: 0,
      template: 0,
      commentary: 0,
    };
    let viewers = 0;
    for (const member of members) {
      const role = member.slice(member.lastIndexOf('|') + 1) as Role;
      if (role === 'viewer') viewers++;
      else if (role !== 'feed' && role in panels) panels[role]++;
    }
    return { viewers, panels };
  }

  async #publish(eventId: string): Promise<void> {
    const frame: PresenceMessage = { type: 'presence', eventId, presence: await this.count(eventId) };
    await this.hub.publish(frame);
  }

  async #heartbeat(): Promise<void> {
    const now = Date.now();
    const tx = this.redis.multi();
    for (const { eventId, member } of this.#local.values()) tx.zadd(this.keys.presence(eventId), now, member);
    await tx.exec();
    // Members of a crashed process expire without anyone leaving: recount and tell this process's clients.
    for (const eventId of this.hub.localEvents()) {
      const presence = await this.count(eventId);
      const text = JSON.stringify(presence);
      if (this.#lastSent.get(eventId) === text) continue;
      this.#lastSent.set(eventId, text);
      const frame: PresenceMessage = { type: 'presence', eventId, presence };
      this.hub.deliverLocal(frame);
    }
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const connections = [...this.#local.keys()];
    for (const id of connections) await this.leave(id).catch(() => {});
    // The last recount goes out now rather than after this process has stopped.
    const pending = [...this.#pending.keys()];
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    for (const eventId of pending) await this.#publish(eventId).catch(() => {});
  }
}
