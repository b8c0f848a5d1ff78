// The switch log as a timeline of takes, oldest left, each with a still of the program just after the
// take when a finished recording covers it (GET …/recordings/:i/frame.jpg), else the source's colour.
// History from the switch log; new takes arrive with the state.
import { Type } from '@sinclair/typebox';
import {
  SwitchLogEntrySchema,
  parse,
  type ProgramState,
  type RecordingView,
  type SwitchLogEntry,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setAttr } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { colourOf } from '../director/switch-log.ts';
import { entryKey, SwitchTimeline as Takes, TakeText } from '../director/switch-timeline.ts';

const SwitchLogAnswerSchema = Type.Object({ entries: Type.Array(SwitchLogEntrySchema) });
/** Takes shown; the full log is the CSV download. */
const MAX_TAKES = 120;
/** The still is taken this long after the take, past a typical transition. */
const STILL_AFTER_TAKE_MS = 1000;

export class SwitchTimeline {
  readonly element: HTMLElement;
  readonly #strip: HTMLElement;
  readonly #takeList: KeyedList<SwitchLogEntry, TakeView>;
  readonly #base: string;
  /** The takes, from the log and the live state, each once (the director's switch log keeps them alike). */
  readonly #takes = new Takes();
  /** Object URLs of stills already fetched, by take id ('' = none available). */
  readonly #stills = new Map<string, string>();
  #labels = new Map<string, string>();
  #recordings: readonly RecordingView[] = [];

  constructor(
    private readonly api: ApiClient,
    eventId: string,
    realtime: RealtimeClient,
  ) {
    this.#base = `/api/events/${encodeURIComponent(eventId)}`;
    this.#strip = h('ol', { class: 'take-strip', id: 'take-strip', tabindex: 0, 'aria-label': 'Takes, oldest first' });
    this.#takeList = new KeyedList(this.#strip, {
      key: entryKey,
      create: () =>
        new TakeView(
          (source) => this.#labels.get(source) ?? source,
          (entry, box) => this.#still(entry, box),
        ),
      empty: h('li', { class: 'muted empty' }, 'No takes yet.'),
    });
    this.element = h(
      'section',
      { class: 'panel switch-timeline' },
      h('div', { class: 'row' }, h('h2', {}, 'Switch log'), h('span', { class: 'spacer' }), this.#csvLink(eventId)),
      this.#strip,
    );
    realtime.on('status', (status) => {
      if (status === 'online') void this.load();
    });
    realtime.on('state', (state) => this.#fromState(state));
  }

  /** The recordings stills may come from (the recordings panel's list). */
  setRecordings(recordings: readonly RecordingView[]): void {
    this.#recordings = recordings;
    this.#render();
  }

  /**
   * The CSV download, fetched with the key in the Authorization header and saved from a Blob: a key in a
   * link's URL would land in access logs, the browser history and a proxy's cache.
   */
  #csvLink(eventId: string): HTMLAnchorElement {
    const link = h('a', { class: 'download', href: '#', role: 'button' }, 'CSV');
    link.addEventListener('click', (event) => {
      event.preventDefault();
      void this.api.blob(`${this.#base}/switch-log.csv`).then((csv) => {
        const save = h('a', { href: URL.createObjectURL(csv), download: `${eventId}-switch-log.csv` });
        save.click();
        setTimeout(() => URL.revokeObjectURL(save.href), 10_000);
      });
    });
    return link;
  }
  async load(): Promise<void> {
    try {
      const parsed = parse(
        SwitchLogAnswerSchema,
        await this.api.get<unknown>(`${this.#base}/switch-log?limit=${MAX_TAKES}`),
      );
      if (parsed.ok) this.#takes.addFromLog(parsed.value.entries);
    } catch {
      // The timeline then starts with this page's first take.
    }
    this.#render();
  }

  #fromState(state: ProgramState): void {
    this.#labels = new Map(state.sources.map((s) => [s.id, s.label]));
    this.#takes.addFromState(state);
    this.#render();
  }

  #recordingAt(time: number): RecordingView | undefined {
    return this.#recordings.find((r) => r.startedAt !== null && r.startedAt <= time && time <= r.endedAt);
  }

  #render(): void {
    const atEnd = this.#strip.scrollLeft + this.#strip.clientWidth >= this.#strip.scrollWidth - 8;
    this.#takeList.update(this.#takes.entries().slice(-MAX_TAKES));
    if (atEnd) this.#strip.scrollLeft = this.#strip.scrollWidth;
  }

  /** The still needs the key in a header, so it is fetched, not linked; each one once. */
  #still(entry: SwitchLogEntry, box: HTMLElement): void {
    const cached = this.#stills.get(entry.id);
    const show = (url: string): void => {
      if (url !== '' && box.firstChild === null) box.append(h('img', { src: url, alt: '', loading: 'lazy' }));
    };
    if (cached !== undefined) return show(cached);
    const recording = this.#recordingAt(entry.time + STILL_AFTER_TAKE_MS);
    if (recording === undefined) return;
    this.#stills.set(entry.id, '');
    const at = Math.round(entry.time + STILL_AFTER_TAKE_MS);
    void this.api
      .blob(`${this.#base}/recordings/${recording.index}/frame.jpg?at=${at}`)
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        this.#stills.set(entry.id, url);
        show(url);
      })
      .catch(() => {
        // No picture at that time: the colour swatch stays.
      });
  }
}

class TakeView implements KeyedView<SwitchLogEntry> {
  readonly element: HTMLElement;
  readonly #still = h('div', { class: 'take-still' });
  readonly #text = new TakeText();

  constructor(
    private readonly labelOf: (source: string) => string,
    private readonly findStill: (entry: SwitchLogEntry, box: HTMLElement) => void,
  ) {
    const t = this.#text;
    this.element = h('li', { class: 'take' }, this.#still, t.time, t.label, t.transition);
  }

  update(entry: SwitchLogEntry): void {
    this.element.dataset.source = entry.source;
    setAttr(this.#still, 'style', `background:${colourOf(entry.source)}`);
    this.#text.update(entry, this.labelOf(entry.source));
    // A recording that covers the take may finish after the take is listed: looked for until found.
    if (this.#still.firstChild === null) this.findStill(entry, this.#still);
  }
}
