// The event's live chat (protocol/chat.ts): messages in a trimmed Redis stream, limits counted in Redis
// (so they hold across controller processes) per session, per client address and per key, and every
// change published on the realtime channel for the sockets of every process. Sessions are issued by the
// server (chat-identity.ts). Moderators (director, admin) are not limited and may delete, slow down and
// block; a block covers the session and the addresses it posted from.
import type { Redis } from 'ioredis';
import {
  CHAT_ADDRESS_BLOCK_MS,
  CHAT_ADDRESS_RATE_LIMIT,
  CHAT_HISTORY,
  CHAT_KEY_RATE_LIMIT,
  CHAT_MAX_ENTRIES,
  CHAT_MODERATORS,
  CHAT_RATE_LIMIT,
  CHAT_RATE_WINDOW_MS,
  type ChatEntry,
  type ChatSettings,
  type RedisKeys,
  type Role,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';
import type { ChatConnection, ChatIdentities, ChatIdentity } from './chat-identity.ts';
import type { RealtimeHub } from './realtime-hub.ts';

export type ChatRole = ChatEntry['role'];

/** Who sends a message: the connection's server-issued identity and the key's role. */
export interface ChatSender extends Pick<ChatIdentity, 'session' | 'issuedAt' | 'addressTag' | 'keyId'> {
  role: ChatRole;
}

/** The per-window limits, each with the refusal a person reads. */
const RATE_LIMITS = [
  { scope: 's', limit: CHAT_RATE_LIMIT, code: 'CHAT_RATE_LIMITED', says: `At most ${CHAT_RATE_LIMIT} messages` },
  {
    scope: 'a',
    limit: CHAT_ADDRESS_RATE_LIMIT,
    code: 'CHAT_RATE_LIMITED',
    says: `At most ${CHAT_ADDRESS_RATE_LIMIT} messages from one network`,
  },
  {
    scope: 'k',
    limit: CHAT_KEY_RATE_LIMIT,
    code: 'CHAT_BUSY',
    says: `The chat takes at most ${CHAT_KEY_RATE_LIMIT} messages`,
  },
] as const;

export function isChatModerator(role: Role): boolean {
  return (CHAT_MODERATORS as readonly Role[]).includes(role);
}

export class ChatService {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly realtime: RealtimeHub,
    private readonly identities: ChatIdentities,
  ) {}

  /** A connection's chat identity: issued here, resumed only from a ticket issued for the same client. */
  identify(connection: ChatConnection): ChatIdentity {
    return this.identities.identify(connection);
  }

  async history(eventId: string): Promise<{ messages: ChatEntry[]; settings: ChatSettings }> {
    const [entries, settings] = await Promise.all([
      this.redis.xrevrange(this.keys.chat(eventId), '+', '-', 'COUNT', CHAT_HISTORY),
      this.settings(eventId),
    ]);
    return { messages: entries.reverse().flatMap(([id, fields]) => toEntry(id, fields)), settings };
  }

  async settings(eventId: string): Promise<ChatSettings> {
    const slow = await this.redis.hget(this.keys.chatSettings(eventId), 'slowModeSeconds');
    return { slowModeSeconds: slow === null ? 0 : Number(slow) };
  }

  async send(
    eventId: string,
    from: ChatSender,
    name: string,
    text: string,
    now: number = Date.now(),
  ): Promise<ChatEntry> {
    if (!isChatModerator(from.role)) await this.#admit(eventId, from, now);
    const body = { at: now, session: from.session, name: name.trim(), text: text.trim(), role: from.role };
    const id = await this.redis.xadd(
      this.keys.chat(eventId),
      'MAXLEN',
      '~',
      CHAT_MAX_ENTRIES,
      '*',
      'json',
      JSON.stringify(body),
      // Kept beside the message, never sent: what a block of its session also blocks.
      'address',
      from.addressTag,
    );
    const message: ChatEntry = { id: id!, ...body };
    await this.realtime.publish({ type: 'chat.message', eventId, message });
    return message;
  }

  async delete(eventId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.xdel(this.keys.chat(eventId), ...ids);
    await this.realtime.publish({ type: 'chat.deleted', eventId, ids });
  }

  async setSlowMode(eventId: string, seconds: number): Promise<void> {
    await this.redis.hset(this.keys.chatSettings(eventId), 'slowModeSeconds', seconds);
    await this.realtime.publish({ type: 'chat.settings', eventId, settings: { slowModeSeconds: seconds } });
  }

  /**
   * The session may not post again in this event, nor may sessions issued from the addresses it posted from
   * for CHAT_ADDRESS_BLOCK_MS (a reconnect without the ticket is no way back in); what it said is removed for
   * everyone.
   */
  async block(eventId: string, session: string, now: number = Date.now()): Promise<void> {
    const entries = await this.redis.xrange(this.keys.chat(eventId), '-', '+');
    const mine = entries.filter(([id, fields]) => toEntry(id, fields)[0]?.session === session);
    const addresses = new Set(mine.flatMap(([, fields]) => fieldOf(fields, 'address') ?? []));
    const multi = this.redis.multi().sadd(this.keys.chatBlocked(eventId), session);
    for (const tag of addresses) multi.hset(this.keys.chatBlockedAddresses(eventId), tag, now);
    await multi.exec();
    await this.delete(
      eventId,
      mine.map(([id]) => id),
    );
  }

  /** One round trip: the blocks, and every limit counted (session, address, key) with its window. */
  async #admit(eventId: string, from: ChatSender, now: number): Promise<void> {
    const scopes = { s: from.session, a: from.addressTag, k: from.keyId };
    const multi = this.redis
      .multi()
      .sismember(this.keys.chatBlocked(eventId), from.session)
      .hget(this.keys.chatBlockedAddresses(eventId), from.addressTag);
    for (const { scope } of RATE_LIMITS) {
      const key = this.keys.chatLimit(eventId, `${scope}:${scopes[scope]}`, 'rate');
      multi.incr(key).pexpire(key, CHAT_RATE_WINDOW_MS, 'NX').pttl(key);
    }
    const replies = ((await multi.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const addressBlockedAt = replies[1] === null ? null : Number(replies[1]);
    const addressBlocked =
      addressBlockedAt !== null && from.issuedAt >= addressBlockedAt && now - addressBlockedAt < CHAT_ADDRESS_BLOCK_MS;
    if (replies[0] === 1 || addressBlocked)
      throw new AppError(403, 'CHAT_BLOCKED', 'A moderator has blocked you from this chat.');
    for (const [i, rule] of RATE_LIMITS.entries()) {
      const count = replies[2 + i * 3] as number;
      const ttl = replies[4 + i * 3] as number;
      if (count > rule.limit)
        throw new AppError(
          429,
          rule.code,
          `${rule.says} in ${CHAT_RATE_WINDOW_MS / 1000} s: wait ${Math.ceil(Math.max(ttl, 0) / 1000)} s.`,
        );
    }
    const { slowModeSeconds } = await this.settings(eventId);
    if (slowModeSeconds === 0) return;
    const slowKey = this.keys.chatLimit(eventId, from.session, 'slow');
    if ((await this.redis.set(slowKey, '1', 'PX', slowModeSeconds * 1000, 'NX')) === null) {
      const left = await this.redis.pttl(slowKey);
      throw new AppError(
        429,
        'CHAT_SLOW_MODE',
        `Slow mode: one message every ${slowModeSeconds} s; wait ${Math.ceil(Math.max(left, 0) / 1000)} s.`,
      );
    }
  }
}

function fieldOf(fields: string[], name: string): string | undefined {
  const at = fields.indexOf(name);
  return at < 0 ? undefined : fields[at + 1];
}

function toEntry(id: string, fields: string[]): ChatEntry[] {
  const json = fieldOf(fields, 'json');
  if (json === undefined) return [];
  try {
    return [{ id, ...(JSON.parse(json) as Omit<ChatEntry, 'id'>) }];
  } catch {
    return [];
  }
}
