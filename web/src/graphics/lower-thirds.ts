// Lower-third rundown: titles prepared before the match (kept in this browser, per event), taken to air
// with one click and cleared with another. What is on air is the program state, not this list.
import type { ProgramState } from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import type { Desk } from '../lib/desk.ts';

export interface RundownEntry {
  title: string;
  subtitle: string;
}

const TITLE_MAX = 80;
const SUBTITLE_MAX = 120;
const STARTER_RUNDOWN: RundownEntry[] = [
  { title: 'Welcome to the match', subtitle: 'Live coverage' },
  { title: 'Commentary', subtitle: 'Your commentator' },
];

export class LowerThirds {
  readonly element: HTMLElement;
  readonly #list: KeyedList<RundownLine>;
  readonly #clear: HTMLButtonElement;
  readonly #storageKey: string;
  readonly #desk: Desk;
  #entries: RundownEntry[];

  constructor(desk: Desk) {
    this.#desk = desk;
    this.#storageKey = `pitchside:rundown:${desk.eventId}`;
    this.#entries = this.#load();
    const list = h('ol', { class: 'rundown', id: 'rundown' });
    // Keyed by place in the rundown: a removal shifts the entries below it into the rows above.
    this.#list = new KeyedList(list, {
      key: (line) => String(line.index),
      create: () =>
        new RundownRow(
          (entry) => this.#take(entry),
          (index) => this.#remove(index),
        ),
    });
    this.#clear = h(
      'button',
      { type: 'button', id: 'lower-third-clear', class: 'danger', onclick: () => this.#hide() },
      'CLEAR',
    );
    const title = h('input', { id: 'rundown-title', placeholder: 'Title', maxlength: TITLE_MAX });
    const subtitle = h('input', { id: 'rundown-subtitle', placeholder: 'Subtitle', maxlength: SUBTITLE_MAX });
    const form = h('form', { class: 'rundown-add row' }, title, subtitle, h('button', { type: 'submit' }, 'Add'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (title.value.trim() === '') return;
      this.#entries.push({ title: title.value.trim(), subtitle: subtitle.value.trim() });
      this.#save();
      title.value = '';
      subtitle.value = '';
      this.update(desk.state);
    });
    this.element = h(
      'section',
      { class: 'lower-thirds panel live-dependent' },
      h('div', { class: 'row' }, h('h2', {}, 'Lower thirds'), h('span', { class: 'spacer' }), this.#clear),
      list,
      form,
    );
    this.update(null);
  }

  update(state: ProgramState | null): void {
    const onAir = state?.lowerThird.visible === true ? state.lowerThird : null;
    this.#clear.disabled = onAir === null;
    this.#list.update(
      this.#entries.map((entry, index) => ({
        entry,
        index,
        live: onAir !== null && onAir.title === entry.title && onAir.subtitle === entry.subtitle,
      })),
    );
  }

  #take(entry: RundownEntry): void {
    void this.#desk.edit({
      what: 'Lower third',
      command: { type: 'lowerThird.show', ...entry },
      read: (s) => s.lowerThird,
    });
  }

  #hide(): void {
    void this.#desk.edit({
      what: 'Lower third',
      command: { type: 'lowerThird.hide' },
      read: (s) => s.lowerThird.visible,
    });
  }

  #remove(index: number): void {
    this.#entries.splice(index, 1);
    this.#save();
    this.update(this.#desk.state);
  }

  #load(): RundownEntry[] {
    try {
      const raw: unknown = JSON.parse(localStorage.getItem(this.#storageKey) ?? 'null');
      if (Array.isArray(raw)) {
        return raw
          .filter((e: unknown): e is RundownEntry => {
            const entry = e as Partial<RundownEntry> | null;
            return typeof entry?.title === 'string' && typeof entry.subtitle === 'string';
          })
          .map((e) => ({ title: e.title.slice(0, TITLE_MAX), subtitle: e.subtitle.slice(0, SUBTITLE_MAX) }));
      }
    } catch {
      // An unreadable rundown is replaced by the starter one below.
    }
    return STARTER_RUNDOWN.map((e) => ({ ...e }));
  }

  #save(): void {
    localStorage.setItem(this.#storageKey, JSON.stringify(this.#entries));
  }
}

interface RundownLine {
  entry: RundownEntry;
  index: number;
  live: boolean;
}

class RundownRow implements KeyedView<RundownLine> {
  readonly element: HTMLElement;
  readonly #title = h('strong');
  readonly #subtitle = h('span', { class: 'muted' });
  readonly #badge = h('span', { class: 'air-badge' }, 'ON AIR');
  #line: RundownLine | null = null;

  constructor(take: (entry: RundownEntry) => void, remove: (index: number) => void) {
    const act = (action: (line: RundownLine) => void) => () => {
      if (this.#line !== null) action(this.#line);
    };
    this.element = h(
      'li',
      { class: 'rundown-entry' },
      h('div', { class: 'rundown-text' }, this.#title, this.#subtitle),
      this.#badge,
      h('button', { type: 'button', class: 'take-lower-third go', onclick: act((l) => take(l.entry)) }, 'TAKE'),
      h(
        'button',
        { type: 'button', class: 'remove', title: 'Remove from the rundown', onclick: act((l) => remove(l.index)) },
        '×',
      ),
    );
  }

  update(line: RundownLine): void {
    this.#line = line;
    this.element.dataset.index = String(line.index);
    this.element.classList.toggle('on-air', line.live);
    this.#badge.hidden = !line.live;
    setText(this.#title, line.entry.title);
    setText(this.#subtitle, line.entry.subtitle);
  }
}
