// Pitchside's own API keys. One admin key (from the environment or the data dir), one key per role per
// event (kept as random secrets in Redis so an admin can list them for the page URLs), one key per
// camera, issued at join and bound to that camera, and one per commentary seat, bound to that seat (kept
// whole, like a role key, so its link can be shown again). Lookups go through a hash of the key, so finding a
// key's role never scans. Every change is one Lua script: two concurrent rotations cannot leave a key
// behind, and every key ever issued for an event is indexed under it, so deleting the event revokes all.
// Each revocation is published (KeyRevocation) so every controller process can close the sockets it holds
// and forget the key from its cache: a resolved key is kept per process for a moment (the take path then
// costs no Redis round trip for auth), dropped at once when a revocation arrives, and never kept longer
// than KEY_CACHE_TTL_MS, so a revocation takes effect within that bound even if its message is lost.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  COMMENTARY_ROLE,
  EVENT_ROLES,
  FEED_ROLE,
  type EventRole,
  type FeedKey,
  type KeyRevocation,
  type Role,
  type RoleKey,
  ROLES,
  SIGNED_URL_PARAMS,
} from '../../protocol/index.ts';
import { AppError, notFound } from './app-error.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

/** What a valid key grants. eventId null: every event (admin). */
export interface AuthContext {
  role: Role;
  eventId: string | null;
  /** Short public id of the key, for logs and the switch log (never the key). A camera key's is its camera id. */
  keyId: string;
  /** Set on a camera's own key only: the one camera this key may act as (tokens, status, signalling). */
  cameraId?: string;
  /** Set on a commentary seat's key (role `commentary`): the one seat it may act as. */
  seatId?: string;
}

const KEY_BYTES = 24;
/**
 * How long a resolved key is trusted without asking Redis. Revocations drop it at once over pub/sub; this
 * bound holds when a revocation is missed (a subscriber reconnecting), well inside the 1 s promised.
 */
export const KEY_CACHE_TTL_MS = 500;
/** Far more keys than live panels; past it the cache starts over rather than grow (a flood of keys). */
export const KEY_CACHE_MAX_ENTRIES = 10_000;
/** A lost race against another rotation is retried; past this many, something is hammering the key. */
const MAX_ROTATE_ATTEMPTS = 10;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What a signed URL says about its key (never the key): the AuthContext it stands for. */
interface UrlGrant {
  r: Role;
  e: string | null;
  k: string;
  c?: string;
  s?: string;
}

function grantOf(auth: AuthContext): UrlGrant {
  return {
    r: auth.role,
    e: auth.eventId,
    k: auth.keyId,
    ...(auth.cameraId === undefined ? {} : { c: auth.cameraId }),
    ...(auth.seatId === undefined ? {} : { s: auth.seatId }),
  };
}

function parseGrant(encoded: string): AuthContext | null {
  try {
    const grant = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<UrlGrant>;
    if (!(ROLES as readonly unknown[]).includes(grant.r) || typeof grant.k !== 'string') return null;
    if (grant.e !== null && typeof grant.e !== 'string') return null;
    return {
      role: grant.r as Role,
      eventId: grant.e ?? null,
      keyId: grant.k,
      ...(typeof grant.c === 'string' ? { cameraId: grant.c } : {}),
      ...(typeof grant.s === 'string' ? { seatId: grant.s } : {}),
    };
  } catch {
    return null;
  }
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(KEY_BYTES).toString('base64url')}`;
}

interface StoredKey {
  key: string;
  keyId: string;
  createdAt: number;
}

/** Roles with one key per event in the event's key hash: the page roles, and the feed's (made on demand). */
type KeyedRole = EventRole | typeof FEED_ROLE;

interface KeyLookup {
  role: KeyedRole | typeof COMMENTARY_ROLE;
  eventId: string;
  keyId: string;
  cameraId?: string;
  seatId?: string;
}

/** A key bound to one camera or seat, as its entries hash keeps it (`key` only for seats: see seatKeys). */
interface BoundKeyEntry {
  hash: string;
  createdAt: number;
  key?: string;
}

// Replace (or create) one entry of a hash of keys — role keys by role, camera keys by camera id — as a
// compare-and-set on what the caller read, so the key it revokes is the one it replaced.
// KEYS: event, entries hash, lookup, index. ARGV: field, expected entry ('' = none), its key hash ('' = none),
// new entry, new hash, new lookup JSON, mode ('replace' | 'create').
// Returns -1 no such event, 0 lost a race (retry), 1 stored, 2 kept the existing entry (create mode).
const PUT_KEY_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local current = redis.call('HGET', KEYS[2], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
if current ~= '' and ARGV[7] == 'create' then return 2 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
redis.call('SADD', KEYS[4], ARGV[5])
if ARGV[3] ~= '' then
  redis.call('HDEL', KEYS[3], ARGV[3])
  redis.call('SREM', KEYS[4], ARGV[3])
end
return 1
`;

