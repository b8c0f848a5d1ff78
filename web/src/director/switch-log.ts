// The switch log as a timeline: which source was on program when, coloured as the multiview draws it,
// with the last takes listed (time, source, transition, who). History comes from the controller's
// switch log; takes made while this page is open arrive with the state.
import { Type } from '@sinclair/typebox';
import {
  SwitchLogEntrySchema,
  parse,
  testSourceColour,
  testSourceNumber,
  type ProgramState,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h } from '../lib/dom.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { SwitchTimeline } from './switch-timeline.ts';

/** The timeline shows the last half hour; the list the last takes. */
export const TIMELINE_SPAN_MS = 30 * 60 * 1000;
const LIST_LENGTH = 12;
const SwitchLogAnswerSchema = Type.Object({ entries: Type.Array(SwitchLogEntrySchema) });

export class SwitchLogPanel {
  readonly element: HTMLElement;
  readonly #bar: HTMLElement;
  readonly #list: HTMLElement;
  readonly #api: ApiClient;
  readonly #path: string;
  readonly #realtime: RealtimeClient;
  /** The history answer and live state frames may both bring the same take: the timeline keeps it once. */
  readonly #timeline = new SwitchTimeline();

  constructor(api: ApiClient, eventId: string, realtime: RealtimeClient) {
    this.#api = api;
    this.#realtime = realtime;
    this.#path = `/api/events/${encodeURIComponent(eventId)}/switch-log`;
    this.#bar = h('div', { class: 'timeline-bar', id: 'switch-timeline' });
    this.#list = h('ol', { class: 'switch-list', id: 'switch-list' });
    this.element = h(
      'section',
      { class: 'switch-log panel' },
      h('h2', {}, 'Switch log'),
      this.#bar,
      h('div', { class: 'timeline-scale muted' }, h('span', {}, '−30 min'), h('span', {}, 'now')),
      this.#list,
    );
    realtime.on('status', (status) => {
      if (status === 'online') void this.load();
    });
    realtime.on('state', (state) => this.#fromState(state));
    setInterval(() => this.#render(), 5000);
  }

  async load(): Promise<void> {
    const from = Math.max(0, Math.floor(this.#realtime.serverNow() - TIMELINE_SPAN_MS));
    try {
      const parsed = parse(SwitchLogAnswerSchema, await this.#api.get<unknown>(`${this.#path}?from=${from}`));
      if (parsed.ok) this.#timeline.addFromLog(parsed.value.entries);
    } catch {
      // History is a convenience: without it the timeline starts with this page's first take.
    }
    this.#render();
  }

  #fromState(state: ProgramState): void {
    if (this.#timeline.addFromState(state)) this.#render();
  }

  #render(): void {
    const now = this.#realtime.serverNow();
    const start = now - TIMELINE_SPAN_MS;
    const sorted = this.#timeline.entries();
    const labels = new Map((this.#realtime.state?.sources ?? []).map((s) => [s.id, s.label]));
    this.#bar.replaceChildren(
      ...sorted
        .map((entry, i) => {
          const end = sorted[i + 1]?.time ?? now;
          const left = Math.max(0, (entry.time - start) / TIMELINE_SPAN_MS);
          const right = Math.min(1, (end - start) / TIMELINE_SPAN_MS);
          if (right <= 0) return null;
          return h('span', {
            class: 'timeline-segment',
            title: `${labels.get(entry.source) ?? entry.source} from ${new Date(entry.time).toLocaleTimeString()}`,
            style: `left:${left * 100}%;width:${Math.max(0.2, (right - left) * 100)}%;background:${colourOf(entry.source)}`,
          });
        })
        .filter((e) => e !== null),
    );
    this.#list.replaceChildren(
      ...sorted
        .slice(-LIST_LENGTH)
        .reverse()
        .map((entry) =>
          h(
            'li',
            { class: 'switch-entry' },
            h('span', { class: 'mono muted' }, new Date(entry.time).toLocaleTimeString()),
            h('span', { class: 'swatch', style: `background:${colourOf(entry.source)}` }),
            h('strong', {}, labels.get(entry.source) ?? entry.source),
            h(
              'span',
              { class: 'muted' },
              entry.transition.type === 'cut' ? 'cut' : `${entry.transition.type} ${entry.transition.durationMs} ms`,
            ),
            h('span', { class: 'muted who' }, entry.who),
          ),
        ),
    );
  }
}

export function colourOf(source: string): string {
  const n = testSourceNumber(source);
  if (n !== null) return testSourceColour(n);
  let hash = 0;
  for (const c of source) hash = (hash * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${hash} 45% 45%)`;
}
