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
  type SwitchLogEntry,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setAttr, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { entryKey, SwitchTimeline, TakeText } from './switch-timeline.ts';

/** The timeline shows the last half hour; the list the last takes. */
export const TIMELINE_SPAN_MS = 30 * 60 * 1000;
const LIST_LENGTH = 12;
const SwitchLogAnswerSchema = Type.Object({ entries: Type.Array(SwitchLogEntrySchema) });

export class SwitchLogPanel {
  readonly element: HTMLElement;
  readonly #bar: KeyedList<Segment>;
  readonly #list: KeyedList<Labelled>;
  readonly #api: ApiClient;
  readonly #path: string;
  readonly #realtime: RealtimeClient;
  /** The history answer and live state frames may both bring the same take: the timeline keeps it once. */
  readonly #timeline = new SwitchTimeline();

  constructor(api: ApiClient, eventId: string, realtime: RealtimeClient) {
    this.#api = api;
    this.#realtime = realtime;
    this.#path = `/api/events/${encodeURIComponent(eventId)}/switch-log`;
    const bar = h('div', { class: 'timeline-bar', id: 'switch-timeline' });
    const list = h('ol', { class: 'switch-list', id: 'switch-list' });
    this.#bar = new KeyedList(bar, { key: (s) => entryKey(s.entry), create: () => new SegmentView() });
    this.#list = new KeyedList(list, { key: (e) => entryKey(e.entry), create: () => new EntryView() });
    this.element = h(
      'section',
      { class: 'switch-log panel' },
      h('h2', {}, 'Switch log'),
      bar,
      h('div', { class: 'timeline-scale muted' }, h('span', {}, '−30 min'), h('span', {}, 'now')),
      list,
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
    const label = (entry: SwitchLogEntry): string => labels.get(entry.source) ?? entry.source;
    this.#bar.update(
      sorted
        .map((entry, i) => {
          const end = sorted[i + 1]?.time ?? now;
          const left = Math.max(0, (entry.time - start) / TIMELINE_SPAN_MS);
          const right = Math.min(1, (end - start) / TIMELINE_SPAN_MS);
          return { entry, label: label(entry), left, width: Math.max(0.2, (right - left) * 100), right };
        })
        .filter((segment) => segment.right > 0),
    );
    this.#list.update(
      sorted
        .slice(-LIST_LENGTH)
        .reverse()
        .map((entry) => ({ entry, label: label(entry) })),
    );
  }
}

interface Labelled {
  entry: SwitchLogEntry;
  label: string;
}

interface Segment extends Labelled {
  /** Share of the span from the left; width in percent, never thinner than a visible sliver. */
  left: number;
  width: number;
  right: number;
}

class SegmentView implements KeyedView<Segment> {
  readonly element = h('span', { class: 'timeline-segment' });

  update({ entry, label, left, width }: Segment): void {
    setAttr(this.element, 'title', `${label} from ${new Date(entry.time).toLocaleTimeString()}`);
    setAttr(this.element, 'style', `left:${left * 100}%;width:${width}%;background:${colourOf(entry.source)}`);
  }
}

class EntryView implements KeyedView<Labelled> {
  readonly element: HTMLElement;
  readonly #text = new TakeText();
  readonly #swatch = h('span', { class: 'swatch' });
  readonly #who = h('span', { class: 'muted who' });

  constructor() {
    const t = this.#text;
    this.element = h('li', { class: 'switch-entry' }, t.time, this.#swatch, t.label, t.transition, this.#who);
  }

  update({ entry, label }: Labelled): void {
    this.#text.update(entry, label);
    setAttr(this.#swatch, 'style', `background:${colourOf(entry.source)}`);
    setText(this.#who, entry.who);
  }
}

export function colourOf(source: string): string {
  const n = testSourceNumber(source);
  if (n !== null) return testSourceColour(n);
  let hash = 0;
  for (const c of source) hash = (hash * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${hash} 45% 45%)`;
}
