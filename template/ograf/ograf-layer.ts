// The OGraf layer: one sandboxed frame per instance in program state, over the program canvas, kept in step
// with the state (load, play, update, stop, clear). It reads state and owns its frames, as the scene's views
// do; a graphic that fails is reported through `onFailure` and left unloaded until the state loads it again.
import type { OGrafInstance, ProgramState } from '../../protocol/index.ts';
import { OGrafFrame } from './ograf-frame.ts';

export interface OGrafLayerOptions {
  width: number;
  height: number;
  /** The page's program picture: the layer sits over it, the same size. */
  parent: HTMLElement;
  onFailure(instance: OGrafInstance, message: string): void;
}

export class OGrafLayer {
  readonly element: HTMLDivElement;
  readonly #frames = new Map<string, OGrafFrame>();
  readonly #options: OGrafLayerOptions;

  constructor(options: OGrafLayerOptions) {
    this.#options = options;
    const element = document.createElement('div');
    element.className = 'ograf-layer';
    Object.assign(element.style, {
      position: 'absolute',
      left: '0',
      top: '0',
      width: `${options.width}px`,
      height: `${options.height}px`,
      overflow: 'hidden',
      pointerEvents: 'none',
    });
    options.parent.appendChild(element);
    this.element = element;
  }

  /** Brings the frames to the state's instances; called with every state the page applies. */
  update(state: ProgramState): void {
    const instances = state.ograf?.instances ?? [];
    const live = new Set<string>();
    for (const instance of instances) {
      if (instance.failed !== undefined) continue;
      live.add(instance.id);
      let frame = this.#frames.get(instance.id);
      if (frame !== undefined && frame.loadedAt !== instance.loadedAt) {
        void frame.close();
        frame = undefined;
      }
      if (frame === undefined) {
        frame = new OGrafFrame(instance, {
          container: this.element,
          width: this.#options.width,
          height: this.#options.height,
          onFailure: (message) => this.#options.onFailure(instance, message),
        });
        this.#frames.set(instance.id, frame);
      } else frame.sync(instance);
    }
    for (const [id, frame] of this.#frames)
      if (!live.has(id)) {
        this.#frames.delete(id);
        void frame.close();
      }
    // Later loads draw over earlier ones, and "below" (the scorebug) under "above". By z-index: moving an
    // iframe in the DOM would reload its graphic.
    instances.forEach((instance, index) => {
      const frame = this.#frames.get(instance.id);
      if (frame !== undefined) frame.iframe.style.zIndex = String((instance.layer === 'below' ? 0 : 100) + index);
    });
  }

  close(): void {
    for (const frame of this.#frames.values()) void frame.close();
    this.#frames.clear();
    this.element.remove();
  }
}
