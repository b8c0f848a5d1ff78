// The event's cameras with their status and health: joined/live/disconnected from the controller's
// `cameras` frames, how long ago each was last heard from, and which one is on program or preview.
import { Type } from '@sinclair/typebox';
import { CameraSchema, parse, type Camera, type ProgramState } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h } from '../lib/dom.ts';
import { attempt } from '../lib/notices.ts';
import type { RealtimeClient } from '../../../client/index.ts';

const CamerasAnswerSchema = Type.Object({ cameras: Type.Array(CameraSchema) });
/** A live camera not heard from for this long is shown as stale (its heartbeat or webhook is late). */
export const CAMERA_STALE_MS = 30_000;
const STATUS_TEXT: Record<Camera['status'], string> = {
  registered: 'Joined, no video yet',
  live: 'Live',
  disconnected: 'Disconnected',
};

export class CameraList {
  readonly element: HTMLElement;
  readonly #body: HTMLElement;
  readonly #count: HTMLElement;
  #cameras: Camera[] = [];
  #state: ProgramState | null = null;

  constructor(
    private readonly api: ApiClient,
    eventId: string,
    private readonly realtime: RealtimeClient,
  ) {
    this.#body = h('ul', { class: 'camera-list', id: 'camera-list' });
    this.#count = h('span', { class: 'muted', id: 'camera-count' });
    this.element = h(
      'section',
      { class: 'panel live-dependent' },
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
    realtime.on('state', (state) => {
      this.#state = state;
      this.#render();
    });
  }

  /** Called every second by the overview: "last seen" ages. */
  tick(): void {
    this.#render();
  }

  #set(cameras: Camera[]): void {
    this.#cameras = cameras;
    this.#render();
  }

  #render(): void {
    const live = this.#cameras.filter((c) => c.status === 'live').length;
    this.#count.textContent = `${live} live of ${this.#cameras.length}`;
    if (this.#cameras.length === 0) {
      this.#body.replaceChildren(
        h('li', { class: 'muted empty' }, 'No camera has joined yet: hand out the camera join card (Crew tab).'),
      );
      return;
    }
    const now = this.realtime.serverNow();
    this.#body.replaceChildren(
      ...this.#cameras.map((camera) => {
        const age = Math.max(0, now - camera.lastSeen);
        const stale = camera.status === 'live' && age > CAMERA_STALE_MS;
        const tally =
          this.#state?.program === camera.id ? 'program' : this.#state?.preview === camera.id ? 'preview' : null;
        return h(
          'li',
          { class: 'camera-item', 'data-camera': camera.id, 'data-status': stale ? 'stale' : camera.status },
          h('span', { class: 'status-dot' }),
          h('strong', {}, camera.label),
          tally === null
            ? null
            : h('span', { class: `tally-chip tally-${tally}` }, tally === 'program' ? 'PGM' : 'PVW'),
          h('span', { class: 'spacer' }),
          h('span', { class: 'muted' }, stale ? `No news for ${Math.round(age / 1000)} s` : STATUS_TEXT[camera.status]),
          h('span', { class: 'muted mono camera-seen' }, ago(age)),
        );
      }),
    );
  }
}

function ago(ms: number): string {
  if (ms < 5000) return 'now';
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  return `${Math.round(ms / 60_000)} min ago`;
}
