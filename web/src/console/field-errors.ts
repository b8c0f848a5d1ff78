// The API's refusal next to the field it names. Every input of a console form sits in a `.field` with
// `data-field` = the JSON pointer the API uses (/home/colour, /destinations/1/streamKey); an error for a
// field without its own input goes to the nearest enclosing one, else to the form's summary line.
import { ApiError, describeError } from '../lib/api-error.ts';
import { h, setText } from '../lib/dom.ts';

export interface FieldOptions {
  /** JSON pointer of the request field this input edits. */
  field: string;
  label: string;
  input: HTMLElement;
  hint?: string;
  className?: string;
}

/** A labelled input with a place for its error. */
export function field(options: FieldOptions): HTMLElement {
  const id = options.input.id === '' ? `f${options.field.replaceAll('/', '-')}` : options.input.id;
  options.input.id = id;
  const message = h('span', { class: 'field-message', id: `${id}-message`, role: 'alert' });
  options.input.setAttribute('aria-describedby', message.id);
  return h(
    'label',
    { class: `field ${options.className ?? ''}`.trim(), 'data-field': options.field, for: id },
    h('span', { class: 'field-label' }, options.label),
    options.input,
    options.hint === undefined ? null : h('span', { class: 'field-hint muted' }, options.hint),
    message,
  );
}

export class FieldErrors {
  constructor(
    private readonly form: HTMLElement,
    private readonly summary: HTMLElement,
  ) {}

  clear(): void {
    for (const element of this.form.querySelectorAll<HTMLElement>('.field[data-error]')) {
      delete element.dataset.error;
      const message = element.querySelector('.field-message');
      if (message !== null) setText(message, '');
    }
    setText(this.summary, '');
    delete this.summary.dataset.error;
  }

  /** Shows the error where it belongs and moves the focus there. */
  show(error: unknown): void {
    this.clear();
    const text = error instanceof ApiError ? sentence(error.message) : describeError(error);
    const target = error instanceof ApiError && error.field !== undefined ? this.#fieldFor(error.field) : null;
    if (target === null) {
      setText(this.summary, describeError(error));
      this.summary.dataset.error = '';
      this.summary.scrollIntoView({ block: 'nearest' });
      return;
    }
    target.dataset.error = '';
    const message = target.querySelector('.field-message');
    if (message !== null) setText(message, text);
    target.querySelector<HTMLElement>('input, select, textarea')?.focus();
    target.scrollIntoView({ block: 'nearest' });
  }

  /** The field's own element, or the nearest one around it (/rules/scoreSteps/2 → /rules/scoreSteps). */
  #fieldFor(pointer: string): HTMLElement | null {
    const fields = [...this.form.querySelectorAll<HTMLElement>('.field[data-field]')];
    for (let path = pointer; path !== ''; path = path.slice(0, path.lastIndexOf('/'))) {
      const found = fields.find((f) => f.dataset.field === path);
      if (found !== undefined) return found;
    }
    return null;
  }
}

function sentence(message: string): string {
  // Schema messages start with the pointer ("/home/colour must match …"): next to the field it is noise.
  const trimmed = message.replace(/^\/\S*\s+/, '');
  const text = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
