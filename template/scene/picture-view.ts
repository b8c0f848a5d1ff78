// Draws a list of picture layers into a cell of the frame with pooled sprites. A wipe's clip becomes
// the sprite's texture frame rather than a mask: the same cost in every renderer, and exact edges.
import { Container, Graphics, Rectangle, Sprite, Texture } from 'pixi.js';
import type { Clip, PictureLayer } from './picture-layers.ts';
import type { FrameSources } from './frame-sources.ts';

export interface CellRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface SpriteSlot {
  sprite: Sprite;
  /** This frame's texture over part of the source, for a clipped layer. */
  clipped: Texture | null;
}

interface ColourSlot {
  graphics: Graphics;
  colour: string;
}

export class PictureView {
  readonly view = new Container();
  readonly #sprites: SpriteSlot[] = [];
  readonly #colours: ColourSlot[] = [];

  draw(layers: readonly PictureLayer[], cell: CellRect, sources: FrameSources): void {
    let sprites = 0;
    let colours = 0;
    let order = 0;
    for (const layer of layers) {
      const texture = layer.kind === 'source' ? sources.texture(layer.source) : null;
      if (layer.kind === 'source' && texture !== null) {
        const slot = this.#sprite(sprites++);
        placeSprite(slot, texture, layer.clip, cell);
        slot.sprite.alpha = layer.alpha;
        this.view.setChildIndex(slot.sprite, order++);
      } else {
        // A source without a picture yet shows black, as a camera that has not connected would.
        const slot = this.#colour(colours++, layer.kind === 'colour' ? layer.colour : '#000000');
        const clip = layer.kind === 'source' ? layer.clip : null;
        slot.graphics.position.set(cell.x + (clip?.x0 ?? 0) * cell.w, cell.y + (clip?.y0 ?? 0) * cell.h);
        slot.graphics.scale.set(clipWidth(clip) * cell.w, clipHeight(clip) * cell.h);
        slot.graphics.alpha = layer.alpha;
        this.view.setChildIndex(slot.graphics, order++);
      }
    }
    this.#sprites.forEach((slot, i) => (slot.sprite.visible = i < sprites));
    this.#colours.forEach((slot, i) => (slot.graphics.visible = i < colours));
  }

  #sprite(i: number): SpriteSlot {
    let slot = this.#sprites[i];
    if (slot === undefined) {
      slot = { sprite: new Sprite(), clipped: null };
      this.#sprites.push(slot);
      this.view.addChild(slot.sprite);
    }
    slot.sprite.visible = true;
    return slot;
  }

  #colour(i: number, colour: string): ColourSlot {
    let slot = this.#colours[i];
    if (slot === undefined) {
      slot = { graphics: new Graphics(), colour: '' };
      this.#colours.push(slot);
      this.view.addChild(slot.graphics);
    }
    if (slot.colour !== colour) {
      slot.graphics.clear().rect(0, 0, 1, 1).fill(colour);
      slot.colour = colour;
    }
    slot.graphics.visible = true;
    return slot;
  }
}

function clipWidth(clip: Clip | null): number {
  return clip === null ? 1 : clip.x1 - clip.x0;
}

function clipHeight(clip: Clip | null): number {
  return clip === null ? 1 : clip.y1 - clip.y0;
}

function placeSprite(slot: SpriteSlot, texture: Texture, clip: Clip | null, cell: CellRect): void {
  const { sprite } = slot;
  if (clip === null) {
    sprite.texture = texture;
  } else {
    // A fresh texture per frame: Pixi caches a texture's frame in the sprite, so a mutated frame can
    // draw stale. These are plain objects over the same source, no upload.
    const { width, height } = texture.source;
    const frame = new Rectangle(
      clip.x0 * width,
      clip.y0 * height,
      Math.max(1, clipWidth(clip) * width),
      Math.max(1, clipHeight(clip) * height),
    );
    const previous = slot.clipped;
    slot.clipped = new Texture({ source: texture.source, frame });
    sprite.texture = slot.clipped;
    previous?.destroy(false);
  }
  sprite.position.set(cell.x + (clip?.x0 ?? 0) * cell.w, cell.y + (clip?.y0 ?? 0) * cell.h);
  sprite.width = clipWidth(clip) * cell.w;
  sprite.height = clipHeight(clip) * cell.h;
}
