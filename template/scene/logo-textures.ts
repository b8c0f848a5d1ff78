// Team logos as textures, loaded once per id from the controller (logoPath) and kept for the page's
// life: the scorebug asks every frame and draws a logo from the first frame after it has decoded, never
// waiting on the network. A logo that fails to load is simply not drawn (the team colour still is).
import { Assets, type Texture } from 'pixi.js';
import { logoPath, type LogoId } from '../../protocol/index.ts';

export class LogoTextures {
  /** null while loading, or when the image could not be loaded. */
  readonly #textures = new Map<LogoId, Texture | null>();

  /** The logo's texture once it has loaded; null before (the first call starts the load). */
  get(id: LogoId): Texture | null {
    const known = this.#textures.get(id);
    if (known !== undefined) return known;
    this.#textures.set(id, null);
    Assets.load<Texture>(logoPath(id)).then(
      (texture) => this.#textures.set(id, texture),
      (error: unknown) => console.warn(`logo ${id} could not be loaded`, error),
    );
    return null;
  }
}
