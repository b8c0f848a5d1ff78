// The camera operator's lens and framing tools: zoom, torch, focus and exposure lock where the device's
// video track offers them (a control the device lacks is not shown), front/back switch, a rule-of-thirds
// grid over the preview, and the picture size and frame rate the director asked for. The director's
// controls (`camera.control`) change the same wanted settings; every change is reported to the controller
// (`camera.device`), so the director sees what the device offers and what it accepted.
import {
  CAMERA_SIZES,
  lockMode,
  type CameraCapabilities,
  type CameraControlMessage,
  type CameraDevice,
  type CameraSettings,
  type CameraSize,
} from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { attempt } from '../lib/notices.ts';

/** Until the director asks for another: what the built-in recorder composes four of on two cores. */
export const DEFAULT_PICTURE = { width: 1280, height: 720, frameRate: 30 } as const;

/** The constraint set of a camera with image-capture controls (lib.dom lacks them). */
type LensConstraintSet = MediaTrackConstraintSet & {
  zoom?: number;
  torch?: boolean;
  focusMode?: string;
  exposureMode?: string;
};
type Facing = 'user' | 'environment';

export interface CameraToolsOptions {
  /** The camera track now sending (another one after a device switch or a flip). */
  track: () => MediaStreamTrack | null;
  /** Capture from the camera facing the other way, on every connection, without leaving the program. */
  flip: (facing: Facing) => Promise<void>;
  /** The picture size changed: the sender's encodings follow it. */
  resized: () => Promise<void>;
  /** To the controller; false while the socket is down (the page reports again when it is back). */
  report: (device: CameraDevice) => boolean;
  /** The framing preview the grid is drawn over. */
  preview: HTMLElement;
}

interface Wanted {
  zoom?: number;
  torch?: boolean;
  focusLocked?: boolean;
  exposureLocked?: boolean;
  size?: CameraSize;
  frameRate?: number;
}

export class CameraTools {
  readonly element: HTMLElement;
  readonly #options: CameraToolsOptions;
  readonly #zoom: HTMLInputElement;
  readonly #zoomValue: HTMLElement;
  readonly #zoomRow: HTMLElement;
  readonly #torch: HTMLButtonElement;
  readonly #focus: HTMLButtonElement;
  readonly #exposure: HTMLButtonElement;
  readonly #flip: HTMLButtonElement;
  readonly #grid: HTMLButtonElement;
  readonly #picture: HTMLElement;
  #wanted: Wanted = {};
  #capabilities: CameraCapabilities = {};
  #track: MediaStreamTrack | null = null;
  #facing: Facing = 'user';

