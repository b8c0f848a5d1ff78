// The data feed on the graphics desk (docs/data-feeds.md): live or stale with the last packet's age, and per
// field the feed drives whether the feed has it or the operator took it back, with the button that swaps it.
import {
  FEED_TARGETS,
  clockValueMs,
  feedHeartbeatMs,
  formatClock,
  type FeedState,
  type FeedTarget,
  type ProgramState,
} from '../../../protocol/index.ts';
import type { Desk } from '../lib/desk.ts';
import { h, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';

const LABELS: Record<FeedTarget, string> = {
  'home.score': 'Home score',
  'away.score': 'Away score',
  period: 'Period',
  clock: 'Clock',
};
/** How often the last packet's age is redrawn between state frames. */
const AGE_REDRAW_MS = 500;

class FieldRow implements KeyedView<FeedTarget> {
  readonly element: HTMLElement;
  readonly #value: HTMLElement;
  readonly #owner: HTMLElement;
  readonly #button: HTMLButtonElement;
  #overridden = false;

  constructor(
    readonly field: FeedTarget,
    private readonly desk: Desk,
    private readonly feed: () => FeedState | null,
  ) {
    this.#value = h('span', { class: 'feed-value mono' });
    this.#owner = h('span', { class: 'feed-owner' });
    this.#button = h('button', { type: 'button', class: 'feed-toggle', 'data-field': field });
    this.#button.addEventListener('click', () => {
      void desk.edit({
        what: `${LABELS[field]} (feed)`,
        command: this.#overridden ? { type: 'feed.release', field } : { type: 'feed.override', field },
        read: (s) => s.feed?.overridden.includes(field) ?? false,
      });
    });
    this.element = h(
      'li',
      { class: 'feed-field', id: `feed-field-${field.replace('.', '-')}` },
      h('span', { class: 'feed-label' }, LABELS[field]),
      this.#value,
      this.#owner,
      this.#button,
    );
  }

  update(): void {
    const [feed, state] = [this.feed(), this.desk.state];
    if (feed === null || state === null) return;
    this.#overridden = feed.overridden.includes(this.field);
    setText(this.#value, feedValue(feed, this.field, state, this.desk.realtime.serverNow()));
    setText(this.#owner, this.#overridden ? 'by hand' : 'feed');
    this.element.classList.toggle('overridden', this.#overridden);
    setText(this.#button, this.#overridden ? 'Release to feed' : 'Take back');
  }
}

/** The feed's own value of a field, as it would show were it in charge. */
function feedValue(feed: FeedState, field: FeedTarget, state: ProgramState, now: number): string {
  if (field !== 'clock') return String(feed.values[field] ?? '–');
  const clock = feed.values.clock;
  if (clock === undefined) return '–';
  const ms = clockValueMs({ ...state.clock, running: clock.running, baseMs: clock.ms, startedAt: clock.at }, now);
  return `${formatClock(ms, state.clock.direction)}${clock.running ? ' ▶' : ' ■'}`;
}

export class FeedPanel {
  readonly element: HTMLElement;
  readonly #status: HTMLElement;
  readonly #age: HTMLElement;
  readonly #rows: KeyedList<FeedTarget, FieldRow>;
  #feed: FeedState | null = null;

  constructor(private readonly desk: Desk) {
    this.#status = h('span', { class: 'feed-status', id: 'feed-status' }, 'No feed');
    this.#age = h('span', { class: 'feed-age mono', id: 'feed-age' });
    const list = h('ul', { class: 'feed-fields', id: 'feed-fields' });
    this.#rows = new KeyedList(list, {
      key: (field) => field,
      create: (field) => new FieldRow(field, desk, () => this.#feed),
      empty: h('p', { class: 'muted' }, 'The feed drives no field yet.'),
    });
    this.element = h(
      'section',
      { class: 'feed-panel panel', id: 'feed-panel' },
      h('h2', {}, 'Data feed'),
      h('div', { class: 'row' }, this.#status, this.#age),
      list,
    );
    setInterval(() => this.#drawAge(), AGE_REDRAW_MS);
  }

  update(state: ProgramState): void {
    const feed = state.feed ?? null;
    this.#feed = feed;
    this.element.hidden = feed === null;
    if (feed === null) return;
    this.#rows.update(FEED_TARGETS.filter((t) => feed.owned.includes(t) || feed.overridden.includes(t)));
    this.#drawAge();
  }

  #drawAge(): void {
    const feed = this.#feed;
    if (feed === null) return;
    const age = feed.lastPacketAt === null ? null : Math.max(0, this.desk.realtime.serverNow() - feed.lastPacketAt);
    // Stale in state (the controller's watchdog), or by the age itself should the watchdog's process be gone
    // (state keeps the last packet's time to the heartbeat, so the age may read that much high).
    const stale = feed.stale || (age !== null && age >= feed.staleAfterMs + feedHeartbeatMs(feed.staleAfterMs));
    const status = feed.lastPacketAt === null ? 'Waiting' : stale ? 'STALE' : 'LIVE';
    setText(this.#status, `${status}${feed.kind === null ? '' : ` · ${feed.kind}`}`);
    this.#status.classList.toggle('stale', stale);
    this.#status.classList.toggle('live', !stale && feed.lastPacketAt !== null);
    setText(this.#age, age === null ? '' : `last packet ${(age / 1000).toFixed(1)} s ago`);
  }
}
