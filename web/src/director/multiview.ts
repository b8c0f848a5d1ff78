// Every source at once, each with its hotkey number, status and tally, and its own PVW / TAKE buttons.
import { tallies, type ProgramState, type SourceId } from '../../../protocol/index.ts';
import { h } from '../lib/dom.ts';
import { SourceTile } from '../lib/source-tile.ts';
import { HOTKEY_SOURCES } from './hotkeys.ts';

export interface MultiviewActions {
  preview(source: SourceId): void;
  take(source: SourceId): void;
}

export class Multiview {
  readonly element: HTMLElement;
  readonly #tiles = new Map<SourceId, { tile: SourceTile; cell: HTMLElement }>();
  readonly #actions: MultiviewActions;
  #order: SourceId[] = [];

  constructor(actions: MultiviewActions) {
    this.#actions = actions;
    this.element = h('div', { class: 'multiview live-dependent', id: 'multiview' });
  }

  tile(source: SourceId): SourceTile | undefined {
    return this.#tiles.get(source)?.tile;
  }

  update(state: ProgramState, serverNow: number): void {
    const ids = state.sources.map((s) => s.id);
    if (ids.join('\n') !== this.#order.join('\n')) this.#rebuild(state);
    for (const source of state.sources) this.#tiles.get(source.id)?.tile.update(source);
    this.updateTally(state, serverNow);
  }

  updateTally(state: ProgramState, serverNow: number): void {
    const lights = tallies(state, serverNow);
    for (const [id, { tile, cell }] of this.#tiles) {
      const tally = lights.get(id) ?? 'none';
      tile.setTally(tally);
      cell.dataset.tally = tally;
    }
  }

  #rebuild(state: ProgramState): void {
    const kept = new Map(this.#tiles);
    this.#tiles.clear();
    this.#order = state.sources.map((s) => s.id);
    const cells = state.sources.map((source, index) => {
      const existing = kept.get(source.id);
      const number = index < HOTKEY_SOURCES ? index + 1 : null;
      const tile = existing?.tile ?? new SourceTile(source, number);
      const cell = h(
        'div',
        { class: 'multiview-cell', 'data-source': source.id },
        tile.element,
        h(
          'div',
          { class: 'cell-buttons' },
          h(
            'button',
            {
              type: 'button',
              class: 'pvw-button',
              title: number === null ? 'Preview' : `Preview (${number})`,
              onclick: () => this.#actions.preview(source.id),
            },
            'PVW',
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'take-button',
              title: number === null ? 'Take' : `Take (Shift+${number})`,
              onclick: () => this.#actions.take(source.id),
            },
            'TAKE',
          ),
        ),
      );
      this.#tiles.set(source.id, { tile, cell });
      return cell;
    });
    this.element.replaceChildren(...cells);
    if (cells.length === 0)
      this.element.append(
        h('p', { class: 'muted' }, 'This event has no sources yet: cameras appear here as they join.'),
      );
  }
}
