// One card per crew role: the link that role opens (with its key, or the camera join code), a copy button
// and a QR code to scan from a phone, and a rotate button that replaces the key or code so every old link
// stops working. Operator links use the address the console is open on; the camera join link is the
// controller's own (on a LAN, its HTTPS address: phone cameras need a secure page).
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { pageLink, RoleKeySchema, parse, type EventRole, type RoleKey } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { copyLink } from '../lib/copy-link.ts';
import { h, setText } from '../lib/dom.ts';
import { attempt, notify } from '../lib/notices.ts';

const QR_SIZE_PX = 168;
const KeysAnswerSchema = Type.Object({ keys: Type.Array(RoleKeySchema) });
const JoinAnswerSchema = Type.Object({ code: Type.String(), url: Type.String() });

type CardId = 'director' | 'graphics' | 'camera' | 'viewer';

interface CardSpec {
  id: CardId;
  title: string;
  what: string;
  rotateLabel: string;
}

const CARDS: readonly CardSpec[] = [
  {
    id: 'director',
    title: 'Director',
    what: 'Multiview, preview/program, takes, outputs.',
    rotateLabel: 'New director key',
  },
  {
    id: 'graphics',
    title: 'Graphics',
    what: 'Scorebug, clock, lower thirds, picture-in-picture.',
    rotateLabel: 'New graphics key',
  },
  {
    id: 'camera',
    title: 'Camera join',
    what: 'Camera operators scan this with their phone and go on air.',
    rotateLabel: 'New join code',
  },
  { id: 'viewer', title: 'Viewer', what: 'The watch page: players, score, status.', rotateLabel: 'New viewer key' },
];

const PAGE_OF: Record<Exclude<CardId, 'camera'>, string> = {
  director: 'director',
  graphics: 'graphics',
  viewer: 'watch',
};

interface Card {
  element: HTMLElement;
  link: HTMLAnchorElement;
  qr: HTMLImageElement;
  detail: HTMLElement;
}

export class CrewCards {
  readonly element: HTMLElement;
  readonly #cards = new Map<CardId, Card>();
  readonly #base: string;
  #keys = new Map<EventRole, RoleKey>();
  #join: { code: string; url: string } | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
  ) {
    this.#base = `/api/events/${encodeURIComponent(eventId)}`;
    this.element = h(
      'div',
      { class: 'crew-cards', id: 'crew-cards' },
      ...CARDS.map((spec) => {
        const card = this.#card(spec);
        this.#cards.set(spec.id, card);
        return card.element;
      }),
    );
  }

  async load(): Promise<void> {
    const [keys, join] = await Promise.all([
      attempt('Loading the role keys', () => this.api.get<unknown>(`${this.#base}/keys`)),
      attempt('Loading the join code', () => this.api.get<unknown>(`${this.#base}/join`)),
    ]);
    const parsedKeys = parse(KeysAnswerSchema, keys);
    if (parsedKeys.ok) this.#keys = new Map(parsedKeys.value.keys.map((k) => [k.role, k]));
    const parsedJoin = parse(JoinAnswerSchema, join);
    if (parsedJoin.ok) this.#join = parsedJoin.value;
    await Promise.all(CARDS.map((spec) => this.#show(spec.id)));
  }

  #url(id: CardId): string | null {
    if (id === 'camera') return this.#join?.url ?? null;
    const key = this.#keys.get(id === 'viewer' ? 'viewer' : id);
    if (key === undefined) return null;
    return pageLink(`${location.origin}/${PAGE_OF[id]}`, { event: this.eventId }, { key: key.key });
  }

  async #show(id: CardId): Promise<void> {
    const card = this.#cards.get(id)!;
    const url = this.#url(id);
    card.element.dataset.ready = url === null ? 'false' : 'true';
    card.link.href = url ?? '#';
    setText(card.link, url ?? 'Not available');
    const key = id === 'camera' ? null : this.#keys.get(id === 'viewer' ? 'viewer' : id);
    setText(
      card.detail,
      id === 'camera'
        ? this.#join === null
          ? ''
          : `Code ${this.#join.code}`
        : key === undefined || key === null
          ? ''
          : `Key issued ${new Date(key.createdAt).toLocaleString()}`,
    );
    card.qr.src = url === null ? '' : await QRCode.toDataURL(url, { margin: 1, width: QR_SIZE_PX });
  }

  #card(spec: CardSpec): Card {
    const link = h('a', { class: 'crew-link mono', target: '_blank', rel: 'noopener', 'data-role': spec.id });
    const qr = h('img', {
      class: 'crew-qr',
      alt: `QR code of the ${spec.title.toLowerCase()} link`,
      width: QR_SIZE_PX,
      height: QR_SIZE_PX,
    });
    const detail = h('span', { class: 'crew-detail muted' });
    const copy = h(
      'button',
      { type: 'button', class: 'copy-link', onclick: () => void this.#copy(spec, copy) },
      'Copy link',
    );
    const rotate = h(
      'button',
      { type: 'button', class: 'danger rotate', onclick: () => void this.#rotate(spec) },
      spec.rotateLabel,
    );
    const element = h(
      'article',
      { class: 'crew-card panel', 'data-card': spec.id },
      h('div', { class: 'crew-qr-box' }, qr),
      h(
        'div',
        { class: 'crew-body' },
        h('h3', {}, spec.title),
        h('p', { class: 'muted' }, spec.what),
        link,
        detail,
        h('div', { class: 'row crew-actions' }, copy, rotate),
      ),
    );
    return { element, link, qr, detail };
  }

  async #copy(spec: CardSpec, button: HTMLButtonElement): Promise<void> {
    const url = this.#url(spec.id);
    if (url !== null) await copyLink(url, button);
  }

  async #rotate(spec: CardSpec): Promise<void> {
    const warning =
      spec.id === 'camera'
        ? 'Replace the join code? The old code and QR code stop admitting cameras at once; cameras already on stay.'
        : `Replace the ${spec.title.toLowerCase()} key? Every ${spec.title.toLowerCase()} link handed out so far stops working at once.`;
    if (!confirm(warning)) return;
    if (spec.id === 'camera') {
      const answer = parse(
        JoinAnswerSchema,
        await attempt('New join code', () => this.api.post<unknown>(`${this.#base}/join/rotate`)),
      );
      if (!answer.ok) return;
      this.#join = answer.value;
    } else {
      const role: EventRole = spec.id;
      const answer = parse(
        RoleKeySchema,
        await attempt(spec.rotateLabel, () => this.api.post<unknown>(`${this.#base}/keys/${role}/rotate`)),
      );
      if (!answer.ok) return;
      this.#keys.set(role, answer.value);
    }
    await this.#show(spec.id);
    notify('info', `${spec.title}: new link issued; the old one no longer works.`);
  }
}
