// The event's destinations as editable rows: a service (YouTube, Twitch, Facebook, custom RTMP(S), SRT:
// INGEST_PRESETS, offered by each kind's module), its ingest server from the service's list, a label and
// the stream key (and an SRT passphrase). Secrets are write-only: a saved destination shows only their
// fingerprints, and an empty field keeps the stored one.
import {
  HLS_CONSOLE_LABEL,
  INGEST_PRESETS,
  MAX_DESTINATIONS,
  RTMP_BASE,
  type DestinationInput,
  type DestinationView,
  type IngestPreset,
  type IngestPresetId,
} from '../../../protocol/index.ts';
import { h } from '../lib/dom.ts';
import { syncOptions } from '../lib/option-list.ts';
import { field } from './field-errors.ts';

interface Row {
  element: HTMLElement;
  read: () => DestinationInput;
}

const PRESET_IDS = Object.keys(INGEST_PRESETS) as IngestPresetId[];
/** The service choice of a self-hosted `hls` destination (README § Self-hosted playback): no server, no key. */
const HLS_CHOICE = 'hls';
const HLS_LABEL = HLS_CONSOLE_LABEL;
type ServiceChoice = IngestPresetId | typeof HLS_CHOICE;

/** Which service a stored destination came from: its kind, or the server URL for rtmp (Facebook). */
function presetOf(d: DestinationView): ServiceChoice {
  if (d.kind !== 'rtmp') return d.kind;
  return INGEST_PRESETS.facebook.servers.some((s) => s.url === d.serverUrl) ? 'facebook' : 'custom';
}

export class DestinationRows {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #add: HTMLButtonElement;
  #rows: Row[] = [];

