// Transition picker, duration, CUT and AUTO: the mixer's transition section. The transition lives in the
// program state (transition.set), so every director panel and the template agree on what AUTO will do.
import {
  isPending,
  MAX_TRANSITION_MS,
  type Command,
  type ProgramState,
  type Transition,
} from '../../../protocol/index.ts';
import { BoundField, type BoundFieldOptions } from '../lib/bound-field.ts';
import type { Desk } from '../lib/desk.ts';
import { h } from '../lib/dom.ts';

export interface SwitcherActions {
  /** Takes, cuts and cancels: actions, sent as they are. */
  send(command: Command, what: string): void;
}

const TYPES: Transition['type'][] = ['cut', 'mix', 'wipe', 'dip'];
const WIPE_FROM: Transition['from'][] = ['left', 'right', 'top', 'bottom'];

export class Switcher {
  readonly element: HTMLElement;
  readonly #fields: BoundField[];
  readonly #cut: HTMLButtonElement;
  readonly #auto: HTMLButtonElement;
  /** A scheduled take (a control surface or the API sent `at`): its countdown and a cancel button. */
  readonly #scheduled: HTMLElement;
  readonly #countdown: HTMLElement;

  constructor(desk: Desk, actions: SwitcherActions) {
    // The transition's settings are edits (compare-and-set, like the graphics desk's).
    const field = <K extends keyof Transition>(
      key: K,
      options: Omit<BoundFieldOptions, 'what' | 'read' | 'command'>,
      parse: (value: string) => Transition[K],
    ): BoundField =>
      new BoundField(desk, {
        ...options,
        what: `Transition ${options.label.toLowerCase()}`,
        read: (state) => String(state.transition[key]).toLowerCase(),
        command: (value) => ({ type: 'transition.set', transition: { [key]: parse(value) } }),
      });
    this.#fields = [
      field(
        'type',
        {
          id: 'transition-type',
          label: 'Type',
          type: 'select',
          choices: TYPES.map((t) => ({ value: t, label: t.toUpperCase() })),
        },
        (value) => value as Transition['type'],
      ),
      field(
        'durationMs',
        {
          id: 'transition-duration',
          label: 'Duration ms',
          type: 'number',
          attrs: { min: 0, max: MAX_TRANSITION_MS, step: 100 },
        },
        Number,
      ),
      field(
        'from',
        {
          id: 'wipe-from',
          label: 'Wipe',
          type: 'select',
          class: 'wipe-only',
          choices: WIPE_FROM.map((f) => ({ value: f, label: `from ${f}` })),
        },
        (value) => value as Transition['from'],
      ),
      field('colour', { id: 'dip-colour', label: 'Dip colour', type: 'color', class: 'dip-only' }, String),
    ];
    this.#cut = h(
      'button',
      {
        type: 'button',
        id: 'cut-button',
        class: 'big-button cut',
        onclick: () => actions.send({ type: 'program.cut' }, 'Cut'),
      },
      'CUT',
    );
    this.#auto = h(
      'button',
      {
        type: 'button',
        id: 'auto-button',
        class: 'big-button auto',
        onclick: () => actions.send({ type: 'program.auto' }, 'Auto'),
      },
      'AUTO',
    );
    this.#countdown = h('span', { id: 'scheduled-countdown', role: 'timer' });
    this.#scheduled = h(
      'div',
      { class: 'scheduled-take', hidden: true },
      this.#countdown,
      h(
        'button',
        {
          type: 'button',
          id: 'cancel-scheduled',
          onclick: () => actions.send({ type: 'program.cancel' }, 'Cancel take'),
        },
        'Cancel',
      ),
    );
    this.element = h(
      'section',
      { class: 'switcher panel live-dependent' },
      h('h2', {}, 'Transition'),
      ...this.#fields.map((f) => f.element),
      this.#auto,
      this.#cut,
      this.#scheduled,
    );
  }

  /** Called a few times a second: the countdown of a scheduled take, hidden once it has started. */
  tick(state: ProgramState, serverNow: number): void {
    const take = state.take;
    const pending = isPending(take, serverNow);
    this.#scheduled.hidden = !pending;
    if (!pending) return;
    const label = state.sources.find((s) => s.id === take.to)?.label ?? take.to;
    this.#countdown.textContent = `${label} in ${((take.startedAt - serverNow) / 1000).toFixed(1)} s`;
  }

  update(state: ProgramState): void {
    for (const field of this.#fields) field.update(state);
    this.element.dataset.transition = state.transition.type;
    const canTake = state.preview !== null;
    this.#cut.disabled = !canTake;
    this.#auto.disabled = !canTake;
  }
}
