// The director's remote lens controls (protocol/camera-controls.ts): a control is checked against what the
// camera's page last reported its device offers, relayed to that page only, and answered with what the
// device accepted once the page reports back. A camera page's reports are stored by its own socket only.
import { randomBytes } from 'node:crypto';
import {
  checkControl,
  CONTROL_ANSWER_TIMEOUT_MS,
  DEVICE_REPORT_LIMIT,
  DEVICE_REPORT_WINDOW_MS,
  type CameraControl,
  type CameraControlAnswer,
  type CameraDevice,
} from '../../protocol/index.ts';
import { AppError, notFound } from './app-error.ts';
import type { CameraRegistry } from './camera-registry.ts';
import type { MediaPeer } from './media-relay.ts';
import type { RealtimeHub } from './realtime-hub.ts';

export interface CameraControlsOptions {
  cameras: CameraRegistry;
  hub: RealtimeHub;
  /** How long `send` waits for the page's answer (CONTROL_ANSWER_TIMEOUT_MS). */
  answerTimeoutMs?: number;
}

export class CameraControls {
  readonly #options: CameraControlsOptions;

  constructor(options: CameraControlsOptions) {
    this.#options = options;
  }

  /** Throws AppError: 404 no such camera, 409 no page reporting its device, 422 a control the device lacks. */
  async send(eventId: string, cameraId: string, control: CameraControl): Promise<CameraControlAnswer> {
    const camera = await this.#options.cameras.get(eventId, cameraId);
    if (camera === null) throw notFound('Camera', cameraId);
    if (camera.status === 'disconnected' || camera.device === undefined)
      throw new AppError(
        409,
        'NO_CAMERA_PAGE',
        `${camera.label} has no camera page connected that reports its lens (its page is closed, or it is an RTMP/WHIP camera).`,
      );
    const refusal = checkControl(control, camera.device.capabilities);
    if (refusal !== null) throw new AppError(422, refusal.code, refusal.message, refusal.field);
    const id = `ctl-${randomBytes(8).toString('hex')}`;
    // Listening before the control goes out: a quick page may answer before publish resolves.
    const answer = this.#answer(eventId, cameraId, id);
    await this.#options.hub.publish({ type: 'camera.control', eventId, to: cameraId, id, control });
    const device = await answer;
    if (device === null) return { id, status: 'sent' };
    if (device.applied?.ok === false)
      throw new AppError(
        422,
        'DEVICE_REFUSED',
        `${camera.label}'s device did not take it: ${device.applied.message ?? 'no reason given'}.`,
      );
    return { id, status: 'applied', device };
  }

  /** The page's report that names this control (through the `cameras` frames of any process), or null. */
  #answer(eventId: string, cameraId: string, id: string): Promise<CameraDevice | null> {
    return new Promise((resolve) => {
      const finish = (device: CameraDevice | null): void => {
        clearTimeout(timer);
        stop();
        resolve(device);
      };
      const stop = this.#options.hub.subscribe(eventId, ({ frame }) => {
        if (frame.type !== 'cameras') return;
        const device = frame.cameras.find((c) => c.id === cameraId)?.device;
        if (device?.applied?.id === id) finish(device);
      });
      const timer = setTimeout(() => finish(null), this.#options.answerTimeoutMs ?? CONTROL_ANSWER_TIMEOUT_MS);
    });
  }
}

/** One per socket: a camera page stores its own device's report, within DEVICE_REPORT_LIMIT per window. */
export class DeviceReports {
  #windowStart = 0;
  #reports = 0;

  constructor(
    private readonly cameras: CameraRegistry,
    private readonly eventId: string,
    private readonly peer: MediaPeer,
  ) {}

  async report(device: CameraDevice): Promise<void> {
    if (this.peer.kind !== 'camera')
      throw new AppError(403, 'FORBIDDEN', 'Only a camera page reports its own device.', '/type');
    const now = Date.now();
    if (now - this.#windowStart > DEVICE_REPORT_WINDOW_MS) {
      this.#windowStart = now;
      this.#reports = 0;
    }
    if (++this.#reports > DEVICE_REPORT_LIMIT)
      throw new AppError(
        429,
        'RATE_LIMITED',
        `More than ${DEVICE_REPORT_LIMIT} device reports in ${DEVICE_REPORT_WINDOW_MS / 1000} s.`,
        '/type',
      );
    await this.cameras.setDevice(this.eventId, this.peer.id, device);
  }
}
