// Lower third, bottom left: a title bar and a subtitle bar that slide and fade in and out. The text
// is Pixi text drawn on the canvas (never HTML), so it lands in the recorded picture.
import { Container, Graphics } from 'pixi.js';
import type { LowerThird } from '../../protocol/index.ts';
import { ACCENT, Label, PANEL_COLOUR, REFERENCE_HEIGHT } from './graphics-style.ts';
import { easeInOutCubic, Tween } from './tween.ts';

export const LOWER_THIRD_MS = 450;
/** Layout in 1080p pixels: clear of the scorebug, the PiP's default corner and the check region. */
const X = 96;
const BOTTOM_MARGIN = 96;
const TITLE_H = 72;
const SUBTITLE_H = 46;
const PAD_X = 28;
const STRIPE_W = 10;
const MIN_W = 560;
const SLIDE = 60;

export class LowerThirdView {
  readonly view = new Container();
  readonly #panels = new Graphics();
  readonly #title: Label;
  readonly #subtitle: Label;
  readonly #shown = new Tween([0], LOWER_THIRD_MS, easeInOutCubic);
  readonly #scale: number;
  readonly #baseX: number;
  #first = true;
  #key = '';

  constructor(height: number) {
    const s = height / REFERENCE_HEIGHT;
    this.#scale = s;
    this.#title = new Label({ size: 42 }, s);
    this.#subtitle = new Label({ size: 27, weight: '600', colour: PANEL_COLOUR }, s);
    this.#title.text.anchor.set(0, 0.5);
    this.#subtitle.text.anchor.set(0, 0.5);
    this.#title.text.position.set((STRIPE_W + PAD_X) * s, (TITLE_H / 2) * s);
    this.#subtitle.text.position.set((STRIPE_W + PAD_X) * s, (TITLE_H + SUBTITLE_H / 2) * s);
    this.#baseX = X * s;
    this.view.position.set(this.#baseX, height - (BOTTOM_MARGIN + TITLE_H + SUBTITLE_H) * s);
    this.view.addChild(this.#panels, this.#title.text, this.#subtitle.text);
  }

  update(lowerThird: LowerThird, now: number): void {
    this.#shown.set([lowerThird.visible ? 1 : 0], now, !this.#first);
    this.#first = false;
    const [shown = 0] = this.#shown.value(now);
    this.view.visible = shown > 0;
    if (!this.view.visible) return;
    this.#title.set(lowerThird.title);
    this.#subtitle.set(lowerThird.subtitle);
    this.#drawPanels(lowerThird);
    this.view.alpha = shown;
    this.view.x = this.#baseX - (1 - shown) * SLIDE * this.#scale;
  }

  #drawPanels(lowerThird: LowerThird): void {
    const key = `${lowerThird.title}\u0000${lowerThird.subtitle}`;
    if (key === this.#key) return;
    this.#key = key;
    const s = this.#scale;
    const titleW = STRIPE_W + PAD_X * 2 + this.#title.text.width / s;
    const subtitleW = STRIPE_W + PAD_X * 2 + this.#subtitle.text.width / s;
    const w = Math.max(MIN_W, titleW);
    // The subtitle bar steps in from the title bar's edge unless its own text needs the room.
    const subW = Math.min(Math.max(w, subtitleW), Math.max(subtitleW, w * 0.82));
    const hasSubtitle = lowerThird.subtitle.length > 0;
    this.#panels.clear();
    this.#panels.rect(0, 0, w * s, TITLE_H * s).fill({ color: PANEL_COLOUR, alpha: 0.94 });
    this.#panels.rect(0, 0, STRIPE_W * s, (TITLE_H + (hasSubtitle ? SUBTITLE_H : 0)) * s).fill(ACCENT);
    if (hasSubtitle)
      this.#panels.rect(STRIPE_W * s, TITLE_H * s, (subW - STRIPE_W) * s, SUBTITLE_H * s).fill('#ffffff');
  }
}
