// OGraf graphics at the desk: the event's stored graphics (and everyone's), a package upload, the picked
// graphic's data form built from its manifest's schema, and the instances on program with their step and
// actions (next step, update with the form's data, stop, clear). A graphic a renderer had to unload shows
// its reason here and raises a notice once.
import type { OGrafGraphic, OGrafInstance, ProgramState } from '../../../protocol/index.ts';
import type { Command } from '../../../protocol/index.ts';
import type { Desk } from '../lib/desk.ts';
import { h, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { attempt, notify } from '../lib/notices.ts';
import { syncOptions } from '../lib/option-list.ts';
import { OGrafForm } from './ograf-form.ts';

export class OGrafPanel {
  readonly element: HTMLElement;
  readonly #desk: Desk;
  readonly #picker = h('select', { id: 'ograf-graphic', 'aria-label': 'Graphic' });
  readonly #instance = h('input', { id: 'ograf-instance', placeholder: 'Instance', maxlength: 64 });
  readonly #layer = h(
    'select',
    { id: 'ograf-layer', 'aria-label': 'Layer' },
    h('option', { value: 'above' }, 'Above scorebug'),
    h('option', { value: 'below' }, 'Below scorebug'),
  );
  readonly #formSlot = h('div', { class: 'ograf-form-slot' });
  readonly #instances: KeyedList<OGrafInstance, InstanceRow>;
  #graphics: OGrafGraphic[] = [];
  #form: OGrafForm | null = null;
  #formFor: string | null = null;
  /** Failures already told, so a notice is raised once per unload. */
  readonly #told = new Set<string>();

  constructor(desk: Desk) {
    this.#desk = desk;
    const path = `/api/events/${encodeURIComponent(desk.eventId)}/graphics`;
    const upload = h('input', { type: 'file', id: 'ograf-upload', accept: '.zip,application/zip', class: 'sr-only' });
    upload.addEventListener('change', () => {
      const file = upload.files?.[0];
      if (file === undefined) return;
      const zip = new Blob([file], { type: 'application/zip' });
      void attempt('Graphic upload', () => desk.api.upload('POST', path, zip))
        .then(async (stored) => {
          if (stored !== undefined) await this.refresh();
        })
        .finally(() => (upload.value = ''));
    });
    this.#picker.addEventListener('change', () => this.#showForm());
    const list = h('ul', { class: 'ograf-instances', id: 'ograf-instances' });
    this.#instances = new KeyedList(list, {
      key: (instance) => instance.id,
      create: () =>
        new InstanceRow(
          (command) => this.#send(command),
          (instance) => this.#pick(instance),
        ),
      empty: h('li', { class: 'muted' }, 'No graphic loaded.'),
    });
    const load = h('button', { type: 'button', id: 'ograf-load', class: 'go' }, 'LOAD');
    load.addEventListener('click', () => this.#load());
    this.element = h(
      'section',
      { class: 'ograf panel live-dependent' },
      h(
        'div',
        { class: 'row' },
        h('h2', {}, 'OGraf graphics'),
        h('span', { class: 'spacer' }),
        h('label', { class: 'logo-upload', for: 'ograf-upload' }, 'Upload…'),
        upload,
      ),
      h('div', { class: 'row' }, this.#picker, this.#instance, this.#layer),
      this.#formSlot,
      h('div', { class: 'row' }, load),
      list,
    );
    void this.refresh();
  }

  /** Reads the graphics list again (after an upload; the list is not part of program state). */
  async refresh(): Promise<void> {
    const answer = await attempt('Graphics', () =>
      this.#desk.api.get<{ graphics: OGrafGraphic[] }>(
        `/api/events/${encodeURIComponent(this.#desk.eventId)}/graphics`,
      ),
    );
    if (answer === undefined) return;
    this.#graphics = answer.graphics;
    const choices = this.#graphics.map((g) => ({
      value: g.id,
      label: g.scope === 'all' ? `${g.name} (all events)` : g.name,
    }));
    // An empty picker reads as broken: say why there is nothing to load.
    syncOptions(this.#picker, choices.length > 0 ? choices : [{ value: '', label: 'No graphics uploaded' }]);
    this.#picker.disabled = choices.length === 0;
    this.#showForm();
  }

  update(state: ProgramState | null): void {
    const instances = state?.ograf?.instances ?? [];
    this.#instances.update(instances);
    for (const instance of instances) {
      const key = `${instance.id}@${instance.loadedAt}`;
      if (instance.failed !== undefined && !this.#told.has(key)) {
        this.#told.add(key);
        notify('error', `Graphic "${instance.id}" (${instance.graphic.name}) was unloaded: ${instance.failed.message}`);
      }
    }
  }

  /** The data the form holds now: what LOAD and UPDATE send. */
  data(): Record<string, unknown> {
    return this.#form?.read() ?? {};
  }

  #showForm(): void {
    const graphic = this.#graphics.find((g) => g.id === this.#picker.value);
    if (graphic?.id === this.#formFor) return;
    this.#formFor = graphic?.id ?? null;
    this.#form = graphic === undefined ? null : new OGrafForm(graphic.schema);
    this.#formSlot.replaceChildren(...(this.#form === null ? [] : [this.#form.element]));
    if (graphic !== undefined && this.#instance.value === '')
      this.#instance.value = graphic.manifestId
        .split('.')
        .at(-1)!
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, '-');
  }

  /** An instance picked in the list: its graphic and data in the form, ready for UPDATE. */
  #pick(instance: OGrafInstance): void {
    this.#picker.value = instance.graphic.id;
    this.#showForm();
    this.#instance.value = instance.id;
    this.#form?.show(instance.data);
  }

  #load(): void {
    const graphic = this.#picker.value;
    if (graphic === '') {
      notify('warning', 'Upload a graphic first.');
      return;
    }
    this.#send({
      type: 'ograf.load',
      instance: this.#instance.value.trim(),
      graphic,
      data: this.data(),
      layer: this.#layer.value === 'below' ? 'below' : 'above',
    });
  }

  #send(command: Command): void {
    // Update sends the form's data for the instance picked; the other actions are sent as they are.
    const sent = command.type === 'ograf.update' ? { ...command, data: this.data() } : command;
    void attempt(`Graphic ${'instance' in sent ? `"${sent.instance}"` : ''}`, () =>
      this.#desk.api.command(this.#desk.eventId, sent),
    );
  }
}