  constructor(options: CameraToolsOptions) {
    this.#options = options;
    this.#zoom = h('input', { type: 'range', id: 'zoom', 'aria-label': 'Zoom' });
    this.#zoomValue = h('span', { class: 'mono', id: 'zoom-value' });
    this.#zoomRow = h('label', { class: 'zoom-row', hidden: true }, 'Zoom', this.#zoom, this.#zoomValue);
    this.#torch = h('button', { type: 'button', id: 'torch-toggle', hidden: true }, 'Torch');
    this.#focus = h('button', { type: 'button', id: 'focus-lock', hidden: true }, 'Lock focus');
    this.#exposure = h('button', { type: 'button', id: 'exposure-lock', hidden: true }, 'Lock exposure');
    this.#flip = h('button', { type: 'button', id: 'flip-camera', hidden: true }, 'Flip camera');
    this.#grid = h('button', { type: 'button', id: 'grid-toggle', 'aria-pressed': 'false' }, 'Grid');
    this.#picture = h('p', { class: 'mono muted', id: 'picture-status' });
    this.element = h(
      'div',
      { class: 'camera-tools', id: 'camera-tools' },
      this.#zoomRow,
      h('div', { class: 'camera-controls' }, this.#torch, this.#focus, this.#exposure, this.#flip, this.#grid),
      this.#picture,
    );
    // The picture follows the slider at once; the controller hears where it settled.
    this.#zoom.addEventListener('input', () => void this.#change({ zoom: Number(this.#zoom.value) }, false));
    this.#zoom.addEventListener('change', () => this.#report());
    this.#torch.addEventListener('click', () => void this.#change({ torch: this.#settings().torch !== true }));
    this.#focus.addEventListener('click', () => void this.#change({ focusLocked: this.#wanted.focusLocked !== true }));
    this.#exposure.addEventListener(
      'click',
      () => void this.#change({ exposureLocked: this.#wanted.exposureLocked !== true }),
    );
    this.#flip.addEventListener('click', () => {
      const facing: Facing = this.#facing === 'user' ? 'environment' : 'user';
      void attempt('Flipping the camera', () => options.flip(facing));
    });
    this.#grid.addEventListener('click', () => {
      const on = options.preview.dataset.grid !== 'on';
      options.preview.dataset.grid = on ? 'on' : 'off';
      this.#grid.setAttribute('aria-pressed', String(on));
    });
  }

  /**
   * A (new) camera track is sending: read what it offers, give it what is wanted (zoom, size, …, which a
   * new capture does not carry over), show the controls it has and report.
   */
  async attach(): Promise<void> {
    const track = this.#options.track();
    if (track === this.#track) return;
    this.#track = track;
    if (track === null) return;
    this.#capabilities = readCapabilities(track);
    const facing = track.getSettings().facingMode;
    if (facing === 'user' || facing === 'environment') this.#facing = facing;
    await this.#apply().catch(() => undefined); // a device that refuses keeps its own settings, reported below
    this.#show();
    this.#report();
    const devices = await navigator.mediaDevices.enumerateDevices();
    this.#flip.hidden = devices.filter((d) => d.kind === 'videoinput').length < 2;
  }

  /** Sends the current report again (after the socket reconnected: the controller forgot the last one). */
  reportAgain(): void {
    this.#report();
  }

  /** The director's control: applied to the device, then reported with what it accepted. */
  async handleControl(message: CameraControlMessage): Promise<void> {
    const { zoom, torch, size, frameRate } = message.control;
    const resized = size !== undefined || frameRate !== undefined;
    try {
      this.#wanted = {
        ...this.#wanted,
        ...(zoom === undefined ? {} : { zoom }),
        ...(torch === undefined ? {} : { torch }),
        ...(size === undefined ? {} : { size }),
        ...(frameRate === undefined ? {} : { frameRate }),
      };
      await this.#apply();
      if (resized) await this.#options.resized();
      this.#show();
      this.#report({ id: message.id, ok: true });
    } catch (error) {
      this.#show();
      this.#report({ id: message.id, ok: false, message: (error as Error).message || (error as Error).name });
    }
  }

  async #change(change: Partial<Wanted>, report = true): Promise<void> {
    this.#wanted = { ...this.#wanted, ...change };
    await attempt('Camera setting', () => this.#apply());
    this.#show();
    if (report) this.#report();
  }

  /** One whole constraint set each time: applyConstraints replaces the previous set, it does not add to it. */
  async #apply(): Promise<void> {
    const track = this.#track;
    if (track === null) return;
    const c = this.#capabilities;
    const w = this.#wanted;
    const size = w.size === undefined ? DEFAULT_PICTURE : CAMERA_SIZES[w.size];
    const advanced: LensConstraintSet[] = [];
    if (c.zoom !== undefined && w.zoom !== undefined) advanced.push({ zoom: w.zoom });
    if (c.torch === true && w.torch !== undefined) advanced.push({ torch: w.torch });
    const focusLock = lockMode(c.focusModes);
    if (focusLock !== null && w.focusLocked !== undefined)
      advanced.push({ focusMode: w.focusLocked ? focusLock : 'continuous' });
    const exposureLock = lockMode(c.exposureModes);
    if (exposureLock !== null && w.exposureLocked !== undefined)
      advanced.push({ exposureMode: w.exposureLocked ? exposureLock : 'continuous' });
    await track.applyConstraints({
      width: { ideal: size.width },
      height: { ideal: size.height },
      frameRate: { ideal: w.frameRate ?? DEFAULT_PICTURE.frameRate },
      ...(advanced.length === 0 ? {} : { advanced }),
    });
  }

  #settings(): CameraSettings {
    return this.#track === null ? { width: 0, height: 0, frameRate: 0 } : readSettings(this.#track);
  }

  /** Only the controls this device has; each shows what the device runs at now. */
  #show(): void {
    const c = this.#capabilities;
    const s = this.#settings();
    this.#zoomRow.hidden = c.zoom === undefined;
    if (c.zoom !== undefined) {
      Object.assign(this.#zoom, { min: String(c.zoom.min), max: String(c.zoom.max), step: String(c.zoom.step) });
      if (document.activeElement !== this.#zoom) this.#zoom.value = String(s.zoom ?? c.zoom.min);
      setText(this.#zoomValue, `${(s.zoom ?? c.zoom.min).toFixed(1)}×`);
    }
    this.#torch.hidden = c.torch !== true;
    toggle(this.#torch, s.torch === true, 'Torch on', 'Torch off');
    this.#focus.hidden = lockMode(c.focusModes) === null;
    toggle(this.#focus, this.#wanted.focusLocked === true, 'Focus locked', 'Lock focus');
    this.#exposure.hidden = lockMode(c.exposureModes) === null;
    toggle(this.#exposure, this.#wanted.exposureLocked === true, 'Exposure locked', 'Lock exposure');
    const { size, frameRate } = this.#wanted;
    const asked = [size, frameRate === undefined ? undefined : `${frameRate} fps`].filter((part) => part !== undefined);
    setText(
      this.#picture,
      `Picture: ${s.width}×${s.height} ${Math.round(s.frameRate)} fps` +
        (asked.length === 0 ? '' : ` (director asked ${asked.join(' ')})`),
    );
  }

  #report(applied?: CameraDevice['applied']): void {
    if (this.#track === null) return;
    this.#options.report({
      capabilities: this.#capabilities,
      settings: this.#settings(),
      ...(applied === undefined ? {} : { applied }),
    });
  }
}

function toggle(button: HTMLButtonElement, on: boolean, onText: string, offText: string): void {
  button.setAttribute('aria-pressed', String(on));
  setText(button, on ? onText : offText);
}

type Range = { min: number; max: number; step?: number };

function isRange(value: unknown): value is Range {
  const r = value as Range | undefined;
  return typeof r?.min === 'number' && typeof r.max === 'number' && r.max > r.min;
}

function range(value: unknown, limit: number): { min: number; max: number } | undefined {
  return isRange(value) ? { min: Math.min(value.min, limit), max: Math.min(value.max, limit) } : undefined;
}

function modes(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const names = value.filter((m): m is string => typeof m === 'string' && m.length > 0 && m.length <= 32);
  return names.length === 0 ? undefined : names.slice(0, 8);
}

/** What the track offers, in the report's bounds; nothing for a browser without getCapabilities. */
export function readCapabilities(track: MediaStreamTrack): CameraCapabilities {
  const raw = (track.getCapabilities?.() ?? {}) as Record<string, unknown>;
  const zoom = raw['zoom'];
  const torch = raw['torch'];
  const capabilities: CameraCapabilities = {};
  if (isRange(zoom) && zoom.max <= 1000)
    capabilities.zoom = {
      min: zoom.min,
      max: zoom.max,
      step: zoom.step !== undefined && zoom.step > 0 ? zoom.step : 0.1,
    };
  // Chrome says `true`; the spec's older form is the list of values it takes.
  if (torch === true || (Array.isArray(torch) && torch.includes(true))) capabilities.torch = true;
  const focusModes = modes(raw['focusMode']);
  const exposureModes = modes(raw['exposureMode']);
  const width = range(raw['width'], 8192);
  const height = range(raw['height'], 8192);
  const frameRate = range(raw['frameRate'], 240);
  return {
    ...capabilities,
    ...(focusModes === undefined ? {} : { focusModes }),
    ...(exposureModes === undefined ? {} : { exposureModes }),
    ...(width === undefined ? {} : { width }),
    ...(height === undefined ? {} : { height }),
    ...(frameRate === undefined ? {} : { frameRate }),
  };
}

function readSettings(track: MediaStreamTrack): CameraSettings {
  const raw = track.getSettings() as MediaTrackSettings & LensConstraintSet;
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value.length <= 32 ? value : undefined;
  const settings: CameraSettings = {
    width: Math.min(8192, Math.round(raw.width ?? 0)),
    height: Math.min(8192, Math.round(raw.height ?? 0)),
    frameRate: Math.min(240, Math.round((raw.frameRate ?? 0) * 10) / 10),
  };
  if (typeof raw.zoom === 'number' && raw.zoom >= 0 && raw.zoom <= 1000) settings.zoom = raw.zoom;
  if (typeof raw.torch === 'boolean') settings.torch = raw.torch;
  const focusMode = text(raw.focusMode);
  const exposureMode = text(raw.exposureMode);
  const facingMode = text(raw.facingMode);
  return {
    ...settings,
    ...(focusMode === undefined ? {} : { focusMode }),
    ...(exposureMode === undefined ? {} : { exposureMode }),
    ...(facingMode === undefined ? {} : { facingMode }),
  };
}
