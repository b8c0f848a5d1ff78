// The PiP controls both desks have (the director's PiP panel, the graphics desk's placement): the source
// picker and the show/hide toggle, each a compare-and-set edit.
import { pictureSources, type ProgramState } from '../../../protocol/index.ts';
import { BoundField } from './bound-field.ts';
import type { Desk } from './desk.ts';
import { h } from './dom.ts';

export function pipSourceField(desk: Desk, id: string): BoundField {
  return new BoundField(desk, {
    id,
    label: 'PiP source',
    what: 'PiP source',
    type: 'select',
    class: 'pip-source-field',
    choices: (state) => [
      { value: '', label: '— none —' },
      ...pictureSources(state.sources).map((source) => ({ value: source.id, label: source.label })),
    ],
    read: (state) => state.pip.source ?? '',
    command: (value) => ({ type: 'pip.set', source: value === '' ? null : value }),
  });
}

export class PipToggle {
  readonly element: HTMLButtonElement;

  constructor(desk: Desk, id: string, className: string) {
    this.element = h('button', { type: 'button', id, class: className }, 'Show PiP');
    this.element.addEventListener('click', () => {
      const visible = desk.state?.pip.visible ?? false;
      void desk.edit({ what: 'PiP', command: { type: visible ? 'pip.hide' : 'pip.show' }, read: (s) => s.pip.visible });
    });
  }

  update(state: ProgramState): void {
    this.element.textContent = state.pip.visible ? 'Hide PiP' : 'Show PiP';
    this.element.classList.toggle('on-air', state.pip.visible);
  }
}
