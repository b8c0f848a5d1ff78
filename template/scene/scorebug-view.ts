// The scorebug, top left: each team's colour, logo (when it has one) and short name, its score on a light
// panel (a change pops and flashes in the team colour), then the running clock and the period.
import { Container, Graphics, Sprite, type Texture } from 'pixi.js';
import { clockValueMs, formatClock, type ProgramState, type Team, type TeamSide } from '../../protocol/index.ts';
import { ACCENT, Label, PANEL_COLOUR, REFERENCE_HEIGHT, SCORE_PANEL, textOn } from './graphics-style.ts';
import type { LogoTextures } from './logo-textures.ts';
import { Tween } from './tween.ts';

export const SCOREBUG_FADE_MS = 350;
export const SCORE_FLASH_MS = 900;
/** Layout in 1080p pixels. */
const X = 48;
const Y = 40;
const HEIGHT = 56;
const TEAM_W = 104;
const SCORE_W = 66;
const CLOCK_W = 150;
const PERIOD_W = 76;
const STRIPE_W = 8;
/**
 * A logo gets its own slot between the stripe and the short name, fitted into a square inside it: the
 * team panel grows by the slot, so the short name keeps its full room and size beside a logo.
 */
const LOGO_BOX = 44;
const LOGO_SLOT_W = LOGO_BOX + 8;

class TeamBlock {
  readonly view = new Container();
  readonly #panel = new Graphics();
  readonly #flash = new Graphics();
  readonly #name: Label;
  readonly #score: Label;
  readonly #logo = new Sprite();
  readonly #logos: LogoTextures;
  readonly #scale: number;
  #shownScore = -1;
  #changedAt = Number.NEGATIVE_INFINITY;
  /** The colour and logo slot the block was last laid out for. */
  #layout: string | null = null;
  #texture: Texture | null = null;

