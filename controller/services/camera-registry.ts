// Cameras of an event: registered by join code, status driven by LiveKit webhooks, kept in Redis so any
// controller process (and a restarted one) sees the same list; every change goes out as a `cameras` frame.
// A phone's lens report (`device`) is kept in a hash of its own and joined in when read: the page's health
// reports rewrite the camera's JSON every few seconds and would otherwise overwrite a report racing them.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  Camera,
  CameraDevice,
  CameraHealth,
  CameraIngress,
  CameraStatus,
  CamerasMessage,
} from '../../protocol/index.ts';
import type { RealtimeHub } from './realtime-hub.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

const CAMERA_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newCameraId(): string {
  const bytes = randomBytes(6);
  return `cam-${Array.from(bytes, (b) => CAMERA_ID_ALPHABET[b % CAMERA_ID_ALPHABET.length]).join('')}`;
}

/** Sets ARGV[1] in hash KEYS[2] to ARGV[2] only while ARGV[1] is one of the cameras in KEYS[1]. */
const SET_IF_PRESENT = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return -1`;

export class CameraRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly hub: RealtimeHub,
  ) {}

  async list(eventId: string): Promise<Camera[]> {
    const [all, devices] = await Promise.all([
      this.redis.hgetall(this.keys.cameras(eventId)),
      this.redis.hgetall(this.keys.cameraDevices(eventId)),
    ]);
    return Object.entries(all)
      .map(([id, raw]) => withDevice(JSON.parse(raw) as Camera, devices[id]))
      .sort((a, b) => a.joinedAt - b.joinedAt);
  }

  async get(eventId: string, cameraId: string): Promise<Camera | null> {
    const [raw, device] = await Promise.all([
      this.redis.hget(this.keys.cameras(eventId), cameraId),
      this.redis.hget(this.keys.cameraDevices(eventId), cameraId),
    ]);
    return raw === null ? null : withDevice(JSON.parse(raw) as Camera, device ?? undefined);
  }

  /** A phone joining by code, or (with `ingress`) an RTMP/WHIP camera whose ingress LiveKit just created for `id`. */
  async register(
    eventId: string,
    label: string,
    now = Date.now(),
    options: { id?: string; ingress?: CameraIngress } = {},
  ): Promise<Camera> {
    const camera: Camera = {
      id: options.id ?? newCameraId(),
      label,
      status: 'registered',
      joinedAt: now,
      lastSeen: now,
      ...(options.ingress === undefined ? {} : { ingress: options.ingress }),
    };
    await this.redis.hset(this.keys.cameras(eventId), camera.id, JSON.stringify(camera));
    await this.#broadcast(eventId);
    return camera;
  }

  /** Returns the updated camera, or null for an identity that is not one of the event's cameras. */
  async setStatus(eventId: string, cameraId: string, status: CameraStatus, now = Date.now()): Promise<Camera | null> {
    // A gone page's lens report says nothing about the next page (maybe another phone): it reports anew.
    if (status === 'disconnected') await this.redis.hdel(this.keys.cameraDevices(eventId), cameraId);
    return this.#update(eventId, cameraId, (camera) => ({
      ...withoutHealth(camera),
      status,
      lastSeen: now,
      // A disconnected camera's last measurement is history, not its link.
      ...(status === 'disconnected' || camera.health === undefined ? {} : { health: camera.health }),
    }));
  }

  /**
   * Direct transport: the camera page's own measurement. It is live while some receiving page has a
   * connected peer connection to it, registered (reachable, sending nothing) otherwise.
   */
  async setHealth(eventId: string, cameraId: string, health: CameraHealth, now = Date.now()): Promise<Camera | null> {
    return this.#update(eventId, cameraId, (camera) => ({
      ...camera,
      status: health.peers > 0 ? 'live' : 'registered',
      lastSeen: now,
      health,
    }));
  }

  /** A phone camera page's lens report; false for an identity that is not one of the event's cameras. */
  async setDevice(eventId: string, cameraId: string, device: CameraDevice): Promise<boolean> {
    return this.#setIfPresent(eventId, this.keys.cameraDevices(eventId), cameraId, device);
  }

  async #update(eventId: string, cameraId: string, change: (camera: Camera) => Camera): Promise<Camera | null> {
    const camera = await this.get(eventId, cameraId);
    if (camera === null) return null;
    const next = change(camera);
    const { device: _device, ...stored } = next;
    return (await this.#setIfPresent(eventId, this.keys.cameras(eventId), cameraId, stored)) ? next : null;
  }

  /**
   * Writes `value` under the camera's id in `hash` and tells the pages, only while the camera still exists:
   * a report racing the camera's removal must not bring it back.
   */
  async #setIfPresent(eventId: string, hash: string, cameraId: string, value: object): Promise<boolean> {
    const cameras = this.keys.cameras(eventId);
    const written = await this.redis.eval(SET_IF_PRESENT, 2, cameras, hash, cameraId, JSON.stringify(value));
    if (written === -1) return false;
    await this.#broadcast(eventId);
    return true;
  }

  /** An ingress webhook: the encoder's state and the camera status it implies. Null for no such ingress camera. */
  async setIngressState(
    eventId: string,
    cameraId: string,
    change: { state: CameraIngress['state']; status: CameraStatus; error?: string },
    now = Date.now(),
  ): Promise<Camera | null> {
    const camera = await this.get(eventId, cameraId);
    if (camera?.ingress === undefined) return null;
    const { error: _previous, ...ingress } = camera.ingress;
    const next: Camera = {
      ...camera,
      status: change.status,
      lastSeen: now,
      ingress: { ...ingress, state: change.state, ...(change.error === undefined ? {} : { error: change.error }) },
    };
    const { device: _device, ...stored } = next;
    await this.redis.hset(this.keys.cameras(eventId), cameraId, JSON.stringify(stored));
    await this.#broadcast(eventId);
    return next;
  }

  async remove(eventId: string, cameraId: string): Promise<boolean> {
    await this.redis.hdel(this.keys.cameraDevices(eventId), cameraId);
    const removed = (await this.redis.hdel(this.keys.cameras(eventId), cameraId)) > 0;
    if (removed) await this.#broadcast(eventId);
    return removed;
  }

  async #broadcast(eventId: string): Promise<void> {
    const frame: CamerasMessage = { type: 'cameras', eventId, cameras: await this.list(eventId) };
    await this.hub.publish(frame);
  }
}

function withDevice(camera: Camera, device: string | undefined): Camera {
  return device === undefined ? camera : { ...camera, device: JSON.parse(device) as CameraDevice };
}

function withoutHealth(camera: Camera): Camera {
  const { health: _health, ...rest } = camera;
  return rest;
}
