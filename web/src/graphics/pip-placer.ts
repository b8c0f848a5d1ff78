// PiP placement by dragging a rectangle over a small program monitor (the real template): drag to move,
// drag the corner handle to resize. The rect is sent once, on release, as a compare-and-set edit.
import { RectSchema, type ProgramState, type Rect } from '../../../protocol/index.ts';
import type { BoundField } from '../lib/bound-field.ts';
import { h } from '../lib/dom.ts';
import { pipSourceField, PipToggle } from '../lib/pip-controls.ts';
import type { PageParams } from '../lib/page-params.ts';
import { templateFrame } from '../lib/template-frame.ts';
import type { Desk } from '../lib/desk.ts';

const MIN_SIZE = RectSchema.properties.w.minimum ?? 0.05;

type Drag = { mode: 'move' | 'resize'; startX: number; startY: number; start: Rect; base: ProgramState };

export class PipPlacer {
  readonly element: HTMLElement;
  readonly #stage: HTMLElement;
  readonly #rect: HTMLElement;
  readonly #source: BoundField;
  readonly #toggle: PipToggle;
  readonly #desk: Desk;
  #drag: Drag | null = null;
  #shown: Rect = { x: 0, y: 0, w: 0.28, h: 0.28 };

  constructor(desk: Desk, params: PageParams) {
    this.#desk = desk;
    const handle = h('span', { class: 'pip-handle', title: 'Drag to resize' });
    this.#rect = h(
      'div',
      { class: 'pip-rect', id: 'pip-rect', title: 'Drag to move' },
      h('span', { class: 'pip-rect-label' }, 'PiP'),
      handle,
    );
    this.#stage = h(
      'div',
      { class: 'pip-stage' },
      templateFrame(params, {}, 'Program (PiP placement)'),
      h('div', { class: 'pip-overlay' }, this.#rect),
    );
    this.#source = pipSourceField(desk, 'graphics-pip-source');
    this.#toggle = new PipToggle(desk, 'graphics-pip-toggle', 'air-toggle');
    this.element = h(
      'section',
      { class: 'pip-placer panel live-dependent' },
      h('h2', {}, 'PiP placement'),
      this.#stage,
      h(
        'div',
        { class: 'row' },
        this.#source.element,
        this.#toggle.element,
        h('span', { class: 'muted' }, 'Drag the box to move it, its corner to resize.'),
      ),
    );
    this.#rect.addEventListener('pointerdown', (event) =>
      this.#begin(event, event.target === handle ? 'resize' : 'move'),
    );
    this.#rect.addEventListener('pointermove', (event) => this.#move(event));
    this.#rect.addEventListener('pointerup', () => void this.#end());
    this.#rect.addEventListener('pointercancel', () => void this.#end());
  }

  update(state: ProgramState): void {
    this.#source.update(state);
    this.#toggle.update(state);
    this.#rect.classList.toggle('visible', state.pip.visible);
    if (this.#drag === null) this.#place(state.pip.rect);
  }

  #begin(event: PointerEvent, mode: Drag['mode']): void {
    const base = this.#desk.state;
    if (base === null) return;
    event.preventDefault();
    this.#rect.setPointerCapture(event.pointerId);
    this.#drag = { mode, startX: event.clientX, startY: event.clientY, start: { ...this.#shown }, base };
  }

  #move(event: PointerEvent): void {
    const drag = this.#drag;
    if (drag === null) return;
    const box = this.#stage.getBoundingClientRect();
    const dx = (event.clientX - drag.startX) / box.width;
    const dy = (event.clientY - drag.startY) / box.height;
    const s = drag.start;
    const next =
      drag.mode === 'move'
        ? { ...s, x: clamp(s.x + dx, 0, 1 - s.w), y: clamp(s.y + dy, 0, 1 - s.h) }
        : { ...s, w: clamp(s.w + dx, MIN_SIZE, 1 - s.x), h: clamp(s.h + dy, MIN_SIZE, 1 - s.y) };
    this.#place(next);
  }

  async #end(): Promise<void> {
    const drag = this.#drag;
    if (drag === null) return;
    this.#drag = null;
    const rect = roundRect(this.#shown);
    if (JSON.stringify(rect) === JSON.stringify(roundRect(drag.start))) return;
    const result = await this.#desk.edit({
      what: 'PiP position',
      command: { type: 'pip.set', rect },
      read: (s) => s.pip.rect,
      base: drag.base,
    });
    const state = this.#desk.state;
    if (result !== null && !result.ok && state !== null) this.#place(state.pip.rect);
  }

  #place(rect: Rect): void {
    this.#shown = rect;
    Object.assign(this.#rect.style, {
      left: `${rect.x * 100}%`,
      top: `${rect.y * 100}%`,
      width: `${rect.w * 100}%`,
      height: `${rect.h * 100}%`,
    });
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Four decimals are well under a pixel at 4K, and keep the state readable. */
function roundRect(rect: Rect): Rect {
  const r = (v: number) => Math.round(v * 10_000) / 10_000;
  return { x: r(rect.x), y: r(rect.y), w: r(rect.w), h: r(rect.h) };
}
