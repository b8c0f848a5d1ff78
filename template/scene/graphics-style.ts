// The house look of the on-air graphics: one palette, one type family, sizes in 1080p pixels scaled to
// the output, so 720p and 1080p show the same design.
import { Text, TextStyle, type TextStyleFontWeight } from 'pixi.js';

export const GRAPHICS_FONT = '"Liberation Sans", "DejaVu Sans", Arial, sans-serif';
export const PANEL_COLOUR = '#0d1b2a';
export const PANEL_TEXT = '#ffffff';
export const SCORE_PANEL = '#f4f5f7';
export const ACCENT = '#f2c230';
export const REFERENCE_HEIGHT = 1080;

export interface TextSpec {
  size: number;
  weight?: TextStyleFontWeight;
  colour?: string;
}

/** A Text whose content changes only when the string does (re-rasterising text costs a canvas draw). */
export class Label {
  readonly text: Text;
  #value = '';

  constructor(spec: TextSpec, scale: number) {
    this.text = new Text({
      text: '',
      style: new TextStyle({
        fontFamily: GRAPHICS_FONT,
        fontSize: Math.round(spec.size * scale),
        fontWeight: spec.weight ?? '700',
        fill: spec.colour ?? PANEL_TEXT,
        letterSpacing: Math.round(scale),
      }),
      resolution: 1,
    });
  }

  set(value: string): void {
    if (value === this.#value) return;
    this.#value = value;
    this.text.text = value;
  }

  set colour(colour: string) {
    if (this.text.style.fill !== colour) this.text.style.fill = colour;
  }
}

/** Dark or light text, whichever reads on a background colour (WCAG relative luminance). */
export function textOn(background: string): string {
  const n = Number.parseInt(background.slice(1), 16);
  const channel = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  return luminance > 0.4 ? PANEL_COLOUR : PANEL_TEXT;
}
