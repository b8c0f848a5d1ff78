// The pictures under the graphics, by layout: single (the program full frame), split (program and
// preview side by side) or quad (the first four sources). Only the program cell shows transitions.
import { Container, type Renderer } from 'pixi.js';
import { pictureSources, type LayoutPreset, type ProgramState } from '../../protocol/index.ts';
import type { FrameSources } from './frame-sources.ts';
import { LayerCompositor } from './layer-compositor.ts';
import { pictureLayers, type PictureLayer } from './picture-layers.ts';
import { PictureView, type CellRect } from './picture-view.ts';

const QUAD_CELLS = 4;

export class VideoLayer {
  readonly view = new Container();
  readonly #cells: PictureView[] = [];
  readonly #compositors: LayerCompositor[] = [];
  readonly #renderer: Renderer | null;
  readonly #width: number;
  readonly #height: number;
  /** The program picture of the last frame: the audio mix follows it. */
  programLayers: PictureLayer[] = [];

  /** @param renderer when given, transitions are composited at the sources' resolution (LayerCompositor) */
  constructor(width: number, height: number, renderer: Renderer | null = null) {
    this.#width = width;
    this.#height = height;
    this.#renderer = renderer;
  }

  update(state: ProgramState, layout: LayoutPreset, serverNow: number, sources: FrameSources): void {
    this.programLayers = pictureLayers(state.program, state.take, serverNow);
    const cells = this.#plan(state, layout);
    cells.forEach(({ layers, rect }, i) => {
      const composited = this.#compositor(i)?.draw(layers, rect, sources) ?? false;
      this.#cell(i).draw(composited ? [] : layers, rect, sources);
    });
    this.#cells.forEach((cell, i) => (cell.view.visible = i < cells.length));
    this.#compositors.forEach((compositor, i) => {
      if (i >= cells.length) compositor.view.visible = false;
    });
  }

  #plan(state: ProgramState, layout: LayoutPreset): { layers: PictureLayer[]; rect: CellRect }[] {
    const w = this.#width;
    const h = this.#height;
    switch (layout) {
      case 'single':
        return [{ layers: this.programLayers, rect: { x: 0, y: 0, w, h } }];
      case 'split':
        return [
          { layers: this.programLayers, rect: { x: 0, y: h / 4, w: w / 2, h: h / 2 } },
          { layers: sourceOnly(state.preview), rect: { x: w / 2, y: h / 4, w: w / 2, h: h / 2 } },
        ];
      case 'quad':
        return pictureSources(state.sources)
          .slice(0, QUAD_CELLS)
          .map((source, i) => ({
            layers: sourceOnly(source.id),
            rect: { x: (i % 2) * (w / 2), y: Math.floor(i / 2) * (h / 2), w: w / 2, h: h / 2 },
          }));
    }
  }

  #compositor(i: number): LayerCompositor | null {
    if (this.#renderer === null) return null;
    let compositor = this.#compositors[i];
    if (compositor === undefined) {
      compositor = new LayerCompositor(this.#renderer);
      this.#compositors.push(compositor);
      this.view.addChild(compositor.view);
    }
    return compositor;
  }

  #cell(i: number): PictureView {
    let cell = this.#cells[i];
    if (cell === undefined) {
      cell = new PictureView();
      this.#cells.push(cell);
      this.view.addChild(cell.view);
    }
    cell.view.visible = true;
    return cell;
  }
}

function sourceOnly(source: string | null): PictureLayer[] {
  return source === null ? [] : [{ kind: 'source', source, alpha: 1, clip: null }];
}