  constructor(scale: number, logos: LogoTextures) {
    this.#scale = scale;
    this.#logos = logos;
    this.#logo.anchor.set(0.5);
    this.#logo.position.set((STRIPE_W + LOGO_SLOT_W / 2) * scale, (HEIGHT / 2) * scale);
    this.#name = new Label({ size: 28 }, scale);
    this.#score = new Label({ size: 34, colour: PANEL_COLOUR }, scale);
    this.#score.text.anchor.set(0.5);
    this.#name.text.anchor.set(0.5);
    this.view.addChild(this.#panel, this.#flash, this.#logo, this.#name.text, this.#score.text);
  }

  /** The block's width in 1080p pixels: wider by the logo slot while the team has a logo on screen. */
  get width(): number {
    return TEAM_W + this.#logoW() + SCORE_W;
  }

  /** Reads the team's logo before the row is laid out: its slot is there once the texture has loaded. */
  prepare(team: Team): void {
    this.#texture = team.logo == null ? null : this.#logos.get(team.logo);
  }

  update(team: Team, now: number, animate: boolean): void {
    this.#layoutPanel(team.colour);
    this.#name.set(team.short.toUpperCase());
    if (team.score !== this.#shownScore) {
      if (animate && this.#shownScore >= 0) this.#changedAt = now;
      this.#shownScore = team.score;
      this.#score.set(String(team.score));
    }
    const t = Math.min(1, (now - this.#changedAt) / SCORE_FLASH_MS);
    this.#flash.visible = t < 1;
    this.#flash.alpha = 1 - t;
    this.#score.text.scale.set(1 + 0.45 * Math.max(0, 1 - t * 2.5));
    this.#score.colour = t < 0.35 ? textOn(team.colour) : PANEL_COLOUR;
  }

  #logoW(): number {
    return this.#texture === null ? 0 : LOGO_SLOT_W;
  }

  /** Drawn again only when the colour or the logo changes. */
  #layoutPanel(colour: string): void {
    const texture = this.#texture;
    const key = `${colour}|${texture === null ? '' : texture.uid}`;
    if (key === this.#layout) return;
    this.#layout = key;
    const s = this.#scale;
    const teamW = TEAM_W + this.#logoW();
    this.#panel
      .clear()
      .rect(0, 0, STRIPE_W * s, HEIGHT * s)
      .fill('#ffffff')
      .rect(STRIPE_W * s, 0, (teamW - STRIPE_W) * s, HEIGHT * s)
      .fill(colour)
      .rect(teamW * s, 0, SCORE_W * s, HEIGHT * s)
      .fill(SCORE_PANEL);
    this.#flash
      .clear()
      .rect(teamW * s, 0, SCORE_W * s, HEIGHT * s)
      .fill('#ffffff');
    this.#flash.tint = colour;
    this.#name.colour = textOn(colour);
    this.#name.text.position.set((this.#logoW() + (TEAM_W + STRIPE_W) / 2) * s, (HEIGHT / 2) * s);
    this.#score.text.position.set((teamW + SCORE_W / 2) * s, (HEIGHT / 2) * s);
    this.#logo.visible = texture !== null;
    if (texture === null) return;
    this.#logo.texture = texture;
    // Fitted into the box whatever the image's shape, never stretched.
    this.#logo.scale.set((LOGO_BOX * s) / Math.max(texture.width, texture.height, 1));
  }
}

export class ScorebugView {
  readonly view = new Container();
  readonly #teams: Record<TeamSide, TeamBlock>;
  readonly #clockPanel = new Graphics();
  readonly #shadow = new Graphics();
  readonly #clock: Label;
  readonly #period: Label;
  readonly #shown = new Tween([0], SCOREBUG_FADE_MS);
  readonly #scale: number;
  #first = true;
  /** The clock's visibility and the teams' widths the clock and period were last laid out for. */
  #layout = '';
  /** What the last frame showed, for checks that compare it with the state. */
  clockMs = 0;
  clockText = '';

  constructor(height: number, logos: LogoTextures) {
    const s = height / REFERENCE_HEIGHT;
    this.#scale = s;
    this.#teams = { home: new TeamBlock(s, logos), away: new TeamBlock(s, logos) };
    this.#clock = new Label({ size: 31 }, s);
    this.#period = new Label({ size: 24, colour: PANEL_COLOUR }, s);
    this.#clock.text.anchor.set(0.5);
    this.#period.text.anchor.set(0.5);
    this.view.position.set(X * s, Y * s);
    this.view.addChild(
      this.#shadow,
      this.#teams.home.view,
      this.#teams.away.view,
      this.#clockPanel,
      this.#clock.text,
      this.#period.text,
    );
  }

  update(state: ProgramState, serverNow: number, now: number): void {
    const { scorebug, clock } = state;
    this.#shown.set([scorebug.visible ? 1 : 0], now, !this.#first);
    const animate = !this.#first;
    this.#first = false;
    this.clockMs = clockValueMs(clock, serverNow);
    this.clockText = formatClock(this.clockMs, clock.direction);
    const [shown = 0] = this.#shown.value(now);
    this.view.visible = shown > 0;
    if (!this.view.visible) return;
    this.view.alpha = shown;
    const { home, away } = this.#teams;
    home.prepare(scorebug.home);
    away.prepare(scorebug.away);
    this.#layoutRow(clock.visible);
    home.update(scorebug.home, now, animate);
    away.update(scorebug.away, now, animate);
    this.#clock.set(this.clockText);
    this.#period.set(scorebug.period.toUpperCase());
  }

  /** The away block, clock and period follow the teams' widths (a logo's slot) and the clock's visibility. */
  #layoutRow(clockVisible: boolean): void {
    const { home, away } = this.#teams;
    const key = `${clockVisible}|${home.width}|${away.width}`;
    if (key === this.#layout) return;
    this.#layout = key;
    const s = this.#scale;
    away.view.position.x = home.width * s;
    const clockX = home.width + away.width;
    const periodX = clockX + (clockVisible ? CLOCK_W : 0);
    this.#clock.text.visible = clockVisible;
    this.#clock.text.position.set((clockX + CLOCK_W / 2) * s, (HEIGHT / 2) * s);
    this.#clockPanel.clear();
    if (clockVisible) this.#clockPanel.rect(clockX * s, 0, CLOCK_W * s, HEIGHT * s).fill(PANEL_COLOUR);
    this.#clockPanel.rect(periodX * s, 0, PERIOD_W * s, HEIGHT * s).fill(ACCENT);
    this.#period.text.position.set((periodX + PERIOD_W / 2) * s, (HEIGHT / 2) * s);
    this.#shadow
      .clear()
      .rect(4 * s, 4 * s, (periodX + PERIOD_W) * s, HEIGHT * s)
      .fill({ color: '#000000', alpha: 0.35 });
  }
}
