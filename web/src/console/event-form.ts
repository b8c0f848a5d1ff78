// Create or edit an event: name, sport (a preset whose rules the event may override field by field),
// home and away teams, destinations and the watch page's public channels. One save sends the whole form;
// the API's refusal shows next to the field it names and nothing is changed.
import {
  EventSchema,
  SPORT_PRESETS,
  parse,
  resolveSportRules,
  type EventCreate,
  type PitchsideEvent,
  type ProgramState,
  type SportRules,
  type SportRulesPatch,
  type TeamInfo,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setText } from '../lib/dom.ts';
import { TeamLogoPicker } from '../lib/team-logo-picker.ts';
import { DestinationRows } from './destination-rows.ts';
import { field, FieldErrors } from './field-errors.ts';

const MINUTE = 60_000;
const DEFAULT_COLOURS = { home: '#c8102e', away: '#0b5cab' } as const;
const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

export interface EventFormOptions {
  api: ApiClient;
  /** null: a new event. */
  event: PitchsideEvent | null;
  onSaved: (event: PitchsideEvent, created: boolean) => void;
}

interface TeamInputs {
  name: HTMLInputElement;
  short: HTMLInputElement;
  colour: HTMLInputElement;
}

export class EventForm {
  readonly element: HTMLFormElement;
  readonly #options: EventFormOptions;
  readonly #errors: FieldErrors;
  readonly #name: HTMLInputElement;
  readonly #sport: HTMLSelectElement;
  readonly #customSport: HTMLInputElement;
  readonly #periods: HTMLInputElement;
  readonly #clock: HTMLSelectElement;
  readonly #periodMinutes: HTMLInputElement;
  readonly #scoreSteps: HTMLInputElement;
  readonly #teams: { home: TeamInputs; away: TeamInputs };
  readonly #destinations = new DestinationRows();
  readonly #youtube: HTMLInputElement;
  readonly #twitch: HTMLInputElement;
  readonly #publicPlayback: HTMLInputElement;
  /** Only for a saved event: a logo is uploaded to the event's scorebug, which a new event does not have yet. */
  readonly #logos: { home: TeamLogoPicker; away: TeamLogoPicker } | null;
  readonly #save: HTMLButtonElement;
  readonly #status: HTMLElement;

