// Every source at once, each with its hotkey number, status and tally, and its own PVW / TAKE buttons.
import {
  pictureSources,
  tallies,
  type ProgramState,
  type Source,
  type SourceId,
  type Tally,
} from '../../../protocol/index.ts';
import { h, setAttr } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { SourceTile } from '../lib/source-tile.ts';
import { HOTKEY_SOURCES } from './hotkeys.ts';

export interface MultiviewActions {
  preview(source: SourceId): void;
  take(source: SourceId): void;
}

export class Multiview {
  readonly element: HTMLElement;
  readonly #cells: KeyedList<Source, MultiviewCell>;

  constructor(actions: MultiviewActions) {
    this.element = h('div', { class: 'multiview live-dependent', id: 'multiview' });
    this.#cells = new KeyedList(this.element, {
      key: (source) => source.id,
      create: (source) => new MultiviewCell(source, actions),
      empty: h('p', { class: 'muted' }, 'This event has no sources yet: cameras appear here as they join.'),
    });
  }

  tile(source: SourceId): SourceTile | undefined {
    return this.#cell(source)?.tile;
  }

  /** The place under a source's buttons for its camera's lens controls (lens-controls.ts). */
  lensSlot(source: SourceId): HTMLElement | undefined {
    return this.#cell(source)?.lensSlot;
  }

  /** A source's whole cell (a camera's call badge goes on it: crew-calls.ts). */
  cellElement(source: SourceId): HTMLElement | undefined {
    return this.#cell(source)?.element;
  }

  update(state: ProgramState, serverNow: number): void {
    // Sound-only sources (commentary seats) have no picture to tile: the mixer shows them.
    this.#cells.update(pictureSources(state.sources));
    this.updateTally(state, serverNow);
  }

  updateTally(state: ProgramState, serverNow: number): void {
    const lights = tallies(state, serverNow);
    for (const source of state.sources) this.#cell(source.id)?.setTally(lights.get(source.id) ?? 'none');
  }

  #cell(source: SourceId): MultiviewCell | undefined {
    return this.#cells.view(source);
  }
}

class MultiviewCell implements KeyedView<Source> {
  readonly element: HTMLElement;
  readonly tile: SourceTile;
  readonly lensSlot = h('div', { class: 'cell-lens' });
  readonly #preview: HTMLButtonElement;
  readonly #take: HTMLButtonElement;

  constructor(source: Source, actions: MultiviewActions) {
    this.tile = new SourceTile(source);
    this.#preview = h(
      'button',
      { type: 'button', class: 'pvw-button', onclick: () => actions.preview(source.id) },
      'PVW',
    );
    this.#take = h('button', { type: 'button', class: 'take-button', onclick: () => actions.take(source.id) }, 'TAKE');
    this.element = h(
      'div',
      { class: 'multiview-cell', 'data-source': source.id },
      this.tile.element,
      h('div', { class: 'cell-buttons' }, this.#preview, this.#take),
      this.lensSlot,
    );
  }

  update(source: Source, index: number): void {
    const number = index < HOTKEY_SOURCES ? index + 1 : null;
    this.tile.update(source);
    this.tile.setNumber(number);
    setAttr(this.#preview, 'title', number === null ? 'Preview' : `Preview (${number})`);
    setAttr(this.#take, 'title', number === null ? 'Take' : `Take (Shift+${number})`);
  }

  setTally(tally: Tally): void {
    this.tile.setTally(tally);
    this.element.dataset.tally = tally;
  }
}
