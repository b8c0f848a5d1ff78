// The director's remote lens controls: a strip under each phone camera's multiview tile with zoom (or "no
// zoom on this device"), torch, picture size and frame rate, offered as the camera's page reported its
// device, and what the device accepted. Each change goes to that camera only
// (`POST /api/events/:id/cameras/:camera/controls`); the strip follows the camera list's reports.
import {
  CAMERA_FRAME_RATES,
  CAMERA_SIZES,
  describeDevice,
  type Camera,
  type CameraControl,
  type CameraControlAnswer,
  type CameraDevice,
  type CameraSize,
} from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { describeError } from '../lib/api-error.ts';
import { h, setText } from '../lib/dom.ts';
import { syncOptions } from '../lib/option-list.ts';
import type { Multiview } from './multiview.ts';

/** The − and + buttons move the zoom by this share of the device's range (or its own step, if larger). */
const ZOOM_BUTTON_SHARE = 0.1;

export class LensControls {
  readonly #strips = new Map<string, LensStrip>();
  #cameras: Camera[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
    private readonly realtime: RealtimeClient,
    private readonly multiview: Multiview,
  ) {
    realtime.handle({ cameras: (frame) => this.#set(frame.cameras) });
  }

  /** Puts each strip under its tile again (call after the multiview rebuilt its tiles). */
  refresh(): void {
    const sources = this.realtime.state?.sources ?? [];
    for (const camera of this.#cameras) {
      const strip = this.#strips.get(camera.id);
      const source = sources.find((s) => s.kind === 'livekit' && (s.participant ?? s.id) === camera.id);
      const slot = source === undefined ? undefined : this.multiview.lensSlot(source.id);
      if (strip !== undefined && slot !== undefined && !slot.contains(strip.element))
        slot.replaceChildren(strip.element);
    }
  }

  #set(cameras: Camera[]): void {
    this.#cameras = cameras;
    const ids = new Set(cameras.map((c) => c.id));
    for (const [id, strip] of this.#strips)
      if (!ids.has(id)) {
        strip.element.remove();
        this.#strips.delete(id);
      }
    for (const camera of cameras) {
      let strip = this.#strips.get(camera.id);
      if (strip === undefined) {
        const path = `/api/events/${encodeURIComponent(this.eventId)}/cameras/${encodeURIComponent(camera.id)}/controls`;
        strip = new LensStrip((control) => this.api.post<CameraControlAnswer>(path, control));
        this.#strips.set(camera.id, strip);
      }
      strip.update(camera);
    }
    this.refresh();
  }
}

class LensStrip {
  readonly element: HTMLElement;
  readonly #zoom = h('input', { type: 'range', class: 'lens-zoom', 'aria-label': 'Zoom' });
  readonly #zoomValue = h('span', { class: 'lens-zoom-value mono' });
  readonly #zoomRow: HTMLElement;
  readonly #noZoom = h('span', { class: 'lens-no-zoom muted' }, 'no zoom on this device');
  readonly #torch = h('button', { type: 'button', class: 'lens-torch', 'aria-pressed': 'false' }, 'Torch');
  readonly #size = h('select', { class: 'lens-size', 'aria-label': 'Picture size' });
  readonly #rate = h('select', { class: 'lens-rate', 'aria-label': 'Frame rate' });
  readonly #accepted = h('span', { class: 'lens-accepted mono muted' });
  readonly #message = h('span', { class: 'lens-message', role: 'status' });
  #device: CameraDevice | undefined;

  constructor(private readonly send: (control: CameraControl) => Promise<CameraControlAnswer>) {
    const step = (sign: number) => () => this.#stepZoom(sign);
    this.#zoomRow = h(
      'div',
      { class: 'lens-zoom-row' },
      h('button', { type: 'button', class: 'lens-zoom-out', 'aria-label': 'Zoom out', onclick: step(-1) }, '−'),
      this.#zoom,
      h('button', { type: 'button', class: 'lens-zoom-in', 'aria-label': 'Zoom in', onclick: step(1) }, '+'),
      this.#zoomValue,
    );
    this.element = h(
      'div',
      { class: 'lens-controls', hidden: true },
      this.#zoomRow,
      this.#noZoom,
      h('div', { class: 'lens-row' }, this.#torch, this.#size, this.#rate, this.#accepted),
      this.#message,
    );
    this.#zoom.addEventListener('change', () => void this.#control({ zoom: Number(this.#zoom.value) }));
    this.#torch.addEventListener('click', () => void this.#control({ torch: this.#device?.settings.torch !== true }));
    this.#size.addEventListener('change', () => {
      if (this.#size.value !== '') void this.#control({ size: this.#size.value as CameraSize });
    });
    this.#rate.addEventListener('change', () => {
      const rate = Number(this.#rate.value) as CameraControl['frameRate'];
      if (rate !== undefined && rate > 0) void this.#control({ frameRate: rate });
    });
  }

  update(camera: Camera): void {
    // A camera without a page reporting its lens (not joined yet, gone, an RTMP/WHIP camera): no strip.
    const device = camera.status === 'disconnected' ? undefined : camera.device;
    this.#device = device;
    this.element.dataset.camera = camera.id;
    this.element.hidden = device === undefined;
    if (device === undefined) return;
    const { capabilities: c, settings: s } = device;
    this.#zoomRow.hidden = c.zoom === undefined;
    this.#noZoom.hidden = c.zoom !== undefined;
    if (c.zoom !== undefined) {
      Object.assign(this.#zoom, { min: String(c.zoom.min), max: String(c.zoom.max), step: String(c.zoom.step) });
      const zoom = s.zoom ?? c.zoom.min;
      if (document.activeElement !== this.#zoom) this.#zoom.value = String(zoom);
      setText(this.#zoomValue, `${zoom.toFixed(1)}×`);
      this.element.dataset.zoom = String(zoom);
    }
    this.#torch.hidden = c.torch !== true;
    this.#torch.setAttribute('aria-pressed', String(s.torch === true));
    const sizes = Object.entries(CAMERA_SIZES).filter(
      ([, size]) => c.height === undefined || size.height <= c.height.max,
    );
    const currentSize = sizes.find(([, size]) => size.height === s.height)?.[0] ?? '';
    syncOptions(this.#size, [
      ...(currentSize === '' ? [{ value: '', label: `${s.height}p` }] : []),
      ...sizes.map(([value]) => ({ value, label: value })),
    ]);
    const rates = CAMERA_FRAME_RATES.filter((rate) => c.frameRate === undefined || rate <= c.frameRate.max);
    const currentRate = rates.find((rate) => rate === Math.round(s.frameRate));
    syncOptions(this.#rate, [
      ...(currentRate === undefined ? [{ value: '', label: `${Math.round(s.frameRate)} fps` }] : []),
      ...rates.map((rate) => ({ value: String(rate), label: `${rate} fps` })),
    ]);
    if (document.activeElement !== this.#size) this.#size.value = currentSize;
    if (document.activeElement !== this.#rate) this.#rate.value = String(currentRate ?? '');
    setText(this.#accepted, describeDevice(device));
  }

  #stepZoom(sign: number): void {
    const zoom = this.#device?.capabilities.zoom;
    if (zoom === undefined) return;
    const by = Math.max(zoom.step, (zoom.max - zoom.min) * ZOOM_BUTTON_SHARE);
    const now = this.#device?.settings.zoom ?? zoom.min;
    const next = Math.min(zoom.max, Math.max(zoom.min, Math.round((now + sign * by) / zoom.step) * zoom.step));
    void this.#control({ zoom: Math.round(next * 1000) / 1000 });
  }

  async #control(control: CameraControl): Promise<void> {
    this.element.dataset.message = 'pending';
    setText(this.#message, 'Sending…');
    try {
      const answer = await this.send(control);
      this.element.dataset.message = answer.status;
      setText(this.#message, answer.status === 'applied' ? '' : 'Sent; the camera has not confirmed yet.');
    } catch (error) {
      this.element.dataset.message = 'error';
      setText(this.#message, describeError(error));
    }
  }
}