  constructor() {
    this.#list = h('div', { class: 'destination-list', id: 'destination-list' });
    this.#add = h(
      'button',
      { type: 'button', id: 'add-destination', onclick: () => this.#append(null, true) },
      '+ Add destination',
    );
    this.element = h('div', { class: 'destinations' }, this.#list, h('div', { class: 'row' }, this.#add));
  }

  set(destinations: readonly DestinationView[]): void {
    this.#rows = [];
    this.#list.replaceChildren();
    for (const d of destinations) this.#append(d, false);
    this.#refresh();
  }

  /** The list as the API takes it; a saved destination without a new key keeps its id and stored key. */
  read(): DestinationInput[] {
    return this.#rows.map((r) => r.read());
  }

  #append(saved: DestinationView | null, focus: boolean): void {
    if (this.#rows.length >= MAX_DESTINATIONS) return;
    const row = this.#row(saved);
    this.#rows.push(row);
    this.#list.append(row.element);
    this.#refresh();
    if (focus) row.element.querySelector<HTMLElement>('select')?.focus();
  }

  /** Field pointers carry the row's index: renumber after a removal. */
  #refresh(): void {
    this.#rows.forEach((row, index) => {
      row.element.dataset.index = String(index);
      for (const f of row.element.querySelectorAll<HTMLElement>('.field[data-field]'))
        f.dataset.field = f.dataset.field!.replace(/^\/destinations\/\d+/, `/destinations/${index}`);
    });
    this.#add.disabled = this.#rows.length >= MAX_DESTINATIONS;
    if (this.#rows.length === 0)
      this.#list.replaceChildren(
        h('p', { class: 'muted empty' }, 'No destinations yet: the program is only recorded until you add one.'),
      );
    else this.#list.querySelector('.empty')?.remove();
  }

  #row(saved: DestinationView | null): Row {
    const n = this.#rows.length;
    const uid = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const preset = h(
      'select',
      { id: `dest-service-${uid}`, class: 'dest-service' },
      ...PRESET_IDS.map((id) => h('option', { value: id }, INGEST_PRESETS[id].label)),
      h('option', { value: HLS_CHOICE }, HLS_LABEL),
    );
    const server = h('select', { id: `dest-server-${uid}`, class: 'dest-server' });
    const url = h('input', { id: `dest-url-${uid}`, class: 'dest-url', type: 'url', spellcheck: 'false' });
    const label = h('input', { id: `dest-label-${uid}`, class: 'dest-label', maxlength: 64, placeholder: 'Label' });
    const key = h('input', {
      id: `dest-key-${uid}`,
      class: 'dest-key',
      type: 'password',
      autocomplete: 'new-password',
      spellcheck: 'false',
      placeholder: saved === null ? 'Paste the stream key' : `Saved ${saved.streamKeyMasked} — type to replace`,
    });
    const passphrase = h('input', {
      id: `dest-passphrase-${uid}`,
      class: 'dest-passphrase',
      type: 'password',
      autocomplete: 'new-password',
      spellcheck: 'false',
      placeholder:
        saved?.passphraseMasked === undefined
          ? 'None: the stream is not encrypted'
          : `Saved ${saved.passphraseMasked} — type to replace`,
    });
    const passphraseField = field({ field: `/destinations/${n}/passphrase`, label: 'Passphrase', input: passphrase });
    const help = h('span', { class: 'field-hint muted' });
    const serverField = field({ field: `/destinations/${n}/serverUrl`, label: 'Server', input: server });
    const urlField = field({ field: `/destinations/${n}/serverUrl`, label: 'Server URL', input: url });

    const keyCell = h('div', { class: 'dest-key-cell' });
    const showPreset = (): void => {
      const hls = preset.value === HLS_CHOICE;
      keyCell.hidden = hls;
      if (hls) {
        serverField.hidden = urlField.hidden = true;
        if (label.value === '' || PRESET_IDS.some((id) => INGEST_PRESETS[id].label === label.value))
          label.value = HLS_LABEL;
        return;
      }
      const p: IngestPreset = INGEST_PRESETS[preset.value as IngestPresetId];
      syncOptions(
        server,
        p.servers.map((s) => ({ value: s.url, label: s.label })),
      );
      serverField.hidden = p.servers.length === 0;
      urlField.hidden = p.servers.length > 0;
      url.placeholder = p.urlPlaceholder ?? '';
      passphraseField.hidden = p.passphrase !== true;
      help.textContent = `Key: ${p.keyHelp}`;
      if (label.value === '' || PRESET_IDS.some((id) => INGEST_PRESETS[id].label === label.value))
        label.value = p.label;
    };
    preset.addEventListener('change', showPreset);
    if (saved !== null) {
      preset.value = presetOf(saved);
      label.value = saved.label ?? '';
      showPreset();
      const stored = saved.serverUrl ?? RTMP_BASE[saved.kind as 'youtube' | 'twitch'] ?? '';
      if (INGEST_PRESETS[preset.value as IngestPresetId]?.servers.some((s) => s.url === stored)) server.value = stored;
      url.value = saved.serverUrl ?? '';
    } else {
      showPreset();
    }

    const element = h(
      'fieldset',
      { class: 'destination-row', 'data-destination': saved?.id ?? 'new' },
      h('legend', { class: 'sr-only' }, saved === null ? 'New destination' : `Destination ${saved.id}`),
      field({ field: `/destinations/${n}/kind`, label: 'Service', input: preset }),
      serverField,
      urlField,
      field({ field: `/destinations/${n}/label`, label: 'Label', input: label }),
      keyCell,
      h(
        'button',
        {
          type: 'button',
          class: 'icon-button remove-destination',
          'aria-label': 'Remove this destination',
          title: 'Remove',
          onclick: () => {
            this.#rows = this.#rows.filter((r) => r.element !== element);
            element.remove();
            this.#refresh();
          },
        },
        '×',
      ),
    );
    keyCell.append(
      field({ field: `/destinations/${n}/streamKey`, label: 'Stream key', input: key }),
      passphraseField,
      help,
    );
    const read = (): DestinationInput => {
      if (preset.value === HLS_CHOICE)
        return {
          ...(saved?.kind === 'hls' ? { id: saved.id } : {}),
          kind: 'hls',
          ...(label.value.trim() === '' ? {} : { label: label.value.trim() }),
          ...(saved?.kind === 'hls' && saved.dvrWindowSeconds !== undefined
            ? { dvrWindowSeconds: saved.dvrWindowSeconds }
            : {}),
        };
      const p: IngestPreset = INGEST_PRESETS[preset.value as IngestPresetId];
      const serverUrl = p.servers.length === 0 ? url.value.trim() : server.value;
      // YouTube/Twitch on their default ingest are stored without a server (the default may change).
      const isDefault = (p.kind === 'youtube' || p.kind === 'twitch') && serverUrl === RTMP_BASE[p.kind];
      return {
        ...(saved !== null && saved.kind === p.kind ? { id: saved.id } : {}),
        kind: p.kind,
        ...(label.value.trim() === '' ? {} : { label: label.value.trim() }),
        ...(isDefault || serverUrl === '' ? {} : { serverUrl }),
        ...(key.value === '' ? {} : { streamKey: key.value.trim() }),
        ...(p.passphrase !== true || passphrase.value === '' ? {} : { passphrase: passphrase.value }),
      };
    };
    return { element, read };
  }
}
