// A control bound to one value of the program state. It follows the state while the operator is not
// editing it: an edit starts at the first keystroke or pick (that state is its base) and is sent on change
// (Enter, leaving the field, a pick) as a compare-and-set edit. A text field that has focus is not written
// either, so a frame never moves the caret; it catches up when it loses focus. When another operator
// changed the same value meanwhile, the field shows the value that won, says so, and nothing is
// overwritten. Escape drops the edit.
import type { Command, ProgramState } from '../../../protocol/index.ts';
import '../styles/bound-field.css';
import { describeError } from './api-error.ts';
import type { Desk } from './desk.ts';
import { showValue } from './desk.ts';
import { h, setText } from './dom.ts';
import { syncOptions, type Choice } from './option-list.ts';

export interface BoundFieldOptions {
  id: string;
  label: string;
  what: string;
  type?: 'text' | 'number' | 'color' | 'select';
  attrs?: Record<string, string | number>;
  /** Extra classes on the field's label element. */
  class?: string;
  /** A select's options: fixed, or read from each state (sources come and go). */
  choices?: readonly Choice[] | ((state: ProgramState) => readonly Choice[]);
  read: (state: ProgramState) => string;
  command: (value: string) => Command | null;
}

export class BoundField {
  readonly element: HTMLElement;
  readonly control: HTMLInputElement | HTMLSelectElement;
  readonly #message: HTMLElement;
  readonly #desk: Desk;
  readonly #options: BoundFieldOptions;
  /** The state the edit in progress started from; null while the field follows the state. */
  #base: ProgramState | null = null;

  constructor(desk: Desk, options: BoundFieldOptions) {
    this.#desk = desk;
    this.#options = options;
    const control =
      options.type === 'select'
        ? h('select', { id: options.id, ...options.attrs })
        : h('input', { id: options.id, type: options.type ?? 'text', ...options.attrs });
    if (control instanceof HTMLSelectElement && Array.isArray(options.choices)) syncOptions(control, options.choices);
    this.control = control;
    this.#message = h('span', { class: 'field-message', id: `${options.id}-message`, role: 'status' });
    this.element = h(
      'label',
      { class: `bound-field ${options.class ?? ''}`.trim() },
      h('span', { class: 'field-label' }, options.label),
      control,
      this.#message,
    );
    control.addEventListener('input', () => {
      if (this.#base === null) this.#base = desk.state;
      this.#say('', '');
    });
    control.addEventListener('change', () => void this.#commit());
    control.addEventListener('keydown', (event) => {
      if (event instanceof KeyboardEvent && event.key === 'Escape') this.#abandon();
    });
    control.addEventListener('blur', () => {
      if (this.#base === null && desk.state !== null) this.update(desk.state);
    });
  }

  /** True from the first keystroke or pick until the edit is sent or dropped. */
  get editing(): boolean {
    return this.#base !== null;
  }

  update(state: ProgramState): void {
    const choices = this.#options.choices;
    if (this.control instanceof HTMLSelectElement && typeof choices === 'function')
      syncOptions(this.control, choices(state));
    if (this.editing || this.#holdsCaret()) return;
    this.#show(this.#options.read(state));
  }

  #holdsCaret(): boolean {
    return this.control instanceof HTMLInputElement && document.activeElement === this.control;
  }

  #show(value: string): void {
    if (this.control.value !== value) this.control.value = value;
  }

  #abandon(): void {
    this.#base = null;
    this.#say('', '');
    if (this.#desk.state !== null) this.#show(this.#options.read(this.#desk.state));
  }

  async #commit(): Promise<void> {
    const base = this.#base ?? this.#desk.state;
    const value = this.control.value;
    if (base === null) return;
    const command = this.#options.command(value);
    if (command === null) {
      this.#say('error', `"${value}" is not a valid ${this.#options.label.toLowerCase()}.`);
      return;
    }
    this.#say('pending', 'Sending…');
    const result = await this.#desk.edit({ what: this.#options.what, command, read: this.#options.read, base });
    if (result === null) return;
    if (result.ok) {
      this.#base = null;
      this.#say('', '');
      // The server's form of the value (a colour in lower case), even while the field keeps focus.
      this.#show(this.#options.read(result.state));
    } else if (result.conflict) {
      const current = this.#options.read(result.state);
      this.#base = null;
      this.#show(current);
      this.#say(
        'conflict',
        `Changed by another operator to ${showValue(current)}; yours (${showValue(value)}) was not applied.`,
      );
    } else {
      this.#say('error', describeError(result.error));
    }
  }

  #say(kind: '' | 'pending' | 'error' | 'conflict', text: string): void {
    this.element.dataset.message = kind;
    setText(this.#message, text);
  }
}
