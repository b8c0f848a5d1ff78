// Picture-in-picture: the PiP source in its rect with a border. Showing, hiding, moving and resizing
// glide rather than jump.
import { Container, Graphics } from 'pixi.js';
import type { Pip } from '../../protocol/index.ts';
import type { FrameSources } from './frame-sources.ts';
import { PictureView } from './picture-view.ts';
import { Tween } from './tween.ts';

export const PIP_MOVE_MS = 400;
export const PIP_FADE_MS = 300;
/** Border widths in the state are pixels at 1080p. */
const REFERENCE_HEIGHT = 1080;

export class PipView {
  readonly view = new Container();
  readonly #border = new Graphics();
  readonly #picture = new PictureView();
  readonly #rect: Tween;
  readonly #shown = new Tween([0], PIP_FADE_MS);
  readonly #width: number;
  readonly #height: number;
  #first = true;
  #borderKey = '';

  constructor(width: number, height: number) {
    this.#width = width;
    this.#height = height;
    this.#rect = new Tween([0, 0, 0.28, 0.28], PIP_MOVE_MS);
    this.view.addChild(this.#border, this.#picture.view);
  }

  update(pip: Pip, now: number, sources: FrameSources): void {
    const visible = pip.visible && pip.source !== null;
    this.#rect.set([pip.rect.x, pip.rect.y, pip.rect.w, pip.rect.h], now, !this.#first);
    this.#shown.set([visible ? 1 : 0], now, !this.#first);
    this.#first = false;
    const [shown = 0] = this.#shown.value(now);
    this.view.visible = shown > 0 && pip.source !== null;
    if (!this.view.visible || pip.source === null) return;
    const [x = 0, y = 0, w = 0, h = 0] = this.#rect.value(now);
    // Grow from 90 % about the centre while fading in: reads as an arrival, not a flash.
    const scale = 0.9 + 0.1 * shown;
    const cell = {
      x: (x + (w * (1 - scale)) / 2) * this.#width,
      y: (y + (h * (1 - scale)) / 2) * this.#height,
      w: w * scale * this.#width,
      h: h * scale * this.#height,
    };
    this.view.alpha = shown;
    this.#picture.draw([{ kind: 'source', source: pip.source, alpha: 1, clip: null }], cell, sources);
    const border = Math.round((pip.border.width * this.#height) / REFERENCE_HEIGHT);
    const key = `${cell.x},${cell.y},${cell.w},${cell.h},${border},${pip.border.colour}`;
    if (key !== this.#borderKey) {
      this.#borderKey = key;
      this.#border.clear();
      if (border > 0)
        this.#border
          .rect(cell.x - border, cell.y - border, cell.w + 2 * border, cell.h + 2 * border)
          .fill(pip.border.colour);
    }
  }
}
