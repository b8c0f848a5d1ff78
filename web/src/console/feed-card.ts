// The "Data feed" card of the console's crew tab (docs/data-feeds.md): the event's feed key with the push
// address a scoring app posts to, and the feed's setup: its source (the push endpoint, or a Daktronics console
// on a serial device or a TCP bridge), how long without a packet counts as stale, and the mapping of feed field
// names to the scorebug, the clock or new names (one `name = target` a line).
import { Type } from '@sinclair/typebox';
import {
  DAKTRONICS_SPORTS,
  FeedConfigSchema,
  FeedKeyResponseSchema,
  parse,
  type FeedConfig,
  type FeedMapping,
  type FeedSource,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { copyLink } from '../lib/copy-link.ts';
import { h, setText } from '../lib/dom.ts';
import { attempt, notify } from '../lib/notices.ts';

const ConfigAnswerSchema = Type.Object({ config: FeedConfigSchema });

export class FeedCard {
  readonly element: HTMLElement;
  readonly #base: string;
  readonly #address = h('code', { class: 'mono', id: 'feed-address' });
  readonly #key = h('code', { class: 'mono', id: 'feed-key' }, 'No feed key yet.');
  readonly #makeKey = h('button', { type: 'button', id: 'feed-key-make' }, 'Make feed key');
  readonly #kind = h(
    'select',
    { id: 'feed-source-kind' },
    h('option', { value: 'push' }, 'Push (scoring app, script)'),
    h('option', { value: 'daktronics' }, 'Daktronics All Sport 5000'),
  );
  readonly #sport = h('select', { id: 'feed-sport' }, ...DAKTRONICS_SPORTS.map((s) => h('option', { value: s }, s)));
  readonly #path = h('input', { id: 'feed-path', placeholder: '/dev/ttyUSB0' });
  readonly #host = h('input', { id: 'feed-host', placeholder: 'bridge host' });
  readonly #port = h('input', { id: 'feed-port', placeholder: 'port', inputmode: 'numeric' });
  readonly #stale = h('input', { id: 'feed-stale', inputmode: 'numeric' });
  readonly #mapping = h('textarea', { id: 'feed-mapping', rows: '4', placeholder: 'hs = home.score\nclk = clock.ms' });
  #keyText: string | null = null;

  constructor(
    private readonly api: ApiClient,
    eventId: string,
  ) {
    this.#base = `/api/events/${encodeURIComponent(eventId)}/feed`;
    setText(this.#address, `POST ${location.origin}${this.#base}`);
    const copy = h('button', { type: 'button', class: 'copy-link' }, 'Copy key');
    copy.addEventListener('click', () => {
      if (this.#keyText !== null) void copyLink(this.#keyText, copy);
    });
    this.#makeKey.addEventListener('click', () => void this.#rotate());
    const save = h('button', { type: 'button', class: 'go', id: 'feed-save' }, 'Save feed setup');
    save.addEventListener('click', () => void this.#save());
    const daktronics = h(
      'div',
      { class: 'row', id: 'feed-daktronics' },
      this.#sport,
      this.#path,
      this.#host,
      this.#port,
    );
    this.#kind.addEventListener('change', () => {
      daktronics.hidden = this.#kind.value !== 'daktronics';
    });
    daktronics.hidden = true;
    this.element = h(
      'section',
      { class: 'panel feed-card', id: 'feed-card' },
      h('h2', {}, 'Data feed'),
      h('p', { class: 'muted' }, 'Match data from outside drives the scorebug and clock. Push packets to:'),
      this.#address,
      h('div', { class: 'row' }, this.#key, copy, this.#makeKey),
      h('label', {}, 'Source ', this.#kind),
      daktronics,
      h('label', {}, 'Stale after (s) ', this.#stale),
      h('label', {}, 'Mapping (feed field = target)', this.#mapping),
      save,
    );
    void this.#load();
  }

  async #load(): Promise<void> {
    const key = parse(
      FeedKeyResponseSchema,
      await attempt('Feed key', () => this.api.get<unknown>(`${this.#base}/key`)),
    );
    if (key.ok) this.#showKey(key.value.key?.key ?? null);
    const answer = parse(
      ConfigAnswerSchema,
      await attempt('Feed setup', () => this.api.get<unknown>(`${this.#base}/config`)),
    );
    if (answer.ok) this.#show(answer.value.config);
  }

  #showKey(key: string | null): void {
    this.#keyText = key;
    setText(this.#key, key ?? 'No feed key yet.');
    setText(this.#makeKey, key === null ? 'Make feed key' : 'New feed key');
  }

  #show(config: FeedConfig): void {
    const { source } = config;
    this.#kind.value = source.kind;
    this.#kind.dispatchEvent(new Event('change'));
    if (source.kind === 'daktronics') {
      this.#sport.value = source.sport;
      this.#path.value = source.path ?? '';
      this.#host.value = source.host ?? '';
      this.#port.value = source.port === undefined ? '' : String(source.port);
    }
    this.#stale.value = String(config.staleAfterSeconds);
    this.#mapping.value = Object.entries(config.mapping)
      .map(([name, target]) => `${name} = ${target}`)
      .join('\n');
  }

  async #rotate(): Promise<void> {
    if (this.#keyText !== null && !confirm('Replace the feed key? Whatever posts with the old one stops at once.'))
      return;
    const answer = parse(
      FeedKeyResponseSchema,
      await attempt('Feed key', () => this.api.post<unknown>(`${this.#base}/key`)),
    );
    if (!answer.ok) return;
    this.#showKey(answer.value.key?.key ?? null);
    notify('info', 'Data feed: new key issued; the old one no longer works.');
  }

  async #save(): Promise<void> {
    const mapping: FeedMapping = {};
    for (const line of this.#mapping.value.split('\n')) {
      const [name = '', target = ''] = line.split('=').map((part) => part.trim());
      if (name !== '' && target !== '') mapping[name] = target;
    }
    const source: FeedSource =
      this.#kind.value === 'daktronics'
        ? {
            kind: 'daktronics',
            sport: this.#sport.value as (typeof DAKTRONICS_SPORTS)[number],
            ...(this.#path.value.trim() === '' ? {} : { path: this.#path.value.trim() }),
            ...(this.#host.value.trim() === '' ? {} : { host: this.#host.value.trim() }),
            ...(this.#port.value.trim() === '' ? {} : { port: Number(this.#port.value) }),
          }
        : { kind: 'push' };
    const body = { staleAfterSeconds: Number(this.#stale.value), mapping, source };
    const answer = parse(
      ConfigAnswerSchema,
      await attempt('Feed setup', () => this.api.request<unknown>('PUT', `${this.#base}/config`, body)),
    );
    if (!answer.ok) return;
    this.#show(answer.value.config);
    notify('info', 'Data feed setup saved.');
  }
}
