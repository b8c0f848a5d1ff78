// Every event with its status, cameras and running outputs. Each is a plain link (?event=ID): opening an
// event is a navigation, so back/forward, a new tab and a reload all work, and no socket of the
// previous event outlives it. There is no all-events channel, so the list refreshes on a slow timer.
import { Type } from '@sinclair/typebox';
import { EventSummarySchema, parse, sportPreset, type EventSummary } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setAttr, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { notifyError } from '../lib/notices.ts';

const SummariesSchema = Type.Object({ events: Type.Array(EventSummarySchema) });
export const LIST_REFRESH_MS = 10_000;

export class EventList {
  readonly element: HTMLElement;
  readonly #list: KeyedList<EventSummary>;
  #failedBefore = false;

  constructor(
    private readonly api: ApiClient,
    private readonly selected: string | null,
    creating: boolean,
  ) {
    const list = h('ul', { class: 'event-list', id: 'event-list', 'aria-label': 'Events' });
    this.#list = new KeyedList(list, {
      key: (summary) => summary.event.id,
      create: (summary) => new EventItem(summary.event.id === selected),
      empty: h('li', { class: 'muted empty' }, 'No events yet. Create the first one.'),
    });
    this.element = h(
      'nav',
      { class: 'event-list-panel panel', 'aria-label': 'Events' },
      h(
        'div',
        { class: 'row' },
        h('h2', {}, 'Events'),
        h('span', { class: 'spacer' }),
        h(
          'a',
          {
            class: `button go${creating ? ' current' : ''}`,
            href: '?new',
            id: 'new-event',
            'aria-current': creating ? 'page' : null,
          },
          '+ New event',
        ),
      ),
      list,
    );
    setInterval(() => void this.load(), LIST_REFRESH_MS);
  }

  async load(): Promise<EventSummary[]> {
    try {
      const parsed = parse(SummariesSchema, await this.api.get<unknown>('/api/event-summaries'));
      if (!parsed.ok)
        throw new Error(`The event list is not readable (${parsed.error.field} ${parsed.error.message}).`);
      this.#failedBefore = false;
      this.#render(parsed.value.events);
      return parsed.value.events;
    } catch (error) {
      // Said once, not every refresh while the controller is away.
      if (!this.#failedBefore) notifyError(error, 'Loading events');
      this.#failedBefore = true;
      return [];
    }
  }

  #render(events: EventSummary[]): void {
    this.#list.update(events);
  }
}

class EventItem implements KeyedView<EventSummary> {
  readonly element: HTMLElement;
  readonly #link: HTMLAnchorElement;
  readonly #name = h('strong', { class: 'event-item-name' });
  readonly #status = h('span');
  readonly #teams = h('span', { class: 'event-item-teams muted' });
  readonly #cameras = h('span');
  readonly #outputs = h('span');
  readonly #recording = h('span', { class: 'rec-dot' }, 'REC');

  constructor(current: boolean) {
    this.#link = h(
      'a',
      { class: `event-item${current ? ' current' : ''}`, 'aria-current': current ? 'page' : null },
      h('span', { class: 'event-item-top' }, this.#name, this.#status),
      this.#teams,
      h('span', { class: 'event-item-meta muted' }, this.#cameras, this.#outputs, this.#recording),
    );
    this.element = h('li', {}, this.#link);
  }

  update(summary: EventSummary): void {
    const { event } = summary;
    setAttr(this.#link, 'href', `?event=${encodeURIComponent(event.id)}`);
    this.#link.dataset.event = event.id;
    setText(this.#name, event.name);
    this.#status.className = `status-pill status-${summary.status}`;
    setText(this.#status, summary.status);
    const preset = sportPreset(event.sport);
    setText(
      this.#teams,
      `${event.home.name} v ${event.away.name} · ${preset.id === 'custom' ? event.sport : preset.label}`,
    );
    setText(this.#cameras, `cameras ${summary.cameras.live}/${summary.cameras.total}`);
    setText(this.#outputs, summary.outputsRunning === 0 ? 'outputs off' : `${summary.outputsRunning} output(s) on`);
    this.#recording.hidden = !summary.recording;
  }
}
