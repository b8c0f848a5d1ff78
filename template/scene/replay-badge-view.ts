// The "REPLAY" graphic, top right, while a replay is on program: viewers must never take a replay for live.
import { Container, Graphics } from 'pixi.js';
import { REPLAY_SOURCE_ID, type ProgramState } from '../../protocol/index.ts';
import { ACCENT, Label, PANEL_COLOUR, REFERENCE_HEIGHT } from './graphics-style.ts';
import { Tween } from './tween.ts';

export const REPLAY_BADGE_MS = 250;
/** Layout in 1080p pixels: top right, clear of the scorebug (top left) and the check region. */
const MARGIN_X = 72;
const MARGIN_Y = 54;
const H = 64;
const PAD_X = 26;
const STRIPE_W = 10;

export class ReplayBadgeView {
  readonly view = new Container();
  readonly #panel = new Graphics();
  readonly #label: Label;
  readonly #shown = new Tween([0], REPLAY_BADGE_MS);
  #first = true;

  constructor(width: number, height: number) {
    const s = height / REFERENCE_HEIGHT;
    this.#label = new Label({ size: 40 }, s);
    this.#label.set('REPLAY');
    this.#label.text.anchor.set(0, 0.5);
    this.#label.text.position.set((STRIPE_W + PAD_X) * s, (H / 2) * s);
    const w = this.#label.text.width + (STRIPE_W + 2 * PAD_X) * s;
    this.#panel
      .rect(0, 0, w, H * s)
      .fill(PANEL_COLOUR)
      .rect(0, 0, STRIPE_W * s, H * s)
      .fill(ACCENT);
    this.view.position.set(width - MARGIN_X * s - w, MARGIN_Y * s);
    this.view.addChild(this.#panel, this.#label.text);
    this.view.visible = false;
  }

  /** @param state the state as drawn (a finished replay already settled) */
  update(state: ProgramState, now: number): void {
    this.#shown.set([state.program === REPLAY_SOURCE_ID ? 1 : 0], now, !this.#first);
    this.#first = false;
    const [shown = 0] = this.#shown.value(now);
    this.view.visible = shown > 0;
    this.view.alpha = shown;
  }
}
