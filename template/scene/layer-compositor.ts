// Draws a transition's layers at the sources' own resolution, then the result once at the cell's size.
// Without a GPU every full-frame draw is a software blend: a mix of two 720p cameras in a 1080p program
// was three full-frame draws (two upscaled + blended) and is now two 720p draws plus one upscale —
// measured in bench/template (see README). A single layer needs no composite and is drawn directly.
import { Container, RenderTexture, Sprite, type Renderer } from 'pixi.js';
import type { FrameSources } from './frame-sources.ts';
import type { PictureLayer } from './picture-layers.ts';
import { PictureView, type CellRect } from './picture-view.ts';

export class LayerCompositor {
  readonly view = new Sprite();
  readonly #renderer: Renderer;
  /** Rendered into the target, never part of the program's scene graph. */
  readonly #stage = new Container();
  readonly #picture = new PictureView();
  #target: RenderTexture | null = null;

  constructor(renderer: Renderer) {
    this.#renderer = renderer;
    this.#stage.addChild(this.#picture.view);
  }

  /** True when it drew the layers (into `view`); false when compositing would not save anything. */
  draw(layers: readonly PictureLayer[], cell: CellRect, sources: FrameSources): boolean {
    const size = compositeSize(layers, cell, sources);
    if (layers.length < 2 || size === null) {
      this.view.visible = false;
      return false;
    }
    const target = this.#targetOf(size.w, size.h);
    this.#picture.draw(layers, { x: 0, y: 0, w: size.w, h: size.h }, sources);
    this.#renderer.render({ container: this.#stage, target, clear: true });
    this.view.texture = target;
    this.view.position.set(cell.x, cell.y);
    this.view.width = cell.w;
    this.view.height = cell.h;
    this.view.visible = true;
    return true;
  }

  #targetOf(w: number, h: number): RenderTexture {
    if (this.#target === null) {
      this.#target = RenderTexture.create({ width: w, height: h });
    } else if (this.#target.width !== w || this.#target.height !== h) {
      this.#target.resize(w, h);
    }
    return this.#target;
  }
}

/** The largest source picture among the layers, if it is smaller than the cell (else no saving). */
function compositeSize(
  layers: readonly PictureLayer[],
  cell: CellRect,
  sources: FrameSources,
): { w: number; h: number } | null {
  let w = 0;
  let h = 0;
  for (const layer of layers) {
    if (layer.kind !== 'source') continue;
    const texture = sources.texture(layer.source);
    if (texture === null) continue;
    w = Math.max(w, texture.source.width);
    h = Math.max(h, texture.source.height);
  }
  if (w === 0 || w * h >= cell.w * cell.h) return null;
  return { w: Math.round(w), h: Math.round(h) };
}