class InstanceRow implements KeyedView<OGrafInstance> {
  readonly element: HTMLElement;
  readonly #name = h('strong');
  readonly #status = h('span', { class: 'muted ograf-status' });
  #instance: OGrafInstance | null = null;

  constructor(send: (command: Command) => void, pick: (instance: OGrafInstance) => void) {
    const act = (make: (instance: string) => Command) => () => {
      if (this.#instance !== null) send(make(this.#instance.id));
    };
    const button = (name: string, label: string, make: (instance: string) => Command, cls = '') =>
      h('button', { type: 'button', class: `ograf-${name} ${cls}`, onclick: act(make) }, label);
    this.element = h(
      'li',
      { class: 'ograf-instance' },
      h(
        'div',
        { class: 'rundown-text', onclick: () => this.#instance !== null && pick(this.#instance) },
        this.#name,
        this.#status,
      ),
      button('play', 'NEXT', (instance) => ({ type: 'ograf.play', instance }), 'go'),
      button('update', 'UPDATE', (instance) => ({ type: 'ograf.update', instance, data: {} })),
      button('stop', 'STOP', (instance) => ({ type: 'ograf.stop', instance })),
      button('clear', '×', (instance) => ({ type: 'ograf.clear', instance }), 'remove'),
    );
  }

  update(instance: OGrafInstance): void {
    this.#instance = instance;
    this.element.dataset['instance'] = instance.id;
    this.element.dataset['status'] = instance.failed === undefined ? instance.status : 'failed';
    this.element.classList.toggle('on-air', instance.status === 'playing' && instance.failed === undefined);
    setText(this.#name, `${instance.id} · ${instance.graphic.name}`);
    const { stepCount } = instance.graphic;
    const where =
      instance.failed !== undefined
        ? `unloaded: ${instance.failed.message}`
        : instance.status === 'playing'
          ? instance.step === null
            ? 'playing'
            : `step ${instance.step + 1} of ${stepCount}`
          : instance.status;
    setText(this.#status, where);
  }
}
