// An input bound to one value of the program state. It follows the state while the operator is not
// editing it; an edit starts at the first keystroke (that state is its base) and is sent on change.
// When another operator changed the same value meanwhile, the field shows the value that won, says so,
// and nothing is overwritten.
import type { Command, ProgramState } from '../../../protocol/index.ts';
import { describeError } from '../lib/api-error.ts';
import { h, setText } from '../lib/dom.ts';
import type { Desk } from './desk.ts';
import { showValue } from './desk.ts';

export interface BoundFieldOptions {
  id: string;
  label: string;
  what: string;
  type?: 'text' | 'number' | 'color';
  attrs?: Record<string, string | number>;
  read: (state: ProgramState) => string;
  command: (value: string) => Command | null;
}

export class BoundField {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  readonly #message: HTMLElement;
  readonly #desk: Desk;
  readonly #options: BoundFieldOptions;
  #base: ProgramState | null = null;

  constructor(desk: Desk, options: BoundFieldOptions) {
    this.#desk = desk;
    this.#options = options;
    this.input = h('input', { id: options.id, type: options.type ?? 'text', ...options.attrs });
    this.#message = h('span', { class: 'field-message', id: `${options.id}-message`, role: 'status' });
    this.element = h(
      'label',
      { class: 'bound-field' },
      h('span', { class: 'field-label' }, options.label),
      this.input,
      this.#message,
    );
    this.input.addEventListener('input', () => {
      if (this.#base === null) this.#base = desk.state;
      this.#say('', '');
    });
    this.input.addEventListener('change', () => void this.#commit());
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && desk.state !== null) {
        this.#base = null;
        this.input.value = options.read(desk.state);
      }
    });
  }

  update(state: ProgramState): void {
    if (this.#base === null && this.input.value !== this.#options.read(state))
      this.input.value = this.#options.read(state);
  }

  async #commit(): Promise<void> {
    const base = this.#base ?? this.#desk.state;
    const value = this.input.value;
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
      this.update(result.state);
    } else if (result.conflict) {
      const current = this.#options.read(result.state);
      this.#base = null;
      this.input.value = current;
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
