// The event's live chat (protocol/chat.ts): messages in a trimmed Redis stream, limits counted in Redis
// (so they hold across controller processes), and every change published on the realtime channel for
// the sockets of every process. Moderators (director, admin) are not limited and may delete, slow down
// and block.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  CHAT_HISTORY,
  CHAT_MAX_ENTRIES,
  CHAT_MODERATORS,
  CHAT_RATE_LIMIT,
  CHAT_RATE_WINDOW_MS,
  CHAT_SECRET_PATTERN,
  type ChatEntry,
  type ChatSettings,
  type RedisKeys,
  type Role,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';
import type { RealtimeHub } from './realtime-hub.ts';

export type ChatRole = ChatEntry['role'];

export function isChatModerator(role: Role): boolean {
  return (CHAT_MODERATORS as readonly Role[]).includes(role);
}

/**
 * The session others see: a hash of the viewer's own secret (kept by its browser, sent on the socket), so
 * a block follows a reconnect and nobody can post as another session. Without one: the connection.
 */
export function chatSession(eventId: string, secret: unknown, connectionId: string): string {
  const source = typeof secret === 'string' && CHAT_SECRET_PATTERN.test(secret) ? `s:${secret}` : `c:${connectionId}`;
  return createHash('sha256').update(`${eventId}\n${source}`).digest('hex').slice(0, 16);
}

export class ChatService {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly realtime: RealtimeHub,
  ) {}

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
    from: { session: string; role: ChatRole },
    name: string,
    text: string,
    now: number = Date.now(),
  ): Promise<ChatEntry> {
    if (!isChatModerator(from.role)) await this.#admit(eventId, from.session);
    const body = { at: now, session: from.session, name: name.trim(), text: text.trim(), role: from.role };
    const id = await this.redis.xadd(
      this.keys.chat(eventId),
      'MAXLEN',
      '~',
      CHAT_MAX_ENTRIES,
      '*',
      'json',
      JSON.stringify(body),
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

  /** The session may not post again in this event, and what it said is removed for everyone. */
  async block(eventId: string, session: string): Promise<void> {
    await this.redis.sadd(this.keys.chatBlocked(eventId), session);
    const entries = await this.redis.xrange(this.keys.chat(eventId), '-', '+');
    const ids = entries.flatMap(([id, fields]) => toEntry(id, fields)).filter((m) => m.session === session);
    await this.delete(
      eventId,
      ids.map((m) => m.id),
    );
  }

  async #admit(eventId: string, session: string): Promise<void> {
    if ((await this.redis.sismember(this.keys.chatBlocked(eventId), session)) === 1)
      throw new AppError(403, 'CHAT_BLOCKED', 'A moderator has blocked you from this chat.');
    const rateKey = this.keys.chatLimit(eventId, session, 'rate');
    const [[, count], [, ttl]] = (await this.redis.multi().incr(rateKey).pttl(rateKey).exec()) as [
      [unknown, number],
      [unknown, number],
    ];
    if (ttl < 0) await this.redis.pexpire(rateKey, CHAT_RATE_WINDOW_MS);
    if (count > CHAT_RATE_LIMIT)
      throw new AppError(
        429,
        'CHAT_RATE_LIMITED',
        `At most ${CHAT_RATE_LIMIT} messages in ${CHAT_RATE_WINDOW_MS / 1000} s: wait ${Math.ceil(Math.max(ttl, 0) / 1000)} s.`,
      );
    const { slowModeSeconds } = await this.settings(eventId);
    if (slowModeSeconds === 0) return;
    const slowKey = this.keys.chatLimit(eventId, session, 'slow');
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

function toEntry(id: string, fields: string[]): ChatEntry[] {
  const json = fields[fields.indexOf('json') + 1];
  if (json === undefined) return [];
  try {
    return [{ id, ...(JSON.parse(json) as Omit<ChatEntry, 'id'>) }];
  } catch {
    return [];
  }
}
