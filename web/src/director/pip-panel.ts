// Picture-in-picture from the director's desk: which source, which corner, on or off, each a
// compare-and-set edit. Free placement by dragging is on the graphics panel.
import type { Corner, ProgramState } from '../../../protocol/index.ts';
import type { BoundField } from '../lib/bound-field.ts';
import type { Desk } from '../lib/desk.ts';
import { h } from '../lib/dom.ts';
import { pipSourceField, PipToggle } from '../lib/pip-controls.ts';

const CORNERS: Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

export class PipPanel {
  readonly element: HTMLElement;
  readonly #source: BoundField;
  readonly #corners: Map<Corner, HTMLButtonElement>;
  readonly #toggle: PipToggle;

  constructor(desk: Desk) {
    this.#source = pipSourceField(desk, 'pip-source');
    this.#corners = new Map(
      CORNERS.map((corner) => [
        corner,
        h(
          'button',
          {
            type: 'button',
            class: 'corner-button',
            'data-corner': corner,
            title: corner,
            onclick: () =>
              void desk.edit({ what: 'PiP corner', command: { type: 'pip.set', corner }, read: (s) => s.pip.corner }),
          },
          cornerGlyph(corner),
        ),
      ]),
    );
    this.#toggle = new PipToggle(desk, 'pip-toggle', 'primary');
    this.element = h(
      'section',
      { class: 'pip-panel panel live-dependent' },
      h('h2', {}, 'Picture in picture'),
      h('div', { class: 'row' }, this.#source.element, this.#toggle.element),
      h('div', { class: 'corner-grid' }, ...this.#corners.values()),
    );
  }

  update(state: ProgramState): void {
    this.#source.update(state);
    this.#toggle.update(state);
    this.#toggle.element.disabled = state.pip.source === null && !state.pip.visible;
    for (const [corner, button] of this.#corners) button.classList.toggle('selected', state.pip.corner === corner);
  }
}

function cornerGlyph(corner: Corner): string {
  return { 'top-left': '◤', 'top-right': '◥', 'bottom-left': '◣', 'bottom-right': '◢' }[corner];
}
