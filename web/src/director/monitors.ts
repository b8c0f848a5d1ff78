// Program and preview monitors, both the real template page: program is exactly what goes out
// (transitions, PiP, graphics); preview is the template's preview view, the picture the next take gives.
import { TEMPLATE_QUERY, type TemplateView } from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';

/** The template query that selects its preview view. */
export const PREVIEW_VIEW_QUERY: Record<string, TemplateView> = { [TEMPLATE_QUERY.view]: 'preview' };

export class Monitor {
  readonly element: HTMLElement;
  readonly #caption: HTMLElement;

  constructor(kind: 'program' | 'preview', content: HTMLElement) {
    this.#caption = h('span', { class: 'monitor-source' });
    this.element = h(
      'section',
      { class: `monitor monitor-${kind}`, id: `${kind}-monitor` },
      h(
        'header',
        { class: 'monitor-header' },
        h('span', { class: 'monitor-kind' }, kind === 'program' ? 'PROGRAM' : 'PREVIEW'),
        this.#caption,
      ),
      content,
    );
  }

  caption(text: string): void {
    setText(this.#caption, text);
  }
}
