// A data form built from an OGraf manifest's JSON schema: strings (an enum as a picker, a GDD colour as a
// colour well), numbers, integers and booleans; nested objects are flattened into dotted field names. What
// the schema asks beyond that (patterns, bounds) is checked by the controller, which names the field.
import type { OGrafData } from '../../../protocol/index.ts';
import { h } from '../lib/dom.ts';

interface FieldSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, FieldSchema>;
  gddType?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

interface Field {
  path: string[];
  schema: FieldSchema;
  input: HTMLInputElement | HTMLSelectElement;
}

/** Schemas nest; forms do not need to nest deeper than a line-up's players. */
const MAX_DEPTH = 4;

export class OGrafForm {
  readonly element: HTMLElement;
  readonly #fields: Field[] = [];

  constructor(schema: Record<string, unknown> | undefined) {
    this.element = h('div', { class: 'ograf-form' });
    this.#add([], schema ?? {}, 0);
    if (this.#fields.length === 0) this.element.append(h('p', { class: 'muted' }, 'This graphic takes no data.'));
  }

  /** The form's values as the graphic's data (empty number fields left out). */
  read(): OGrafData {
    const data: OGrafData = {};
    for (const { path, schema, input } of this.#fields) {
      const value = valueOf(schema, input);
      if (value === undefined) continue;
      let target = data;
      for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as OGrafData;
      target[path.at(-1)!] = value;
    }
    return data;
  }

  /** Shows `data` in the form (an instance's data when it is picked). */
  show(data: OGrafData): void {
    for (const { path, schema, input } of this.#fields) {
      let value: unknown = data;
      for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
      if (value !== undefined) write(schema, input, value);
    }
  }

  #add(path: string[], schema: FieldSchema, depth: number): void {
    if (schema.properties !== undefined && depth < MAX_DEPTH) {
      for (const [key, child] of Object.entries(schema.properties)) this.#add([...path, key], child, depth + 1);
      return;
    }
    if (path.length === 0) return;
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    const id = `ograf-field-${path.join('-')}`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (schema.enum !== undefined) {
      input = h('select', { id });
      for (const option of schema.enum) input.append(h('option', { value: String(option) }, String(option)));
    } else if (type === 'boolean') {
      input = h('input', { id, type: 'checkbox' });
    } else if (type === 'number' || type === 'integer') {
      input = h('input', { id, type: 'number', step: type === 'integer' ? '1' : 'any' });
      if (schema.minimum !== undefined) input.min = String(schema.minimum);
      if (schema.maximum !== undefined) input.max = String(schema.maximum);
    } else if (type === 'string' || type === undefined) {
      input = h('input', { id, type: schema.gddType?.startsWith('color-') === true ? 'color' : 'text' });
      if (schema.maxLength !== undefined) input.maxLength = schema.maxLength;
    } else return; // arrays and the like: the graphic's defaults apply
    input.dataset['field'] = path.join('.');
    if (schema.default !== undefined) write(schema, input, schema.default);
    this.#fields.push({ path, schema, input });
    this.element.append(
      h(
        'label',
        { class: 'ograf-field', title: schema.description ?? '' },
        h('span', {}, schema.title ?? path.join('.')),
        input,
      ),
    );
  }
}

function valueOf(schema: FieldSchema, input: HTMLInputElement | HTMLSelectElement): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (input instanceof HTMLInputElement && input.type === 'checkbox') return input.checked;
  if (type === 'number' || type === 'integer') return input.value === '' ? undefined : Number(input.value);
  if (schema.enum !== undefined) return schema.enum.find((option) => String(option) === input.value);
  return input.value;
}

function write(schema: FieldSchema, input: HTMLInputElement | HTMLSelectElement, value: unknown): void {
  if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true;
  else input.value = String(value);
}
