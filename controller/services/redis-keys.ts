// Every Redis key and channel the controller uses, in one place. A prefix keeps deployments (and tests)
// apart on one Redis; the worker builds the same names from the same prefix.
export const DEFAULT_KEY_PREFIX = 'pitchside:';

export interface RedisKeys {
  readonly prefix: string;
  /** Set of event ids. */
  events(): string;
  /** JSON of the stored event (destinations with keys). */
  event(eventId: string): string;
  /** Join code → event id. */
  joinCode(code: string): string;
  /** LiveKit room name → event id. */
  room(room: string): string;
  /** JSON ProgramState. */
  state(eventId: string): string;
  /** Stream: one entry per take. */
  switchLog(eventId: string): string;
  /** Stream: camera, output and error entries operators see. */
  eventLog(eventId: string): string;
  /** Hash camera id → JSON Camera. */
  cameras(eventId: string): string;
  /** Hash role → JSON { key, keyId, createdAt } for one event. */
  eventKeys(eventId: string): string;
  /** Hash camera id → JSON { hash, createdAt } of the camera's own key. */
  cameraKeys(eventId: string): string;
  /** Set of sha256(key) of every key issued for the event (so deleting it revokes them all). */
  eventKeyIndex(eventId: string): string;
  /** Hash sha256(key) → JSON { role, eventId, keyId, cameraId? }. */
  keyLookup(): string;
  /** Pub/sub channel carrying KeyRevocation messages: every process closes the revoked keys' sockets. */
  revocationChannel(): string;
  /** Sorted set "connection|role" scored by last heartbeat. */
  presence(eventId: string): string;
  /** Pub/sub channel carrying every realtime frame of every event. */
  realtimeChannel(): string;
}

export function createRedisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  return {
    prefix,
    events: () => `${prefix}events`,
    event: (id) => `${prefix}event:${id}`,
    joinCode: (code) => `${prefix}code:${code}`,
    room: (room) => `${prefix}room:${room}`,
    state: (id) => `${prefix}event:${id}:state`,
    switchLog: (id) => `${prefix}event:${id}:switches`,
    eventLog: (id) => `${prefix}event:${id}:log`,
    cameras: (id) => `${prefix}event:${id}:cameras`,
    eventKeys: (id) => `${prefix}event:${id}:keys`,
    cameraKeys: (id) => `${prefix}event:${id}:camera-keys`,
    eventKeyIndex: (id) => `${prefix}event:${id}:key-index`,
    keyLookup: () => `${prefix}keys`,
    revocationChannel: () => `${prefix}revocations`,
    presence: (id) => `${prefix}event:${id}:presence`,
    realtimeChannel: () => `${prefix}realtime`,
  };
}