// Revoke every key ever issued for an event: the indexed ones plus the hashes the caller found (entries
// from before the index existed). KEYS: lookup, index, role keys, camera keys, seat keys. ARGV: extra hashes.
const REVOKE_EVENT_SCRIPT = `
local hashes = redis.call('SMEMBERS', KEYS[2])
for _, h in ipairs(ARGV) do table.insert(hashes, h) end
for _, h in ipairs(hashes) do redis.call('HDEL', KEYS[1], h) end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return #hashes
`;

// One bound key (a camera's or a seat's). KEYS: its entries hash, lookup, index. ARGV: camera or seat id.
// Returns 1 if it had a key.
const REVOKE_BOUND_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local hash = cjson.decode(current).hash
redis.call('HDEL', KEYS[2], hash)
redis.call('SREM', KEYS[3], hash)
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`;

interface KeyScripts {
  pitchsidePutKey(
    event: string,
    entries: string,
    lookup: string,
    index: string,
    field: string,
    expected: string,
    expectedHash: string,
    entry: string,
    hash: string,
    lookupJson: string,
    mode: 'replace' | 'create',
  ): Promise<number>;
  pitchsideRevokeEvent(
    lookup: string,
    index: string,
    roleKeys: string,
    cameraKeys: string,
    seatKeys: string,
    ...hashes: string[]
  ): Promise<number>;
  pitchsideRevokeBound(entries: string, lookup: string, index: string, id: string): Promise<number>;
}

interface CachedKey {
  auth: AuthContext;
  expiresAt: number;
}

export class KeyStore {
  readonly #adminHash: Buffer;
  readonly #redis: Redis & KeyScripts;
  /** Resolved keys by hash (valid ones only: a key issued a moment ago must work at once). */
  readonly #cache = new Map<string, CachedKey>();
  /** Bumped by every revocation: a lookup that was in flight across one is not cached. */
  #generation = 0;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    adminKey: string,
  ) {
    this.#adminHash = Buffer.from(hashKey(adminKey), 'hex');
    redis.defineCommand('pitchsidePutKey', { numberOfKeys: 4, lua: PUT_KEY_SCRIPT });
    redis.defineCommand('pitchsideRevokeEvent', { numberOfKeys: 5, lua: REVOKE_EVENT_SCRIPT });
    redis.defineCommand('pitchsideRevokeBound', { numberOfKeys: 3, lua: REVOKE_BOUND_SCRIPT });
    this.#redis = redis as Redis & KeyScripts;
  }

  async resolve(key: string): Promise<AuthContext | null> {
    const hash = hashKey(key);
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.#adminHash))
      return { role: 'admin', eventId: null, keyId: 'admin' };
    const now = Date.now();
    const cached = this.#cache.get(hash);
    if (cached !== undefined && cached.expiresAt > now) return cached.auth;
    const generation = this.#generation;
    const raw = await this.#redis.hget(this.keys.keyLookup(), hash);
    if (raw === null) return null;
    const found = JSON.parse(raw) as KeyLookup;
    const auth: AuthContext = {
      role: found.role,
      eventId: found.eventId,
      keyId: found.keyId,
      ...(found.cameraId === undefined ? {} : { cameraId: found.cameraId }),
      ...(found.seatId === undefined ? {} : { seatId: found.seatId }),
    };
    if (generation === this.#generation) {
      if (this.#cache.size >= KEY_CACHE_MAX_ENTRIES) this.#cache.clear();
      this.#cache.set(hash, { auth, expiresAt: now + KEY_CACHE_TTL_MS });
    }
    return auth;
  }

  /**
   * The program renderer's pass: what sets the output's template page (the built-in recorder's) apart from any other
   * page opened with the template key, for the cameras' reserved program slots. Only the controller can make
   * one (keyed on the admin key), it is bound to the event's template key of the moment (a rotation voids it)
   * and it travels only in the output job's template URL.
   */
  programPass(eventId: string, templateKeyId: string): string {
    return createHmac('sha256', this.#adminHash)
      .update(`program pass\n${eventId}\n${templateKeyId}`)
      .digest('base64url');
  }

  isProgramPass(eventId: string, templateKeyId: string, pass: string): boolean {
    const expected = Buffer.from(this.programPass(eventId, templateKeyId));
    const offered = Buffer.from(pass);
    return offered.length === expected.length && timingSafeEqual(offered, expected);
  }

  /**
   * A signed URL for `path` (protocol/key-transport.ts SIGNED_URL_PARAMS): it acts as `auth` on that path, for
   * GET, until `expiresAt`. The signature covers the hash of the key as it is now, so rotating or revoking the
   * key voids its signed URLs too.
   */
  async signUrl(auth: AuthContext, path: string, expiresAt: number): Promise<string> {
    const grant = Buffer.from(JSON.stringify(grantOf(auth))).toString('base64url');
    const keyHash = await this.#currentHash(auth);
    if (keyHash === null) throw new AppError(401, 'UNAUTHORIZED', 'The API key is not valid.');
    const query = new URLSearchParams({
      [SIGNED_URL_PARAMS.expires]: String(expiresAt),
      [SIGNED_URL_PARAMS.grant]: grant,
      [SIGNED_URL_PARAMS.signature]: this.#urlSignature(path, expiresAt, grant, keyHash),
    });
    return `${path}?${query.toString()}`;
  }

  /** The caller a signed URL stands for, or the error that names what is wrong with it. */
  async verifySignedUrl(
    path: string,
    params: Readonly<Record<string, unknown>>,
    now: number,
  ): Promise<{ auth: AuthContext } | { error: AppError }> {
    const expires = params[SIGNED_URL_PARAMS.expires];
    const grant = params[SIGNED_URL_PARAMS.grant];
    const signature = params[SIGNED_URL_PARAMS.signature];
    const altered = {
      error: new AppError(
        403,
        'SIGNED_URL_INVALID',
        'This signed URL was altered, is for another path, or its key was replaced: ask the page for a new one.',
        `/${SIGNED_URL_PARAMS.signature}`,
      ),
    };
    if (typeof expires !== 'string' || typeof grant !== 'string' || typeof signature !== 'string') return altered;
    if (!/^\d{1,15}$/.test(expires)) return altered;
    const auth = parseGrant(grant);
    if (auth === null) return altered;
    const keyHash = await this.#currentHash(auth);
    if (keyHash === null) return altered;
    const expected = Buffer.from(this.#urlSignature(path, Number(expires), grant, keyHash));
    const offered = Buffer.from(signature);
    if (offered.length !== expected.length || !timingSafeEqual(offered, expected)) return altered;
    if (Number(expires) <= now)
      return {
        error: new AppError(
          403,
          'SIGNED_URL_EXPIRED',
          `This signed URL expired at ${new Date(Number(expires)).toISOString()}: ask the page for a new one.`,
          `/${SIGNED_URL_PARAMS.expires}`,
        ),
      };
    return { auth };
  }

  #urlSignature(path: string, expiresAt: number, grant: string, keyHash: string): string {
    return createHmac('sha256', this.#adminHash)
      .update(`signed url\nGET ${path}\n${expiresAt}\n${grant}\n${keyHash}`)
      .digest('base64url');
  }

  /** The hash of the key `auth` was resolved from, as it is stored now (null: revoked). */
  async #currentHash(auth: AuthContext): Promise<string | null> {
    if (auth.role === 'admin') return this.#adminHash.toString('hex');
    if (auth.eventId === null) return null;
    const bound =
      auth.cameraId !== undefined
        ? await this.#redis.hget(this.keys.cameraKeys(auth.eventId), auth.cameraId)
        : auth.seatId !== undefined
          ? await this.#redis.hget(this.keys.seatKeys(auth.eventId), auth.seatId)
          : undefined;
    if (bound !== undefined) return bound === null ? null : (JSON.parse(bound) as BoundKeyEntry).hash;
    if (!(EVENT_ROLES as readonly string[]).includes(auth.role)) return null;
    const key = await this.get(auth.eventId, auth.role as EventRole);
    return key === null || key.keyId !== auth.keyId ? null : hashKey(key.key);
  }

  /** Drops the keys a revocation names from this process's cache (every process hears every revocation). */
  forget(revocation: KeyRevocation): void {
    this.#generation++;
    const keyIds = 'keyIds' in revocation ? new Set(revocation.keyIds) : null;
    for (const [hash, { auth }] of this.#cache) {
      if (auth.eventId === revocation.eventId && (keyIds === null || keyIds.has(auth.keyId))) this.#cache.delete(hash);
    }
  }

  /** Makes sure the event has a key for every role (idempotent; concurrent callers get the same keys). */
  async ensureEventKeys(eventId: string): Promise<RoleKey[]> {
    const existing = await this.list(eventId);
    const missing = EVENT_ROLES.filter((role) => !existing.some((k) => k.role === role));
    for (const role of missing) existing.push(await this.#put(eventId, role, 'create'));
    return EVENT_ROLES.map((role) => existing.find((k) => k.role === role)).filter(
      (k): k is RoleKey => k !== undefined,
    );
  }

  async list(eventId: string): Promise<RoleKey[]> {
    const all = await this.#redis.hgetall(this.keys.eventKeys(eventId));
    return Object.entries(all)
      .filter((entry): entry is [EventRole, string] => (EVENT_ROLES as readonly string[]).includes(entry[0]))
      .map(([role, raw]) => ({ role, ...storedKey(raw) }));
  }

  async get(eventId: string, role: EventRole): Promise<RoleKey | null> {
    const raw = await this.#redis.hget(this.keys.eventKeys(eventId), role);
    return raw === null ? null : { role, ...storedKey(raw) };
  }

  /** A new key for the role; the old one stops working at once and its sockets are told to close. */
  async rotate(eventId: string, role: EventRole): Promise<RoleKey> {
    return this.#put(eventId, role, 'replace');
  }

  /** The event's feed key, if one was made (the console makes it: no event has one by default). */
  async feedKey(eventId: string): Promise<FeedKey | null> {
    const raw = await this.#redis.hget(this.keys.eventKeys(eventId), FEED_ROLE);
    return raw === null ? null : storedKey(raw);
  }

  /** A new feed key for the event; the old one, if any, stops working at once. */
  async rotateFeedKey(eventId: string): Promise<FeedKey> {
    const { role: _role, ...key } = await this.#put(eventId, FEED_ROLE, 'replace');
    return key;
  }

  /**
   * A camera's own key, bound to its id: it may act only as that camera. Issued at join; a second call
   * replaces the first (the old key stops working).
   */
  async issueCameraKey(eventId: string, cameraId: string): Promise<string> {
    const lookup: KeyLookup = { role: 'camera', eventId, keyId: cameraId, cameraId };
    return this.#issueBound(eventId, this.keys.cameraKeys(eventId), newSecret('pscam'), lookup, false);
  }

  /** The camera's key stops working (camera removed); its sockets are told to close. */
  async revokeCameraKey(eventId: string, cameraId: string): Promise<void> {
    await this.#revokeBound(eventId, this.keys.cameraKeys(eventId), cameraId);
  }

  /**
   * A commentary seat's own key (role `commentary`), bound to its id: it may act only as that seat. Kept
   * whole beside the seat so that its link can be shown to the director again (seatKey).
   */
  async issueSeatKey(eventId: string, seatId: string): Promise<string> {
    const lookup: KeyLookup = { role: COMMENTARY_ROLE, eventId, keyId: seatId, seatId };
    return this.#issueBound(eventId, this.keys.seatKeys(eventId), newSecret('psseat'), lookup, true);
  }

  /** The seat's key, for its link (null: no such seat, or its key was revoked). */
  async seatKey(eventId: string, seatId: string): Promise<string | null> {
    const raw = await this.#redis.hget(this.keys.seatKeys(eventId), seatId);
    return raw === null ? null : ((JSON.parse(raw) as BoundKeyEntry).key ?? null);
  }

  /** The seat's key stops working (seat removed); its sockets (the commentary page) are told to close. */
  async revokeSeatKey(eventId: string, seatId: string): Promise<void> {
    await this.#revokeBound(eventId, this.keys.seatKeys(eventId), seatId);
  }

  async #issueBound(
    eventId: string,
    entries: string,
    key: string,
    lookup: KeyLookup,
    keepKey: boolean,
  ): Promise<string> {
    const hash = hashKey(key);
    const id = lookup.keyId;
    for (let attempt = 0; attempt < MAX_ROTATE_ATTEMPTS; attempt++) {
      const current = (await this.#redis.hget(entries, id)) ?? '';
      const entry: BoundKeyEntry = { hash, createdAt: Date.now(), ...(keepKey ? { key } : {}) };
      const outcome = await this.#redis.pitchsidePutKey(
        this.keys.event(eventId),
        entries,
        this.keys.keyLookup(),
        this.keys.eventKeyIndex(eventId),
        id,
        current,
        current === '' ? '' : (JSON.parse(current) as BoundKeyEntry).hash,
        JSON.stringify(entry),
        hash,
        JSON.stringify(lookup),
        'replace',
      );
      if (outcome === -1) throw notFound('Event', eventId);
      if (outcome === 1) {
        if (current !== '') await this.#publish({ eventId, keyIds: [id] });
        return key;
      }
    }
    throw busy(eventId);
  }

  async #revokeBound(eventId: string, entries: string, id: string): Promise<void> {
    const revoked = await this.#redis.pitchsideRevokeBound(
      entries,
      this.keys.keyLookup(),
      this.keys.eventKeyIndex(eventId),
      id,
    );
    if (revoked === 1) await this.#publish({ eventId, keyIds: [id] });
  }

  /** Every key of the event stops working: role, camera and seat keys, and any a lost race ever left behind. */
  async revokeEvent(eventId: string): Promise<void> {
    const roleKeys = await this.list(eventId);
    await this.#redis.pitchsideRevokeEvent(
      this.keys.keyLookup(),
      this.keys.eventKeyIndex(eventId),
      this.keys.eventKeys(eventId),
      this.keys.cameraKeys(eventId),
      this.keys.seatKeys(eventId),
      ...roleKeys.map((k) => hashKey(k.key)),
    );
    await this.#publish({ eventId, all: true });
  }

  async #put<R extends KeyedRole>(
    eventId: string,
    role: R,
    mode: 'replace' | 'create',
  ): Promise<{ role: R } & Omit<RoleKey, 'role'>> {
    const entries = this.keys.eventKeys(eventId);
    for (let attempt = 0; attempt < MAX_ROTATE_ATTEMPTS; attempt++) {
      const current = (await this.#redis.hget(entries, role)) ?? '';
      const previous = current === '' ? null : storedKey(current);
      const stored: StoredKey = {
        key: newSecret(`ps${role.slice(0, 3)}`),
        keyId: randomBytes(4).toString('hex'),
        createdAt: Date.now(),
      };
      const lookup: KeyLookup = { role, eventId, keyId: stored.keyId };
      const outcome = await this.#redis.pitchsidePutKey(
        this.keys.event(eventId),
        entries,
        this.keys.keyLookup(),
        this.keys.eventKeyIndex(eventId),
        role,
        current,
        previous === null ? '' : hashKey(previous.key),
        JSON.stringify(stored),
        hashKey(stored.key),
        JSON.stringify(lookup),
        mode,
      );
      if (outcome === -1) throw notFound('Event', eventId);
      if (outcome === 2 && previous !== null) return { role, ...previous };
      if (outcome === 1) {
        if (previous !== null) await this.#publish({ eventId, keyIds: [previous.keyId] });
        return { role, ...stored };
      }
    }
    throw busy(eventId);
  }

  async #publish(revocation: KeyRevocation): Promise<void> {
    // This process forgets at once; the others when the message reaches them.
    this.forget(revocation);
    await this.#redis.publish(this.keys.revocationChannel(), JSON.stringify(revocation));
  }
}

function storedKey(raw: string): StoredKey {
  const { key, keyId, createdAt } = JSON.parse(raw) as StoredKey;
  return { key, keyId, createdAt };
}

function busy(eventId: string): AppError {
  return new AppError(503, 'BUSY', `The keys of event "${eventId}" are changing too fast; try again.`);
}
