// Sport presets: how a sport's scorebug and clock behave (periods and their names, clock direction and
// length, the score steps the graphics desk offers). An event keeps its resolved rules; the producer may
// override any field. The controller turns the rules into the event's first program state.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_CLOCK_MS, type Clock } from './state.ts';

export const CLOCK_MODES = ['up', 'down', 'none'] as const;
export const ClockModeSchema = Type.Union(CLOCK_MODES.map((m) => Type.Literal(m)));
export type ClockMode = (typeof CLOCK_MODES)[number];

export const MAX_PERIODS = 9;
export const MAX_SCORE_STEPS = 6;

export const SportRulesSchema = Type.Object(
  {
    /** Scorebug period names in order (the first is shown at kick-off), e.g. Q1…Q4, OT. */
    periods: Type.Array(Type.String({ minLength: 1, maxLength: 12 }), { minItems: 1, maxItems: MAX_PERIODS }),
    /** up: counts up to the period length; down: counts down from it; none: no game clock (sets). */
    clock: ClockModeSchema,
    /** Length of one period; 0 with a clock counting up means no limit. */
    periodMs: Type.Integer({ minimum: 0, maximum: MAX_CLOCK_MS }),
    /** The score buttons the graphics desk offers (basketball: 1, 2, 3). */
    scoreSteps: Type.Array(Type.Integer({ minimum: 1, maximum: 9 }), { minItems: 1, maxItems: MAX_SCORE_STEPS }),
  },
  { additionalProperties: false },
);
export type SportRules = Static<typeof SportRulesSchema>;

/** What an event may override: any rule, each on its own. */
export const SportRulesPatchSchema = Type.Partial(SportRulesSchema, { additionalProperties: false });
export type SportRulesPatch = Static<typeof SportRulesPatchSchema>;

export interface SportPreset {
  id: string;
  label: string;
  rules: SportRules;
}

const MINUTE = 60_000;
const sets = (count: number): string[] => Array.from({ length: count }, (_, i) => `SET ${i + 1}`);

export const SPORT_PRESETS: readonly SportPreset[] = [
  {
    id: 'football',
    label: 'Football (soccer)',
    rules: { periods: ['1st', '2nd', 'ET1', 'ET2', 'PENS'], clock: 'up', periodMs: 45 * MINUTE, scoreSteps: [1] },
  },
  {
    id: 'futsal',
    label: 'Futsal',
    rules: { periods: ['1st', '2nd', 'ET1', 'ET2'], clock: 'down', periodMs: 20 * MINUTE, scoreSteps: [1] },
  },
  {
    id: 'basketball',
    label: 'Basketball',
    rules: { periods: ['Q1', 'Q2', 'Q3', 'Q4', 'OT'], clock: 'down', periodMs: 10 * MINUTE, scoreSteps: [1, 2, 3] },
  },
  {
    id: 'ice-hockey',
    label: 'Ice hockey',
    rules: { periods: ['P1', 'P2', 'P3', 'OT', 'SO'], clock: 'down', periodMs: 20 * MINUTE, scoreSteps: [1] },
  },
  {
    id: 'rugby',
    label: 'Rugby union',
    rules: { periods: ['1st', '2nd', 'ET1', 'ET2'], clock: 'up', periodMs: 40 * MINUTE, scoreSteps: [2, 3, 5, 7] },
  },
  {
    id: 'volleyball',
    label: 'Volleyball',
    rules: { periods: sets(5), clock: 'none', periodMs: 0, scoreSteps: [1] },
  },
  {
    id: 'tennis',
    label: 'Tennis (sets)',
    rules: { periods: sets(5), clock: 'none', periodMs: 0, scoreSteps: [1] },
  },
];

/** Any other sport name: a clock counting up without limit, two halves, one point at a time. */
export const CUSTOM_SPORT: SportPreset = {
  id: 'custom',
  label: 'Other',
  rules: { periods: ['1st', '2nd'], clock: 'up', periodMs: 0, scoreSteps: [1] },
};

export function sportPreset(sport: string): SportPreset {
  return SPORT_PRESETS.find((p) => p.id === sport) ?? CUSTOM_SPORT;
}

/** The event's rules: the sport's preset with the event's overrides on top. */
export function resolveSportRules(sport: string, overrides: SportRulesPatch = {}): SportRules {
  const base = sportPreset(sport).rules;
  return {
    periods: overrides.periods ?? base.periods,
    clock: overrides.clock ?? base.clock,
    periodMs: overrides.periodMs ?? base.periodMs,
    scoreSteps: overrides.scoreSteps ?? base.scoreSteps,
  };
}

/** The clock fields a period starts with under these rules (stopped, at the period's start value). */
export function periodStartClock(rules: SportRules): Pick<Clock, 'direction' | 'baseMs' | 'limitMs' | 'visible'> {
  const countsDown = rules.clock === 'down' && rules.periodMs > 0;
  return {
    direction: countsDown ? 'down' : 'up',
    baseMs: countsDown ? rules.periodMs : 0,
    limitMs: !countsDown && rules.periodMs > 0 ? rules.periodMs : null,
    visible: rules.clock !== 'none',
  };
}
