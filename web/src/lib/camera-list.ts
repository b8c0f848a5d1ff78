// The event's cameras as the director and the producer's console list them: status (joined / live /
// disconnected) from the controller's `cameras` frames, the link each camera measures (picture size, frame
// rate, bitrate, loss, round trip, battery: amber/red past HEALTH_THRESHOLDS), how long ago each was last
// heard from, and its tally as the multiview lights it.
import { Type } from '@sinclair/typebox';
import '../styles/camera-list.css';
import {
  CameraSchema,
  describeDevice,
  describeHealth,
  healthLevel,
  parse,
  tallyOf,
  type Camera,
  type ProgramState,
} from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import type { ApiClient } from './api-client.ts';
import { h, setText } from './dom.ts';
import { KeyedList, type KeyedView } from './keyed-list.ts';
import { attempt } from './notices.ts';
import { TALLY_BADGE } from './tally.ts';

const CamerasAnswerSchema = Type.Object({ cameras: Type.Array(CameraSchema) });
/** A live camera not heard from for this long is shown as stale (its heartbeat or webhook is late). */
export const CAMERA_STALE_MS = 30_000;
const STATUS_TEXT: Record<Camera['status'], string> = {
  registered: 'Joined, no video yet',
  live: 'Live',
  disconnected: 'Disconnected',
};

export interface CameraListOptions {
  /** Shown while no camera has joined. */
  emptyText: string;
}

export class CameraList {
  readonly element: HTMLElement;
  readonly #body: HTMLElement;
  readonly #rows: KeyedList<Camera>;
  readonly #count: HTMLElement;
  #cameras: Camera[] = [];

  constructor(
    api: ApiClient,
    eventId: string,
    private readonly realtime: RealtimeClient,
    options: CameraListOptions,
  ) {
    this.#body = h('ul', { class: 'camera-list', id: 'camera-list' });
    this.#rows = new KeyedList(this.#body, {
      key: (camera) => camera.id,
      create: () => new CameraRow(() => this.#view()),
      empty: h('li', { class: 'muted empty' }, options.emptyText),
    });
    this.#count = h('span', { class: 'muted', id: 'camera-count' });
    this.element = h(
      'section',
      { class: 'panel live-dependent camera-list-panel' },
      h('div', { class: 'row' }, h('h2', {}, 'Cameras'), h('span', { class: 'spacer' }), this.#count),
      this.#body,
    );
    const path = `/api/events/${encodeURIComponent(eventId)}/cameras`;
    realtime.on('status', (status) => {
      if (status !== 'online') return;
      void attempt('Loading cameras', () => api.get<unknown>(path)).then((answer) => {
        const parsed = parse(CamerasAnswerSchema, answer);
        if (parsed.ok) this.#set(parsed.value.cameras);
      });
    });
    realtime.handle({ cameras: (frame) => this.#set(frame.cameras) });
    realtime.on('state', () => this.#render());
  }

  /** Call every second or so: "last seen" ages and tally through a transition. */
  tick(): void {
    this.#render();
  }

  #set(cameras: Camera[]): void {
    this.#cameras = cameras;
    this.#render();
  }

  #view(): { now: number; state: ProgramState | null } {
    return { now: this.realtime.serverNow(), state: this.realtime.state };
  }

  #render(): void {
    const live = this.#cameras.filter((c) => c.status === 'live').length;
    setText(this.#count, `${live} live of ${this.#cameras.length}`);
    this.#rows.update(this.#cameras);
  }
}

class CameraRow implements KeyedView<Camera> {
  readonly element: HTMLElement;
  readonly #label = h('strong', { class: 'camera-label' });
  readonly #tally = h('span', { class: 'tally-chip' });
  readonly #status = h('span', { class: 'muted camera-status' });
  readonly #seen = h('span', { class: 'muted mono camera-seen' });
  readonly #health = h('span', { class: 'camera-health mono' });
  /** What a phone's lens offers and runs at: zoom, torch, focus, picture (the director sets them on its tile). */
  readonly #device = h('span', { class: 'camera-device muted mono' });

  constructor(private readonly view: () => { now: number; state: ProgramState | null }) {
    this.element = h(
      'li',
      { class: 'camera-item' },
      h('span', { class: 'status-dot' }),
      this.#label,
      this.#tally,
      h('span', { class: 'spacer' }),
      this.#status,
      this.#seen,
      this.#health,
      this.#device,
    );
  }

  update(camera: Camera): void {
    const { now, state } = this.view();
    const age = Math.max(0, now - camera.lastSeen);
    const stale = camera.status === 'live' && age > CAMERA_STALE_MS;
    const tally = state === null ? 'none' : tallyOf(state, camera.id, now);
    // A gone camera's last measurement would read as a live link: only connected cameras show one.
    const health = camera.status === 'disconnected' ? undefined : camera.health;
    Object.assign(this.element.dataset, { camera: camera.id, status: stale ? 'stale' : camera.status, tally });
    setText(this.#label, camera.label);
    this.#tally.hidden = tally === 'none';
    this.#tally.className = `tally-chip tally-${tally}`;
    setText(this.#tally, tally === 'none' ? '' : TALLY_BADGE[tally]);
    setText(this.#status, stale ? `No news for ${Math.round(age / 1000)} s` : STATUS_TEXT[camera.status]);
    setText(this.#seen, ago(age));
    this.#health.hidden = health === undefined;
    this.#health.dataset.level = health === undefined ? '' : healthLevel(health);
    setText(this.#health, health === undefined ? '' : describeHealth(health));
    const device = camera.status === 'disconnected' ? undefined : camera.device;
    this.#device.hidden = device === undefined;
    setText(this.#device, device === undefined ? '' : describeDevice(device));
  }
}

function ago(ms: number): string {
  if (ms < 5000) return 'now';
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  return `${Math.round(ms / 60_000)} min ago`;
}
