// Scorebug: team names, short names, colours, logos, scores (+1 / −1 / set), period, on/off.
import type { ProgramState, TeamSide } from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { SIDE_LABEL, TeamLogoPicker } from '../lib/team-logo-picker.ts';
import { BoundField } from '../lib/bound-field.ts';
import type { Desk } from '../lib/desk.ts';

export class ScorebugEditor {
  readonly element: HTMLElement;
  readonly #fields: BoundField[] = [];
  readonly #scores = new Map<TeamSide, HTMLElement>();
  readonly #cards = new Map<TeamSide, HTMLElement>();
  readonly #logos = new Map<TeamSide, TeamLogoPicker>();
  readonly #toggle: HTMLButtonElement;
  readonly #desk: Desk;

  constructor(desk: Desk) {
    this.#desk = desk;
    const period = new BoundField(desk, {
      id: 'period',
      label: 'Period',
      what: 'Period',
      attrs: { maxlength: 12 },
      read: (s) => s.scorebug.period,
      command: (value) => ({ type: 'scorebug.set', period: value }),
    });
    this.#fields.push(period);
    this.#toggle = h('button', { type: 'button', id: 'scorebug-toggle', class: 'air-toggle' }, 'Show scorebug');
    this.#toggle.addEventListener('click', () => {
      const visible = desk.state?.scorebug.visible ?? false;
      void desk.edit({
        what: 'Scorebug',
        command: { type: 'scorebug.set', visible: !visible },
        read: (s) => s.scorebug.visible,
      });
    });
    this.element = h(
      'section',
      { class: 'scorebug-editor panel live-dependent' },
      h('h2', {}, 'Scorebug'),
      h('div', { class: 'teams' }, this.#team('home'), this.#team('away')),
      h('div', { class: 'row scorebug-footer' }, period.element, this.#toggle),
    );
  }

  update(state: ProgramState): void {
    for (const field of this.#fields) field.update(state);
    for (const side of ['home', 'away'] as const) {
      const team = state.scorebug[side];
      setText(this.#scores.get(side)!, String(team.score));
      this.#cards.get(side)!.style.setProperty('--team', team.colour);
      this.#logos.get(side)!.update(team.logo);
    }
    this.#toggle.textContent = state.scorebug.visible ? 'Hide scorebug' : 'Show scorebug';
    this.#toggle.classList.toggle('on-air', state.scorebug.visible);
  }

  #team(side: TeamSide): HTMLElement {
    const desk = this.#desk;
    const label = SIDE_LABEL[side];
    const field = (
      key: 'name' | 'short' | 'colour',
      fieldLabel: string,
      type: 'text' | 'color',
      max: number,
    ): BoundField => {
      const bound = new BoundField(desk, {
        id: `${side}-${key}`,
        label: fieldLabel,
        what: `${label} ${fieldLabel.toLowerCase()}`,
        type,
        attrs: type === 'text' ? { maxlength: max } : {},
        read: (s) => (key === 'colour' ? s.scorebug[side][key].toLowerCase() : s.scorebug[side][key]),
        command: (value) => ({ type: 'scorebug.set', [side]: { [key]: value } }),
      });
      this.#fields.push(bound);
      return bound;
    };
    const setScore = new BoundField(desk, {
      id: `${side}-score-set`,
      label: 'Set score',
      what: `${label} score`,
      type: 'number',
      attrs: { min: 0, max: 999, step: 1 },
      read: (s) => String(s.scorebug[side].score),
      command: (value) => (/^\d{1,3}$/.test(value) ? { type: 'score.set', team: side, score: Number(value) } : null),
    });
    this.#fields.push(setScore);
    const adjust = (delta: number): void => {
      void desk.edit({
        what: `${label} score`,
        command: { type: 'score.adjust', team: side, delta },
        read: (s) => s.scorebug[side].score,
      });
    };
    const score = h('span', { class: 'score', id: `${side}-score` }, '0');
    this.#scores.set(side, score);
    const logo = new TeamLogoPicker(this.#desk.api, this.#desk.eventId, side);
    this.#logos.set(side, logo);
    const card = h(
      'div',
      { class: `team-card team-${side}` },
      h('h3', {}, label),
      field('name', 'Name', 'text', 40).element,
      h(
        'div',
        { class: 'row' },
        field('short', 'Short', 'text', 4).element,
        field('colour', 'Colour', 'color', 7).element,
      ),
      h(
        'div',
        { class: 'score-row' },
        h('button', { type: 'button', class: 'score-button', id: `${side}-minus`, onclick: () => adjust(-1) }, '−1'),
        score,
        h('button', { type: 'button', class: 'score-button plus', id: `${side}-plus`, onclick: () => adjust(1) }, '+1'),
      ),
      setScore.element,
      logo.element,
    );
    this.#cards.set(side, card);
    return card;
  }
}
