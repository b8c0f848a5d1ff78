// How camera operators join: the event's code in large type and a QR code of the join link, served by
// the controller (both come from the event, so a rotated code shows up on the next load).
import { EventSchema, parse } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setText } from '../lib/dom.ts';
import { attempt } from '../lib/notices.ts';

/** The controller's QR image of the camera join link (`/camera?code=…`). */
export function joinQrPath(eventId: string): string {
  return `/api/events/${encodeURIComponent(eventId)}/join-qr.svg`;
}

/** Characters per group when the code is shown: read aloud or typed from a screen, 5 + 5 is easier. */
const CODE_GROUP = 5;

/** The code as shown: in groups of CODE_GROUP (the camera page ignores spaces and dashes when joining). */
export function groupedJoinCode(code: string): string {
  return code.match(new RegExp(`.{1,${CODE_GROUP}}`, 'g'))?.join(' ') ?? code;
}

export class JoinCard {
  readonly element: HTMLElement;
  readonly #code: HTMLElement;
  readonly #link: HTMLAnchorElement;
  readonly #qr: HTMLImageElement;
  readonly #rotate: HTMLButtonElement;

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
  ) {
    this.#code = h('div', { class: 'join-code mono', id: 'join-code' }, '······');
    this.#link = h('a', { class: 'join-link', target: '_blank', rel: 'noopener' });
    this.#qr = h('img', { class: 'join-qr', alt: 'QR code of the camera join link', width: 112, height: 112 });
    // A leaked code (a photo of the screen): a new one stops admitting with the old; joined cameras stay.
    this.#rotate = h('button', { type: 'button', class: 'join-rotate', id: 'join-rotate' }, 'New code');
    this.#rotate.addEventListener('click', () => void this.#rotateCode());
    this.element = h(
      'section',
      { class: 'join-card panel' },
      h('h2', {}, 'Cameras join with'),
      h(
        'div',
        { class: 'join-body' },
        this.#qr,
        h(
          'div',
          { class: 'join-text' },
          this.#code,
          h('p', { class: 'muted' }, 'Open ', this.#link, ' on a phone, or scan the code.'),
          this.#rotate,
        ),
      ),
    );
  }

  async load(): Promise<void> {
    const event = parse(
      EventSchema,
      await attempt('Loading the join code', () =>
        this.api.get<unknown>(`/api/events/${encodeURIComponent(this.eventId)}`),
      ),
    );
    if (!event.ok) return;
    const { joinCode } = event.value;
    setText(this.#code, groupedJoinCode(joinCode));
    this.#code.dataset.code = joinCode;
    const url = `${location.origin}/camera?code=${joinCode}`;
    this.#link.href = url;
    setText(this.#link, `${location.host}/camera`);
    const qr = await attempt('Loading the QR code', () => this.api.blob(joinQrPath(this.eventId)));
    if (qr !== undefined) this.#qr.src = URL.createObjectURL(qr);
  }

  async #rotateCode(): Promise<void> {
    if (!confirm('Replace the join code? Cameras that joined stay; the old code and QR stop working.')) return;
    this.#rotate.disabled = true;
    try {
      await attempt('Replacing the join code', () =>
        this.api.post(`/api/events/${encodeURIComponent(this.eventId)}/join/rotate`),
      );
      await this.load();
    } finally {
      this.#rotate.disabled = false;
    }
  }
}
