// Transition picker, duration, CUT and AUTO: the mixer's transition section. The transition lives in the
// program state (transition.set), so every director panel and the template agree on what AUTO will do.
import {
  isPending,
  MAX_TRANSITION_MS,
  type Command,
  type ProgramState,
  type Transition,
} from '../../../protocol/index.ts';
import { h } from '../lib/dom.ts';

export interface SwitcherActions {
  send(command: Command, what: string): void;
}

const TYPES: Transition['type'][] = ['cut', 'mix', 'wipe', 'dip'];
const WIPE_FROM: Transition['from'][] = ['left', 'right', 'top', 'bottom'];

export class Switcher {
  readonly element: HTMLElement;
  readonly #type: HTMLSelectElement;
  readonly #duration: HTMLInputElement;
  readonly #from: HTMLSelectElement;
  readonly #colour: HTMLInputElement;
  readonly #cut: HTMLButtonElement;
  readonly #auto: HTMLButtonElement;
  /** A scheduled take (a control surface or the API sent `at`): its countdown and a cancel button. */
  readonly #scheduled: HTMLElement;
  readonly #countdown: HTMLElement;

  constructor(actions: SwitcherActions) {
    const set = (patch: Partial<Transition>): void =>
      actions.send({ type: 'transition.set', transition: patch }, 'Transition');
    this.#type = h(
      'select',
      { id: 'transition-type', 'aria-label': 'Transition' },
      ...TYPES.map((t) => h('option', { value: t }, t.toUpperCase())),
    );
    this.#type.addEventListener('change', () => set({ type: this.#type.value as Transition['type'] }));
    this.#duration = h('input', {
      id: 'transition-duration',
      type: 'number',
      min: 0,
      max: MAX_TRANSITION_MS,
      step: 100,
      'aria-label': 'Duration (ms)',
    });
    this.#duration.addEventListener('change', () => set({ durationMs: Number(this.#duration.value) }));
    this.#from = h(
      'select',
      { id: 'wipe-from', 'aria-label': 'Wipe from' },
      ...WIPE_FROM.map((f) => h('option', { value: f }, `from ${f}`)),
    );
    this.#from.addEventListener('change', () => set({ from: this.#from.value as Transition['from'] }));
    this.#colour = h('input', { id: 'dip-colour', type: 'color', 'aria-label': 'Dip colour' });
    this.#colour.addEventListener('change', () => set({ colour: this.#colour.value }));
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
      this.#type,
      h('label', { class: 'field' }, 'Duration ms', this.#duration),
      h('label', { class: 'field wipe-only' }, 'Wipe', this.#from),
      h('label', { class: 'field dip-only' }, 'Dip colour', this.#colour),
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
    const t = state.transition;
    keep(this.#type, t.type);
    keep(this.#duration, String(t.durationMs));
    keep(this.#from, t.from);
    keep(this.#colour, t.colour.toLowerCase());
    this.element.dataset.transition = t.type;
    const canTake = state.preview !== null;
    this.#cut.disabled = !canTake;
    this.#auto.disabled = !canTake;
  }
}

/** Shows the server's value unless the operator is in the middle of changing this control. */
function keep(control: HTMLInputElement | HTMLSelectElement, value: string): void {
  if (document.activeElement !== control && control.value !== value) control.value = value;
}
