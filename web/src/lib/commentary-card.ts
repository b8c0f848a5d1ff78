// The "Commentary" card of the console's crew tab and the director's side column: the event's commentary seats,
// each with its own link (copy button, QR code to scan from a phone) and a remove button, and a field to add
// one. A seat is also a program source of kind `commentary`, so a seat added elsewhere (the join code, the
// other desk) shows up here when the state's sources say so. Each row says whether the seat's page is connected:
// from the list, then from the `media.camera` frames the controller sends as a seat's page comes and goes.
import QRCode from 'qrcode';
import {
  SeatCreatedResponseSchema,
  SeatListResponseSchema,
  parse,
  type ProgramState,
  type SeatView,
} from '../../../protocol/index.ts';
import type { ApiClient } from './api-client.ts';
import { copyLink } from './copy-link.ts';
import { h, setText } from './dom.ts';
import { KeyedList, type KeyedView } from './keyed-list.ts';
import { attempt, notify } from './notices.ts';
import './commentary-card.css';

const QR_SIZE_PX = 112;

class SeatRow implements KeyedView<SeatView> {
  readonly element: HTMLElement;
  readonly #label = h('strong', { class: 'seat-label' });
  readonly #status = h('span', { class: 'seat-status', 'data-online': 'false' }, 'Offline');
  readonly #link = h('a', { class: 'seat-link mono', target: '_blank', rel: 'noopener' });
  readonly #qr = h('img', { class: 'seat-qr', width: QR_SIZE_PX, height: QR_SIZE_PX, alt: '' });
  #url: string | null = null;

  constructor(seat: SeatView, remove: (seat: SeatView) => void) {
    const copy = h('button', { type: 'button', class: 'copy-link' }, 'Copy link');
    copy.addEventListener('click', () => {
      if (this.#url !== null) void copyLink(this.#url, copy);
    });
    const removeButton = h('button', { type: 'button', class: 'danger seat-remove' }, 'Remove');
    removeButton.addEventListener('click', () => remove(seat));
    this.element = h(
      'li',
      { class: 'seat-row', 'data-seat': seat.id },
      h('div', { class: 'seat-qr-box' }, this.#qr),
      h(
        'div',
        { class: 'seat-body' },
        h('div', { class: 'row' }, this.#label, this.#status),
        this.#link,
        h('div', { class: 'row' }, copy, removeButton),
      ),
    );
  }

  update(seat: SeatView): void {
    setText(this.#label, seat.label);
    const online = seat.online === true;
    if (this.#status.dataset.online !== String(online)) {
      this.#status.dataset.online = String(online);
      setText(this.#status, online ? 'Online' : 'Offline');
      this.element.dataset.online = String(online);
    }
    this.#qr.alt = `QR code of ${seat.label}'s commentary link`;
    if (seat.url === this.#url) return;
    this.#url = seat.url ?? null;
    this.#link.href = this.#url ?? '#';
    setText(this.#link, this.#url ?? 'Link not available');
    if (this.#url === null) this.#qr.removeAttribute('src');
    else void QRCode.toDataURL(this.#url, { margin: 1, width: QR_SIZE_PX }).then((src) => (this.#qr.src = src));
  }
}

export class CommentaryCard {
  readonly element: HTMLElement;
  readonly #seats: KeyedList<SeatView, SeatRow>;
  readonly #label = h('input', {
    type: 'text',
    class: 'seat-new-label',
    maxlength: 64,
    placeholder: 'Lead commentator',
    'aria-label': 'New commentary seat name',
  });
  readonly #base: string;
  /** The seat ids last listed: a state whose commentary sources differ means a seat came or went. */
  #known = '';
  #listed: SeatView[] = [];

  constructor(
    private readonly api: ApiClient,
    eventId: string,
  ) {
    this.#base = `/api/events/${encodeURIComponent(eventId)}/commentary`;
    const list = h('ul', { class: 'seat-list' });
    this.#seats = new KeyedList(list, {
      key: (seat) => seat.id,
      create: (seat) => new SeatRow(seat, (gone) => void this.#remove(gone)),
      empty: h('li', { class: 'muted' }, 'No commentary seat yet.'),
    });
    const add = h('form', { class: 'row seat-add' }, this.#label, h('button', { type: 'submit' }, 'Add seat'));
    add.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#add();
    });
    this.element = h(
      'section',
      { class: 'commentary-card panel', id: 'commentary-card' },
      h('h2', {}, 'Commentary'),
      h('p', { class: 'muted' }, 'Each seat has its own link: a commentator opens it and speaks into the program.'),
      list,
      add,
    );
  }

  async load(): Promise<void> {
    const answer = parse(
      SeatListResponseSchema,
      await attempt('Loading the commentary seats', () => this.api.get(this.#base)),
    );
    if (!answer.ok) return;
    this.#known = answer.value.seats.map((seat) => seat.id).join(',');
    this.#listed = answer.value.seats;
    this.#seats.update(this.#listed);
  }

  /** A `media.camera` frame: a seat's page connected or left (camera ids are not seats and change nothing). */
  setOnline(id: string, online: boolean): void {
    if (!this.#listed.some((seat) => seat.id === id)) return;
    this.#listed = this.#listed.map((seat) => (seat.id === id ? { ...seat, online } : seat));
    this.#seats.update(this.#listed);
  }

  /** From each state: a seat added or removed elsewhere reloads the list (a take does not). */
  update(state: ProgramState): void {
    const ids = state.sources.filter((source) => source.kind === 'commentary').map((source) => source.id);
    if (ids.join(',') !== this.#known) {
      this.#known = ids.join(',');
      void this.load();
    }
  }

  async #add(): Promise<void> {
    const label = this.#label.value.trim();
    if (label === '') {
      this.#label.focus();
      return;
    }
    const answer = parse(
      SeatCreatedResponseSchema,
      await attempt('Adding a commentary seat', () => this.api.post(this.#base, { label })),
    );
    if (!answer.ok) return;
    this.#label.value = '';
    await this.load();
  }

  async #remove(seat: SeatView): Promise<void> {
    if (!confirm(`Remove ${seat.label}? Their link stops working and their page closes at once.`)) return;
    const removed = await attempt('Removing the commentary seat', async () => {
      await this.api.request('DELETE', `${this.#base}/${encodeURIComponent(seat.id)}`);
      return true;
    });
    if (removed !== true) return;
    notify('info', `${seat.label}: seat removed; the link no longer works.`);
    await this.load();
  }
}
