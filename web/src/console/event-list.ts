// Every event with its status, cameras and running outputs. Each is a plain link (?event=ID): opening an
// event is a navigation, so back/forward, a new tab and a reload all work, and no socket of the
// previous event outlives it. There is no all-events channel, so the list refreshes on a slow timer.
import { Type } from '@sinclair/typebox';
import { EventSummarySchema, parse, sportPreset, type EventSummary } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h } from '../lib/dom.ts';
import { notifyError } from '../lib/notices.ts';

const SummariesSchema = Type.Object({ events: Type.Array(EventSummarySchema) });
export const LIST_REFRESH_MS = 10_000;

export class EventList {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  #failedBefore = false;

  constructor(
    private readonly api: ApiClient,
    private readonly selected: string | null,
    creating: boolean,
  ) {
    this.#list = h('ul', { class: 'event-list', id: 'event-list', 'aria-label': 'Events' });
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
      this.#list,
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
    if (events.length === 0) {
      this.#list.replaceChildren(h('li', { class: 'muted empty' }, 'No events yet. Create the first one.'));
      return;
    }
    this.#list.replaceChildren(
      ...events.map((summary) => {
        const { event } = summary;
        const current = event.id === this.selected;
        return h(
          'li',
          {},
          h(
            'a',
            {
              class: `event-item${current ? ' current' : ''}`,
              href: `?event=${encodeURIComponent(event.id)}`,
              'data-event': event.id,
              'aria-current': current ? 'page' : null,
            },
            h(
              'span',
              { class: 'event-item-top' },
              h('strong', { class: 'event-item-name' }, event.name),
              h('span', { class: `status-pill status-${summary.status}` }, summary.status),
            ),
            h(
              'span',
              { class: 'event-item-teams muted' },
              `${event.home.name} v ${event.away.name} · ${sportPreset(event.sport).id === 'custom' ? event.sport : sportPreset(event.sport).label}`,
            ),
            h(
              'span',
              { class: 'event-item-meta muted' },
              h('span', {}, `cameras ${summary.cameras.live}/${summary.cameras.total}`),
              h('span', {}, summary.outputsRunning === 0 ? 'outputs off' : `${summary.outputsRunning} output(s) on`),
              summary.recording ? h('span', { class: 'rec-dot' }, 'REC') : null,
            ),
          ),
        );
      }),
    );
  }
}