  constructor(options: EventFormOptions) {
    this.#options = options;
    const event = options.event;
    this.#name = h('input', { id: 'event-name-input', required: true, maxlength: 120, placeholder: 'Cup final' });
    this.#sport = h(
      'select',
      { id: 'event-sport' },
      ...SPORT_PRESETS.map((p) => h('option', { value: p.id }, p.label)),
      h('option', { value: 'custom' }, 'Other sport…'),
    );
    this.#customSport = h('input', { id: 'event-sport-custom', maxlength: 40, placeholder: 'e.g. handball' });
    this.#periods = h('input', { id: 'rules-periods', placeholder: 'Q1, Q2, Q3, Q4, OT' });
    this.#clock = h(
      'select',
      { id: 'rules-clock' },
      h('option', { value: 'up' }, 'Counts up'),
      h('option', { value: 'down' }, 'Counts down'),
      h('option', { value: 'none' }, 'No clock (sets)'),
    );
    this.#periodMinutes = h('input', { id: 'rules-period-minutes', type: 'number', min: 0, step: 0.5 });
    this.#scoreSteps = h('input', { id: 'rules-score-steps', placeholder: '1, 2, 3' });
    this.#teams = { home: teamInputs('home'), away: teamInputs('away') };
    this.#youtube = h('input', { id: 'channel-youtube', placeholder: 'Live video id or UC… channel id' });
    this.#twitch = h('input', { id: 'channel-twitch', placeholder: 'channel name' });
    this.#publicPlayback = h('input', { type: 'checkbox', id: 'event-public-playback' });
    this.#logos =
      event === null
        ? null
        : {
            home: new TeamLogoPicker(options.api, event.id, 'home'),
            away: new TeamLogoPicker(options.api, event.id, 'away'),
          };
    this.#save = h(
      'button',
      { type: 'submit', class: 'go', id: 'save-event' },
      event === null ? 'Create event' : 'Save',
    );
    this.#status = h('p', { class: 'form-summary', id: 'form-summary', role: 'alert' });

    const customField = field({ field: '/sport', label: 'Sport name', input: this.#customSport });
    this.#sport.addEventListener('change', () => {
      customField.hidden = this.#sport.value !== 'custom';
      this.#showRules(resolveSportRules(this.#sportName()));
    });
    this.element = h(
      'form',
      { class: 'event-form', id: 'event-form', novalidate: true },
      section(
        'Event',
        h(
          'div',
          { class: 'form-grid' },
          field({ field: '/name', label: 'Name', input: this.#name, className: 'wide' }),
          field({ field: '/sport', label: 'Sport', input: this.#sport }),
          customField,
        ),
      ),
      section(
        'Scorebug and clock',
        h(
          'p',
          { class: 'muted section-help' },
          'The sport sets these; change any of them for this event. They apply to the scorebug when saved ' +
            '(a running clock is left alone).',
        ),
        h(
          'div',
          { class: 'form-grid' },
          field({ field: '/rules/periods', label: 'Periods', input: this.#periods, className: 'wide' }),
          field({ field: '/rules/clock', label: 'Clock', input: this.#clock }),
          field({ field: '/rules/periodMs', label: 'Period length (min)', input: this.#periodMinutes }),
          field({ field: '/rules/scoreSteps', label: 'Score buttons', input: this.#scoreSteps }),
        ),
      ),
      section(
        'Teams',
        h(
          'div',
          { class: 'teams-grid' },
          teamFieldset('home', 'Home', this.#teams.home, this.#logos?.home ?? null),
          teamFieldset('away', 'Away', this.#teams.away, this.#logos?.away ?? null),
        ),
      ),
      section(
        'Destinations',
        h(
          'p',
          { class: 'muted section-help' },
          'Stream keys are write-only: after saving only a masked fingerprint is shown. Go live from the ' +
            'Live tab or the director panel.',
        ),
        this.#destinations.element,
      ),
      section(
        'Watch page',
        h('p', { class: 'muted section-help' }, 'Public ids the viewer page embeds (never a stream key).'),
        h(
          'div',
          { class: 'form-grid' },
          field({ field: '/channels/youtube', label: 'YouTube', input: this.#youtube }),
          field({ field: '/channels/twitch', label: 'Twitch', input: this.#twitch }),
        ),
        checkField({
          field: '/publicPlayback',
          input: this.#publicPlayback,
          label: 'Public playback',
          help:
            'Anyone may play the self-hosted stream (HLS destinations) and read the score and status without ' +
            "the viewer key, e.g. in a player on the club's site. Off: only the viewer link can.",
        }),
      ),
      h('div', { class: 'form-actions' }, this.#status, this.#save),
    );
    this.#errors = new FieldErrors(this.element, this.#status);
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#submit();
    });
    this.#fill(event);
    customField.hidden = this.#sport.value !== 'custom';
  }

  focus(): void {
    this.#name.focus();
  }

  /** The logos the scorebug has now (they change at once on upload, not with Save). */
  showLogos(state: ProgramState): void {
    this.#logos?.home.update(state.scorebug.home.logo);
    this.#logos?.away.update(state.scorebug.away.logo);
  }

  #fill(event: PitchsideEvent | null): void {
    this.#name.value = event?.name ?? '';
    const preset = SPORT_PRESETS.find((p) => p.id === (event?.sport ?? 'football'));
    this.#sport.value = preset?.id ?? 'custom';
    this.#customSport.value = preset === undefined ? (event?.sport ?? '') : '';
    this.#showRules(event?.rules ?? resolveSportRules('football'));
    for (const side of ['home', 'away'] as const) {
      const team = event?.[side];
      const inputs = this.#teams[side];
      inputs.name.value = team?.name ?? '';
      inputs.short.value = team?.short ?? '';
      inputs.colour.value = team?.colour ?? DEFAULT_COLOURS[side];
      inputs.colour.dispatchEvent(new Event('input'));
    }
    this.#destinations.set(event?.destinations ?? []);
    this.#youtube.value = event?.channels.youtube ?? '';
    this.#twitch.value = event?.channels.twitch ?? '';
    this.#publicPlayback.checked = event?.publicPlayback ?? false;
  }

  #showRules(rules: SportRules): void {
    this.#periods.value = rules.periods.join(', ');
    this.#clock.value = rules.clock;
    this.#periodMinutes.value = String(rules.periodMs / MINUTE);
    this.#scoreSteps.value = rules.scoreSteps.join(', ');
  }

  #sportName(): string {
    return this.#sport.value === 'custom' ? this.#customSport.value.trim() : this.#sport.value;
  }

  /** Only what differs from the sport's preset is sent: the event follows the preset in everything else. */
  #ruleOverrides(): SportRulesPatch {
    const preset = resolveSportRules(this.#sportName());
    const list = (text: string): string[] =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    const rules = {
      periods: list(this.#periods.value),
      clock: this.#clock.value as SportRules['clock'],
      // A number the API can refuse by name rather than one the page silently fixes.
      periodMs: this.#periodMinutes.value === '' ? -1 : Math.round(Number(this.#periodMinutes.value) * MINUTE),
      scoreSteps: list(this.#scoreSteps.value).map(Number),
    };
    const overrides: SportRulesPatch = {};
    for (const key of Object.keys(rules) as (keyof typeof rules)[]) {
      if (JSON.stringify(rules[key]) !== JSON.stringify(preset[key])) Object.assign(overrides, { [key]: rules[key] });
    }
    return overrides;
  }

  #body(): EventCreate {
    const team = (inputs: TeamInputs): TeamInfo => ({
      name: inputs.name.value.trim(),
      ...(inputs.short.value.trim() === '' ? {} : { short: inputs.short.value.trim().toUpperCase() }),
      colour: inputs.colour.value.trim(),
    });
    const channels = {
      ...(this.#youtube.value.trim() === '' ? {} : { youtube: this.#youtube.value.trim() }),
      ...(this.#twitch.value.trim() === '' ? {} : { twitch: this.#twitch.value.trim() }),
    };
    return {
      name: this.#name.value.trim(),
      sport: this.#sportName(),
      rules: this.#ruleOverrides(),
      home: team(this.#teams.home),
      away: team(this.#teams.away),
      destinations: this.#destinations.read(),
      channels,
      publicPlayback: this.#publicPlayback.checked,
    };
  }

  async #submit(): Promise<void> {
    this.#errors.clear();
    const { event, api } = this.#options;
    this.#save.disabled = true;
    setText(this.#status, 'Saving…');
    try {
      const body = this.#body();
      const answer =
        event === null
          ? await api.post<unknown>('/api/events', body)
          : await api.request<unknown>('PATCH', `/api/events/${encodeURIComponent(event.id)}`, body);
      const parsed = parse(EventSchema, answer);
      if (!parsed.ok) throw new Error('The controller saved the event but answered in an unknown shape.');
      // The answer replaces the form: typed keys leave the page, the masked ones come back.
      this.#fill(parsed.value);
      setText(this.#status, 'Saved.');
      this.#options.onSaved(parsed.value, event === null);
    } catch (error) {
      this.#errors.show(error);
    } finally {
      this.#save.disabled = false;
    }
  }
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'form-section' }, h('h2', {}, title), ...children);
}

function teamInputs(side: 'home' | 'away'): TeamInputs {
  return {
    name: h('input', {
      id: `${side}-name`,
      maxlength: 40,
      placeholder: side === 'home' ? 'Northside Rovers' : 'Harbour City',
    }),
    short: h('input', {
      id: `${side}-short`,
      maxlength: 4,
      placeholder: side === 'home' ? 'NOR' : 'HBC',
      class: 'short',
    }),
    colour: h('input', { id: `${side}-colour`, maxlength: 7, spellcheck: 'false', class: 'mono colour-text' }),
  };
}

/** A yes/no setting: the box, its name and what it does, and a place for the API's refusal. */
function checkField(options: { field: string; input: HTMLInputElement; label: string; help: string }): HTMLElement {
  const message = h('span', { class: 'field-message', id: `${options.input.id}-message`, role: 'alert' });
  options.input.setAttribute('aria-describedby', message.id);
  return h(
    'label',
    { class: 'field check-field', 'data-field': options.field, for: options.input.id },
    options.input,
    h(
      'span',
      { class: 'check-text' },
      h('strong', {}, options.label),
      h('span', { class: 'muted' }, ` — ${options.help}`),
    ),
    message,
  );
}

/**
 * The team's fields; the colour is typed (#rrggbb, what the API checks) with a picker beside it. The logo
 * (a saved event only) goes on the scorebug as soon as it is uploaded.
 */
function teamFieldset(
  side: 'home' | 'away',
  title: string,
  inputs: TeamInputs,
  logo: TeamLogoPicker | null,
): HTMLElement {
  const picker = h('input', { type: 'color', 'aria-label': `${title} colour picker`, tabindex: -1 });
  const card = h('fieldset', { class: 'team-fieldset', 'data-team': side });
  const sync = (): void => {
    if (HEX_COLOUR.test(inputs.colour.value)) {
      picker.value = inputs.colour.value.toLowerCase();
      card.style.setProperty('--team', inputs.colour.value);
    }
  };
  inputs.colour.addEventListener('input', sync);
  picker.addEventListener('input', () => {
    inputs.colour.value = picker.value;
    sync();
  });
  card.append(
    h('legend', {}, title),
    field({ field: `/${side}/name`, label: 'Name', input: inputs.name, className: 'wide' }),
    field({ field: `/${side}/short`, label: 'Short', input: inputs.short }),
    h(
      'div',
      { class: 'colour-cell' },
      field({ field: `/${side}/colour`, label: 'Colour', input: inputs.colour, hint: '#rrggbb' }),
      picker,
    ),
    h(
      'div',
      { class: 'team-logo-cell' },
      logo?.element ?? null,
      h(
        'span',
        { class: 'field-hint muted' },
        logo === null
          ? 'Logo: once the event is created.'
          : 'PNG, JPEG or WebP; on the scorebug at once (not with Save).',
      ),
    ),
  );
  return card;
}
