// Program and preview monitors. Program is the real template page, so the director sees exactly what goes
// out (transitions, PiP, graphics). Preview uses the template's preview mode when it has one; until then it
// shows the preview source itself, and says so.
import { TEMPLATE_QUERY, type ProgramState } from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { SourceTile } from '../lib/source-tile.ts';

/** The template query key that would select its preview mode, if the template declares one. */
const PREVIEW_QUERY_KEY = 'view';

export function templateHasPreviewMode(): boolean {
  return PREVIEW_QUERY_KEY in TEMPLATE_QUERY;
}

export class Monitor {
  readonly element: HTMLElement;
  readonly #caption: HTMLElement;

  constructor(kind: 'program' | 'preview', content: HTMLElement) {
    this.#caption = h('span', { class: 'monitor-source' });
    this.element = h(
      'section',
      { class: `monitor monitor-${kind}`, id: `${kind}-monitor` },
      h('header', { class: 'monitor-header' }, h('span', { class: 'monitor-kind' }, kind === 'program' ? 'PROGRAM' : 'PREVIEW'), this.#caption),
      content,
    );
  }

  caption(text: string): void {
    setText(this.#caption, text);
  }
}

/** Until the template has a preview mode: the preview source as the multiview draws it. */
export class PreviewSourceView {
  readonly element = h('div', { class: 'preview-source' });
  #tile: SourceTile | null = null;

  update(state: ProgramState): void {
    const source = state.sources.find((s) => s.id === state.preview) ?? null;
    if (source === null) {
      this.#tile = null;
      this.element.replaceChildren(h('p', { class: 'muted' }, 'No preview source'));
    } else if (this.#tile === null || this.#tile.source.id !== source.id) {
      this.#tile = new SourceTile(source, null);
      this.element.replaceChildren(this.#tile.element, h('span', { class: 'preview-note' }, 'source only: the template has no preview mode yet'));
    } else {
      this.#tile.update(source);
    }
  }
}
