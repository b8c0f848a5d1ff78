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
/** A logo sits at the left of the team colour, fitted into this square; the short name moves right of it. */
const LOGO_BOX = 44;
const LOGO_X = STRIPE_W + 4;
/** The short name's room beside a logo: a long one is scaled down to fit rather than overlap it. */
const NAME_BESIDE_LOGO_W = TEAM_W - LOGO_X - LOGO_BOX - 4;

class TeamBlock {
  readonly view = new Container();
  readonly #panel = new Graphics();
  readonly #flash = new Graphics();
  readonly #name: Label;
  readonly #score: Label;
  readonly #logo = new Sprite();
  readonly #logos: LogoTextures;
  readonly #scale: number;
  #colour = '';
  #shownScore = -1;
  #changedAt = Number.NEGATIVE_INFINITY;
  /** The logo and name the block was last laid out for. */
  #logoLayout: string | null = null;

  constructor(x: number, scale: number, logos: LogoTextures) {
    this.#scale = scale;
    this.#logos = logos;
    this.#logo.anchor.set(0.5);
    this.#logo.position.set((LOGO_X + LOGO_BOX / 2) * scale, (HEIGHT / 2) * scale);
    this.#name = new Label({ size: 28 }, scale);
    this.#score = new Label({ size: 34, colour: PANEL_COLOUR }, scale);
    this.view.position.set(x * scale, 0);
    this.#score.text.anchor.set(0.5);
    this.#name.text.anchor.set(0.5);
    this.#name.text.position.set(((TEAM_W + STRIPE_W) / 2) * scale, (HEIGHT / 2) * scale);
    this.#score.text.position.set((TEAM_W + SCORE_W / 2) * scale, (HEIGHT / 2) * scale);
    this.#flash.rect(TEAM_W * scale, 0, SCORE_W * scale, HEIGHT * scale).fill('#ffffff');
    this.view.addChild(this.#panel, this.#flash, this.#logo, this.#name.text, this.#score.text);
  }

  update(team: Team, now: number, animate: boolean): void {
    const s = this.#scale;
    if (team.colour !== this.#colour) {
      this.#colour = team.colour;
      this.#panel
        .clear()
        .rect(0, 0, STRIPE_W * s, HEIGHT * s)
        .fill('#ffffff')
        .rect(STRIPE_W * s, 0, (TEAM_W - STRIPE_W) * s, HEIGHT * s)
        .fill(team.colour)
        .rect(TEAM_W * s, 0, SCORE_W * s, HEIGHT * s)
        .fill(SCORE_PANEL);
      this.#flash.tint = team.colour;
      this.#name.colour = textOn(team.colour);
    }
    this.#name.set(team.short.toUpperCase());
    this.#layoutLogo(team.logo == null ? null : this.#logos.get(team.logo));
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

  #layoutLogo(texture: Texture | null): void {
    // Laid out only when the logo or the name changes: measuring the name (its width) every frame costs a
    // text layout per frame, and the page's frame loop starved the renderer's other work (seen in
    // tests/template/program-pixels after a reload).
    const key = `${texture === null ? '' : texture.uid}|${this.#name.text.text}`;
    if (key === this.#logoLayout) return;
    this.#logoLayout = key;
    const s = this.#scale;
    const name = this.#name.text;
    if (texture === null) {
      this.#logo.visible = false;
      name.scale.set(1);
      name.position.x = ((TEAM_W + STRIPE_W) / 2) * s;
      return;
    }
    this.#logo.texture = texture;
    // Fitted into the box whatever the image's shape, never stretched.
    this.#logo.scale.set((LOGO_BOX * s) / Math.max(texture.width, texture.height, 1));
    this.#logo.visible = true;
    name.scale.set(1);
    name.scale.set(Math.min(1, (NAME_BESIDE_LOGO_W * s) / Math.max(name.width, 1)));
    name.position.x = (LOGO_X + LOGO_BOX + 4 + NAME_BESIDE_LOGO_W / 2) * s;
  }
}

export class ScorebugView {
  readonly view = new Container();
  readonly #teams: Record<TeamSide, TeamBlock>;
  readonly #clockPanel = new Graphics();
  readonly #clock: Label;
  readonly #period: Label;
  readonly #shown = new Tween([0], SCOREBUG_FADE_MS);
  readonly #scale: number;
  #first = true;
  #clockVisible: boolean | null = null;
  /** What the last frame showed, for checks that compare it with the state. */
  clockMs = 0;
  clockText = '';

  constructor(height: number, logos: LogoTextures) {
    const s = height / REFERENCE_HEIGHT;
    this.#scale = s;
    this.#teams = { home: new TeamBlock(0, s, logos), away: new TeamBlock(TEAM_W + SCORE_W, s, logos) };
    this.#clock = new Label({ size: 31 }, s);
    this.#period = new Label({ size: 24, colour: PANEL_COLOUR }, s);
    this.#clock.text.anchor.set(0.5);
    this.#period.text.anchor.set(0.5);
    const clockX = 2 * (TEAM_W + SCORE_W);
    this.#clock.text.position.set((clockX + CLOCK_W / 2) * s, (HEIGHT / 2) * s);
    this.view.position.set(X * s, Y * s);
    const shadow = new Graphics()
      .rect(4 * s, 4 * s, this.#width(true) * s, HEIGHT * s)
      .fill({ color: '#000000', alpha: 0.35 });
    this.view.addChild(
      shadow,
      this.#teams.home.view,
      this.#teams.away.view,
      this.#clockPanel,
      this.#clock.text,
      this.#period.text,
    );
  }

  #width(withClock: boolean): number {
    return 2 * (TEAM_W + SCORE_W) + (withClock ? CLOCK_W : 0) + PERIOD_W;
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
    this.#teams.home.update(scorebug.home, now, animate);
    this.#teams.away.update(scorebug.away, now, animate);
    this.#layoutClock(clock.visible);
    this.#clock.set(this.clockText);
    this.#period.set(scorebug.period.toUpperCase());
  }

  #layoutClock(visible: boolean): void {
    if (visible === this.#clockVisible) return;
    this.#clockVisible = visible;
    const s = this.#scale;
    const clockX = 2 * (TEAM_W + SCORE_W);
    const periodX = clockX + (visible ? CLOCK_W : 0);
    this.#clock.text.visible = visible;
    this.#clockPanel.clear();
    if (visible) this.#clockPanel.rect(clockX * s, 0, CLOCK_W * s, HEIGHT * s).fill(PANEL_COLOUR);
    this.#clockPanel.rect(periodX * s, 0, PERIOD_W * s, HEIGHT * s).fill(ACCENT);
    this.#period.text.position.set((periodX + PERIOD_W / 2) * s, (HEIGHT / 2) * s);
  }
}
