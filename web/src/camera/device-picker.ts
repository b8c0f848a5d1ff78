// Camera and microphone choice; the publisher (LiveKit or direct) switches devices on its live tracks.
import { h } from '../lib/dom.ts';
import { syncOptions } from '../lib/option-list.ts';

type Kind = 'videoinput' | 'audioinput';

export class DevicePicker {
  readonly element: HTMLElement;
  readonly #video: HTMLSelectElement;
  readonly #audio: HTMLSelectElement;
  readonly #message: HTMLElement;
  #listeners: ((kind: Kind, deviceId: string) => void)[] = [];

  constructor() {
    this.#video = h(
      'select',
      { id: 'video-device', 'aria-label': 'Camera' },
      h('option', { value: '' }, 'Default camera'),
    );
    this.#audio = h(
      'select',
      { id: 'audio-device', 'aria-label': 'Microphone' },
      h('option', { value: '' }, 'Default microphone'),
    );
    this.#message = h('p', { class: 'muted device-message' });
    this.#video.addEventListener('change', () => this.#emit('videoinput', this.#video.value));
    this.#audio.addEventListener('change', () => this.#emit('audioinput', this.#audio.value));
    this.element = h(
      'div',
      { class: 'device-picker' },
      h('label', {}, 'Camera', this.#video),
      h('label', {}, 'Microphone', this.#audio),
      this.#message,
    );
    void this.refresh();
    navigator.mediaDevices?.addEventListener('devicechange', () => void this.refresh());
  }

  choice(): { videoDeviceId?: string; audioDeviceId?: string } {
    return {
      ...(this.#video.value === '' ? {} : { videoDeviceId: this.#video.value }),
      ...(this.#audio.value === '' ? {} : { audioDeviceId: this.#audio.value }),
    };
  }

  onChange(listener: (kind: Kind, deviceId: string) => void): void {
    this.#listeners.push(listener);
  }

  async refresh(): Promise<void> {
    if (navigator.mediaDevices === undefined) {
      this.#message.textContent = 'This browser gives no camera access here (it needs https or localhost).';
      return;
    }
    const devices = await navigator.mediaDevices.enumerateDevices();
    fillDevices(
      this.#video,
      devices.filter((d) => d.kind === 'videoinput'),
      'Camera',
    );
    fillDevices(
      this.#audio,
      devices.filter((d) => d.kind === 'audioinput'),
      'Microphone',
    );
  }

  #emit(kind: Kind, deviceId: string): void {
    for (const listener of this.#listeners) listener(kind, deviceId);
  }
}

/** A device list into a picker, the chosen device kept while it is still there. */
export function fillDevices(select: HTMLSelectElement, devices: MediaDeviceInfo[], noun: string): void {
  const current = select.value;
  syncOptions(select, [
    { value: '', label: `Default ${noun.toLowerCase()}` },
    ...devices
      .filter((d) => d.deviceId !== '' && d.deviceId !== 'default')
      .map((d, i) => ({ value: d.deviceId, label: d.label || `${noun} ${i + 1}` })),
  ]);
  select.value = devices.some((d) => d.deviceId === current) ? current : '';
}
