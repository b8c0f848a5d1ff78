// Picture-in-picture from the director's desk: which source, which corner, on or off. Free placement by
// dragging is on the graphics panel.
import type { Command, Corner, ProgramState } from '../../../protocol/index.ts';
import { h } from '../lib/dom.ts';

const CORNERS: Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

export class PipPanel {
  readonly element: HTMLElement;
  readonly #source: HTMLSelectElement;
  readonly #corners: Map<Corner, HTMLButtonElement>;
  readonly #toggle: HTMLButtonElement;
  #visible = false;

  constructor(send: (command: Command, what: string) => void) {
    this.#source = h('select', { id: 'pip-source', 'aria-label': 'PiP source' });
    this.#source.addEventListener('change', () =>
      send({ type: 'pip.set', source: this.#source.value === '' ? null : this.#source.value }, 'PiP source'),
    );
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
            onclick: () => send({ type: 'pip.set', corner }, 'PiP corner'),
          },
          cornerGlyph(corner),
        ),
      ]),
    );
    this.#toggle = h(
      'button',
      {
        type: 'button',
        id: 'pip-toggle',
        class: 'primary',
        onclick: () => send({ type: this.#visible ? 'pip.hide' : 'pip.show' }, 'PiP'),
      },
      'Show PiP',
    );
    this.element = h(
      'section',
      { class: 'pip-panel panel live-dependent' },
      h('h2', {}, 'Picture in picture'),
      h('div', { class: 'row' }, this.#source, this.#toggle),
      h('div', { class: 'corner-grid' }, ...this.#corners.values()),
    );
  }

  update(state: ProgramState): void {
    const options = [
      h('option', { value: '' }, '— none —'),
      ...state.sources.map((s) => h('option', { value: s.id }, s.label)),
    ];
    const wanted = ['', ...state.sources.map((s) => `${s.id}:${s.label}`)].join('|');
    if (this.#source.dataset.options !== wanted) {
      this.#source.replaceChildren(...options);
      this.#source.dataset.options = wanted;
    }
    if (document.activeElement !== this.#source) this.#source.value = state.pip.source ?? '';
    this.#visible = state.pip.visible;
    this.#toggle.textContent = state.pip.visible ? 'Hide PiP' : 'Show PiP';
    this.#toggle.classList.toggle('on-air', state.pip.visible);
    this.#toggle.disabled = state.pip.source === null && !state.pip.visible;
    for (const [corner, button] of this.#corners) button.classList.toggle('selected', state.pip.corner === corner);
  }
}

function cornerGlyph(corner: Corner): string {
  return { 'top-left': '◤', 'top-right': '◥', 'bottom-left': '◣', 'bottom-right': '◢' }[corner];
}
