// RTMP/WHIP cameras (GoPro, DJI, OBS, Larix) through LiveKit Ingress: add one by name and protocol, then
// show what the camera app needs (server URL, stream key, the one-URL form as a QR code) until the
// operator closes it; the list shows each encoder's state from the `cameras` frames, with removal.
import {
  CameraSchema,
  IngressCameraAccessSchema,
  parse,
  type Camera,
  type IngressCameraAccess,
  type IngressInput,
} from '../../../protocol/index.ts';
import { Type } from '@sinclair/typebox';
import type { ApiClient } from '../lib/api-client.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { h, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { attempt } from '../lib/notices.ts';

const CreatedSchema = Type.Object({ camera: CameraSchema, access: IngressCameraAccessSchema });

/** What each encoder state reads as in the list. */
const STATE_TEXT: Record<NonNullable<Camera['ingress']>['state'], string> = {
  waiting: 'waiting for the encoder',
  buffering: 'connecting',
  publishing: 'live',
  ended: 'stream ended',
  error: 'error',
};

export class EncoderCameras {
  readonly element: HTMLElement;
  readonly #list: KeyedList<Camera>;
  readonly #access: HTMLElement;
  readonly #label: HTMLInputElement;
  readonly #input: HTMLSelectElement;

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
    realtime: Pick<RealtimeClient, 'handle'>,
  ) {
    this.#label = h('input', { name: 'encoder-label', placeholder: 'Name, e.g. Drone', maxlength: 64, required: true });
    this.#input = h(
      'select',
      { name: 'encoder-input' },
      h('option', { value: 'whip' }, 'WHIP (OBS, Larix)'),
      h('option', { value: 'rtmp' }, 'RTMP (GoPro, DJI)'),
    );
    const form = h(
      'form',
      { class: 'encoder-form' },
      this.#label,
      this.#input,
      h('button', { type: 'submit' }, 'Add RTMP/WHIP camera'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#add();
    });
    const list = h('ul', { class: 'encoder-list' });
    this.#list = new KeyedList(list, {
      key: (camera) => camera.id,
      create: () =>
        new EncoderRow(
          (camera) => void this.#reveal(camera),
          (camera) => void this.#remove(camera),
        ),
    });
    this.#access = h('div', { class: 'encoder-access', hidden: true });
    this.element = h(
      'section',
      { class: 'encoder-cameras panel', id: 'encoder-cameras' },
      h('h2', {}, 'Encoder cameras'),
      form,
      this.#access,
      list,
    );
    realtime.handle({ cameras: (frame) => this.#render(frame.cameras) });
  }

  async #add(): Promise<void> {
    const body = { label: this.#label.value.trim(), input: this.#input.value as IngressInput };
    const answer = await attempt('Adding the camera', () =>
      this.api.post<unknown>(`/api/events/${encodeURIComponent(this.eventId)}/ingress-cameras`, body),
    );
    if (answer === undefined) return;
    const created = parse(CreatedSchema, answer);
    if (!created.ok) return;
    this.#label.value = '';
    await this.#showAccess(created.value.camera.label, created.value.access);
  }

  async #reveal(camera: Camera): Promise<void> {
    const path = `/api/events/${encodeURIComponent(this.eventId)}/cameras/${camera.id}/ingress`;
    const answer = await attempt(`Reading ${camera.label}'s stream key`, () => this.api.get<unknown>(path));
    const access = answer === undefined ? null : parse(IngressCameraAccessSchema, answer);
    if (access?.ok) await this.#showAccess(camera.label, access.value);
  }

  /** The key is on screen only while this box is open: closing it drops it from the page. */
  async #showAccess(label: string, access: IngressCameraAccess): Promise<void> {
    const qr = h('img', { class: 'encoder-qr', alt: `QR code of ${label}'s publish URL`, width: 160, height: 160 });
    const close = h('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => {
      URL.revokeObjectURL(qr.src);
      this.#access.replaceChildren();
      this.#access.hidden = true;
    });
    const row = (name: string, value: string, field: string) =>
      h('div', {}, h('span', { class: 'muted' }, name), h('code', { class: 'mono', 'data-field': field }, value));
    this.#access.replaceChildren(
      h('h3', {}, `${label} (${access.input.toUpperCase()})`),
      qr,
      row('Server', access.url, 'url'),
      row('Stream key', access.streamKey, 'streamKey'),
      row('One URL', access.publishUrl, 'publishUrl'),
      close,
    );
    this.#access.hidden = false;
    const image = await attempt('Loading the QR code', () => this.api.blob(access.qr.svg));
    if (image !== undefined) qr.src = URL.createObjectURL(image);
  }

  async #remove(camera: Camera): Promise<void> {
    await attempt(`Removing ${camera.label}`, () =>
      this.api.request(
        'DELETE',
        `/api/events/${encodeURIComponent(this.eventId)}/cameras/${encodeURIComponent(camera.id)}`,
      ),
    );
  }

  #render(cameras: Camera[]): void {
    this.#list.update(cameras.filter((camera) => camera.ingress !== undefined));
  }
}

class EncoderRow implements KeyedView<Camera> {
  readonly element: HTMLElement;
  readonly #label = h('strong');
  readonly #input = h('span');
  readonly #state = h('span', { class: 'encoder-state' });
  #camera: Camera | null = null;

  constructor(reveal: (camera: Camera) => void, remove: (camera: Camera) => void) {
    const act = (text: string, action: (camera: Camera) => void): HTMLButtonElement =>
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            if (this.#camera !== null) action(this.#camera);
          },
        },
        text,
      );
    this.element = h('li', {}, this.#label, this.#input, this.#state, act('Key', reveal), act('Remove', remove));
  }

  update(camera: Camera): void {
    this.#camera = camera;
    const ingress = camera.ingress!;
    this.element.dataset.camera = camera.id;
    setText(this.#label, camera.label);
    setText(this.#input, ` ${ingress.input.toUpperCase()} · `);
    this.#state.className = `encoder-state state-${ingress.state}`;
    setText(this.#state, ingress.error === undefined ? STATE_TEXT[ingress.state] : `error: ${ingress.error}`);
  }
}
