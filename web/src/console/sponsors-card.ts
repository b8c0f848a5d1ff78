// The console's "Sponsors" section (docs/sponsors.md): each sponsor's artwork, name, duration, weight and
// windows, their order, rotation on or off, and the exposure report with its CSV. Every edit sends the
// whole list through the reducer (sponsors.set, compare-and-set on the revision shown); a field being
// edited is left alone by incoming state.
import {
  LOGO_FORMATS,
  logoPath,
  SPONSOR_WINDOWS,
  SponsorReportSchema,
  parse,
  type ProgramState,
  type Sponsor,
  type SponsorWindow,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { attempt } from '../lib/notices.ts';

/** A new sponsor's appearance until the producer changes it. */
const DEFAULT_DURATION_S = 10;
const WINDOW_LABEL: Record<SponsorWindow, string> = { play: 'during play', break: 'at breaks' };

function setValue(input: HTMLInputElement, value: string): void {
  if (document.activeElement !== input && input.value !== value) input.value = value;
}

class SponsorRow implements KeyedView<Sponsor> {
  readonly element: HTMLElement;
  readonly #thumb = h('img', { class: 'logo-thumb', alt: '', width: 60, height: 24 });
  readonly #name = h('input', { class: 'sponsor-name', maxlength: 40, 'aria-label': 'Name' });
  readonly #duration = h('input', {
    class: 'sponsor-duration',
    inputmode: 'numeric',
    size: 4,
    'aria-label': 'Seconds',
  });
  readonly #weight = h('input', { class: 'sponsor-weight', inputmode: 'numeric', size: 3, 'aria-label': 'Weight' });
  readonly #windows = Object.fromEntries(
    SPONSOR_WINDOWS.map((w) => [w, h('input', { type: 'checkbox', class: `sponsor-window-${w}` })]),
  ) as Record<SponsorWindow, HTMLInputElement>;

  constructor(id: string, card: SponsorsCard) {
    const edit = () => card.edit(id, (s) => this.#read(s));
    for (const input of [this.#name, this.#duration, this.#weight, ...Object.values(this.#windows)])
      input.addEventListener('change', edit);
    const button = (label: string, action: () => void) => h('button', { type: 'button', onclick: action }, label);
    this.element = h(
      'li',
      { class: 'row sponsor-row', 'data-sponsor': id },
      this.#thumb,
      this.#name,
      h('label', {}, this.#duration, ' s'),
      h('label', {}, '× ', this.#weight),
      ...SPONSOR_WINDOWS.map((w) => h('label', {}, this.#windows[w], ` ${WINDOW_LABEL[w]}`)),
      button('↑', () => card.move(id, -1)),
      button('↓', () => card.move(id, 1)),
      button('Remove', () => card.remove(id)),
    );
  }

  #read(sponsor: Sponsor): Sponsor {
    return {
      ...sponsor,
      name: this.#name.value.trim(),
      durationMs: Math.round(Number(this.#duration.value) * 1000),
      weight: Number(this.#weight.value),
      windows: SPONSOR_WINDOWS.filter((w) => this.#windows[w].checked),
    };
  }

  update(sponsor: Sponsor): void {
    if (sponsor.kind === 'image' && this.#thumb.getAttribute('src') !== logoPath(sponsor.image))
      this.#thumb.src = logoPath(sponsor.image);
    setValue(this.#name, sponsor.name);
    setValue(this.#duration, String(sponsor.durationMs / 1000));
    setValue(this.#weight, String(sponsor.weight));
    for (const w of SPONSOR_WINDOWS) this.#windows[w].checked = sponsor.windows.includes(w);
  }
}

export class SponsorsCard {
  readonly element: HTMLElement;
  readonly #base: string;
  readonly #list: KeyedList<Sponsor, SponsorRow>;
  readonly #rotation = h('button', { type: 'button', id: 'sponsor-rotation' }, 'Rotation off');
  readonly #file = h('input', { type: 'file', id: 'sponsor-file', accept: Object.values(LOGO_FORMATS).join(',') });
  readonly #newName = h('input', { id: 'sponsor-new-name', maxlength: 40, placeholder: 'Sponsor name' });
  readonly #report = h('tbody', { id: 'sponsor-report' });
  #state: ProgramState | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
  ) {
    this.#base = `/api/events/${encodeURIComponent(eventId)}/sponsors`;
    this.#list = new KeyedList(h('ol', { class: 'sponsor-list', id: 'sponsor-list' }), {
      key: (s) => s.id,
      create: (s) => new SponsorRow(s.id, this),
      empty: h('li', { class: 'muted' }, 'No sponsors yet.'),
    });
    this.#rotation.addEventListener('click', () => {
      const on = this.#state?.sponsors?.on !== true;
      void attempt('Sponsor rotation', () => this.#send({ type: 'sponsors.rotation', on }));
    });
    const add = h('button', { type: 'button', class: 'go', id: 'sponsor-add' }, 'Add sponsor');
    add.addEventListener('click', () => void this.#add());
    const refresh = h('button', { type: 'button', id: 'sponsor-report-refresh' }, 'Refresh report');
    refresh.addEventListener('click', () => void this.loadReport());
    const csv = h('a', { class: 'download', href: '#', role: 'button', id: 'sponsor-report-csv' }, 'CSV');
    csv.addEventListener('click', (event) => {
      event.preventDefault();
      void this.api.blob(`${this.#base}/report.csv`).then((blob) => {
        const save = h('a', { href: URL.createObjectURL(blob), download: `${eventId}-sponsors.csv` });
        save.click();
        setTimeout(() => URL.revokeObjectURL(save.href), 10_000);
      });
    });
    this.element = h(
      'section',
      { class: 'panel sponsors-card', id: 'sponsors-card' },
      h('h2', {}, 'Sponsors'),
      h(
        'p',
        { class: 'muted' },
        'Each sponsor shows top right for its seconds, as often per cycle as its weight; never during a ' +
          'replay or in the 30 s after a goal.',
      ),
      this.#rotation,
      this.#list.container,
      h('div', { class: 'row' }, this.#newName, this.#file, add),
      h('h3', {}, 'Exposure'),
      h(
        'table',
        { class: 'sponsor-report' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'Sponsor'), h('th', {}, 'Seconds'), h('th', {}, 'Share'), h('th', {}, 'Viewer-s')),
        ),
        this.#report,
      ),
      h('div', { class: 'row' }, refresh, csv),
    );
  }

  update(state: ProgramState): void {
    this.#state = state;
    const sponsors = state.sponsors;
    setText(this.#rotation, sponsors?.on === true ? 'Rotation on: turn off' : 'Rotation off: turn on');
    this.#rotation.setAttribute('aria-pressed', String(sponsors?.on === true));
    this.#list.update(sponsors?.sponsors ?? []);
  }

  edit(id: string, change: (sponsor: Sponsor) => Sponsor): void {
    this.#setList((list) => list.map((s) => (s.id === id ? change(s) : s)));
  }

  move(id: string, by: -1 | 1): void {
    this.#setList((list) => {
      const i = list.findIndex((s) => s.id === id);
      const j = i + by;
      if (i < 0 || j < 0 || j >= list.length) return list;
      const next = [...list];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });
  }

  remove(id: string): void {
    this.#setList((list) => list.filter((s) => s.id !== id));
  }

  async loadReport(): Promise<void> {
    const answer = parse(SponsorReportSchema, await this.api.get<unknown>(`${this.#base}/report`));
    if (!answer.ok) return;
    this.#report.replaceChildren(
      ...answer.value.sponsors.map((row) =>
        h(
          'tr',
          { 'data-sponsor': row.id },
          h('td', {}, row.name),
          h('td', {}, row.seconds.toFixed(0)),
          h('td', {}, `${(row.share * 100).toFixed(1)} %`),
          h('td', {}, row.viewerSeconds.toFixed(0)),
        ),
      ),
    );
  }

  async #add(): Promise<void> {
    const file = this.#file.files?.[0];
    const name = this.#newName.value.trim();
    if (file === undefined || name === '') return;
    await attempt('Add sponsor', async () => {
      const { image } = await this.api.upload<{ image: string }>('PUT', `${this.#base}/image`, file);
      const slug =
        name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 30) || 'sponsor';
      const sponsor: Sponsor = {
        id: `${slug}-${Math.random().toString(36).slice(2, 8)}`,
        kind: 'image',
        image,
        name,
        durationMs: DEFAULT_DURATION_S * 1000,
        weight: 1,
        windows: [...SPONSOR_WINDOWS],
      };
      await this.#send({ type: 'sponsors.set', sponsors: [...(this.#state?.sponsors?.sponsors ?? []), sponsor] });
      this.#newName.value = '';
      this.#file.value = '';
    });
  }

  #setList(change: (list: Sponsor[]) => Sponsor[]): void {
    const list = change([...(this.#state?.sponsors?.sponsors ?? [])]);
    void attempt('Sponsors', () => this.#send({ type: 'sponsors.set', sponsors: list }));
  }

  #send(command: Parameters<ApiClient['command']>[1]): Promise<unknown> {
    const ifRevision = this.#state?.revision;
    return this.api.command(this.eventId, { ...command, ...(ifRevision === undefined ? {} : { ifRevision }) });
  }
}
