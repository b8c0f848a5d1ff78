// The sponsor bug, top right: the sponsor the rotation has on air at this frame's server time
// (sponsorOnAir), so every renderer shows the same one on the same frame and the exposure report counts
// what was drawn. It shares the corner with the REPLAY badge, which is safe: no sponsor shows during a
// replay. It cuts rather than fades, so a frame is one sponsor's or none, as the report counts it.
import { Container, Graphics, Sprite } from 'pixi.js';
import { sponsorOnAir, type ProgramState, type Sponsor } from '../../protocol/index.ts';
import { PANEL_COLOUR, REFERENCE_HEIGHT } from './graphics-style.ts';
import type { LogoTextures } from './logo-textures.ts';

/** Layout in 1080p pixels: the artwork is fitted into BOX_W × BOX_H inside a PAD-wide panel. */
const MARGIN_X = 72;
const MARGIN_Y = 54;
const BOX_W = 240;
const BOX_H = 96;
const PAD = 8;

export class SponsorView {
  readonly view = new Container();
  readonly #panel = new Graphics();
  readonly #art = new Sprite();
  readonly #images: LogoTextures;
  readonly #scale: number;

  constructor(width: number, height: number, images: LogoTextures) {
    const s = height / REFERENCE_HEIGHT;
    this.#scale = s;
    this.#images = images;
    this.#panel.rect(0, 0, (BOX_W + 2 * PAD) * s, (BOX_H + 2 * PAD) * s).fill(PANEL_COLOUR);
    this.#art.anchor.set(0.5);
    this.#art.position.set((PAD + BOX_W / 2) * s, (PAD + BOX_H / 2) * s);
    this.view.position.set(width - (MARGIN_X + BOX_W + 2 * PAD) * s, MARGIN_Y * s);
    this.view.addChild(this.#panel, this.#art);
    this.view.visible = false;
  }

  update(state: ProgramState, serverNow: number): void {
    const sponsor = sponsorOnAir(state, serverNow);
    this.view.visible = sponsor !== null && this.#draw(sponsor);
  }

  /** Places the sponsor's artwork; false while it has not loaded (nothing half-drawn goes to air). */
  #draw(sponsor: Sponsor): boolean {
    switch (sponsor.kind) {
      case 'image': {
        const texture = this.#images.get(sponsor.image);
        if (texture === null) return false;
        const s = this.#scale;
        this.#art.texture = texture;
        this.#art.scale.set(Math.min((BOX_W * s) / texture.width, (BOX_H * s) / texture.height));
        return true;
      }
    }
  }
}
