// Pitchside's own API keys. One admin key (from the environment or the data dir) and one key per role
// per event, kept as random secrets in Redis so an admin can list them for the page URLs; lookups go
// through a hash of the key, so finding a key's role never scans.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EVENT_ROLES, type EventRole, type Role, type RoleKey } from '../../protocol/index.ts';
import type { RedisKeys } from './redis-keys.ts';

/** What a valid key grants. eventId null: every event (admin). */
export interface AuthContext {
  role: Role;
  eventId: string | null;
  /** Short public id of the key, for logs and the switch log (never the key). */
  keyId: string;
}

const KEY_BYTES = 24;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(KEY_BYTES).toString('base64url')}`;
}

interface StoredKey {
  key: string;
  keyId: string;
  createdAt: number;
}

interface KeyLookup {
  role: EventRole;
  eventId: string;
  keyId: string;
}

export class KeyStore {
  readonly #adminHash: Buffer;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    adminKey: string,
  ) {
    this.#adminHash = Buffer.from(hashKey(adminKey), 'hex');
  }

  async resolve(key: string): Promise<AuthContext | null> {
    const hash = hashKey(key);
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.#adminHash))
      return { role: 'admin', eventId: null, keyId: 'admin' };
    const raw = await this.redis.hget(this.keys.keyLookup(), hash);
    if (raw === null) return null;
    const found = JSON.parse(raw) as KeyLookup;
    return { role: found.role, eventId: found.eventId, keyId: found.keyId };
  }

  /** Makes sure the event has a key for every role (idempotent). */
  async ensureEventKeys(eventId: string): Promise<RoleKey[]> {
    const existing = await this.list(eventId);
    const missing = EVENT_ROLES.filter((role) => !existing.some((k) => k.role === role));
    for (const role of missing) existing.push(await this.rotate(eventId, role, false));
    return EVENT_ROLES.map((role) => existing.find((k) => k.role === role)).filter(
      (k): k is RoleKey => k !== undefined,
    );
  }

  async list(eventId: string): Promise<RoleKey[]> {
    const all = await this.redis.hgetall(this.keys.eventKeys(eventId));
    return Object.entries(all).map(([role, raw]) => ({ role: role as EventRole, ...(JSON.parse(raw) as StoredKey) }));
  }

  async get(eventId: string, role: EventRole): Promise<RoleKey | null> {
    const raw = await this.redis.hget(this.keys.eventKeys(eventId), role);
    return raw === null ? null : { role, ...(JSON.parse(raw) as StoredKey) };
  }

  /** A new key for the role; the old one stops working at once (unless create-only and one exists). */
  async rotate(eventId: string, role: EventRole, replace = true): Promise<RoleKey> {
    const stored: StoredKey = {
      key: newSecret(`ps${role.slice(0, 3)}`),
      keyId: randomBytes(4).toString('hex'),
      createdAt: Date.now(),
    };
    const lookup: KeyLookup = { role, eventId, keyId: stored.keyId };
    const previous = await this.get(eventId, role);
    if (previous !== null && !replace) return previous;
    const tx = this.redis
      .multi()
      .hset(this.keys.eventKeys(eventId), role, JSON.stringify(stored))
      .hset(this.keys.keyLookup(), hashKey(stored.key), JSON.stringify(lookup));
    if (previous !== null) tx.hdel(this.keys.keyLookup(), hashKey(previous.key));
    await tx.exec();
    return { role, ...stored };
  }

  async revokeEvent(eventId: string): Promise<void> {
    const existing = await this.list(eventId);
    const tx = this.redis.multi().del(this.keys.eventKeys(eventId));
    for (const k of existing) tx.hdel(this.keys.keyLookup(), hashKey(k.key));
    await tx.exec();
  }
}
