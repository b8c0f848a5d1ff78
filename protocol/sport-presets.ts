// Sport presets: how a sport's scorebug and clock behave (periods and their names, clock direction and
// length, the score steps the graphics desk offers) and which moments of its game log become chapters of
// an export. An event keeps its resolved rules; the producer may override any field. The controller turns
// the rules into the event's first program state.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_CLOCK_MS, type Clock } from './state.ts';

export const CLOCK_MODES = ['up', 'down', 'none'] as const;
export const ClockModeSchema = Type.Union(CLOCK_MODES.map((m) => Type.Literal(m)));
export type ClockMode = (typeof CLOCK_MODES)[number];

export const MAX_PERIODS = 9;
export const MAX_SCORE_STEPS = 6;

/** Longest scoring run a chapter policy may wait for. */
export const MAX_RUN_POINTS = 99;

/**
 * Which moments of the game log are chapters of a VOD export (worker/export/chapters.ts). A sport that
 * scores a few times a match wants every score; one that scores a hundred times wants the swings.
 */
export const ChapterPolicySchema = Type.Object(
  {
    /** A chapter at each period (half, quarter, set). */
    periods: Type.Boolean(),
    /** A chapter at every score (a goal, a try). */
    everyScore: Type.Boolean(),
    /** A chapter where the lead changes hands (the first lead and a tie are not changes). */
    leadChanges: Type.Boolean(),
    /** A chapter where one side starts scoring this many points without reply (an 8–0 run); 0: none. */
    runPoints: Type.Integer({ minimum: 0, maximum: MAX_RUN_POINTS }),
  },
  { additionalProperties: false },
);
export type ChapterPolicy = Static<typeof ChapterPolicySchema>;

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
    chapters: ChapterPolicySchema,
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

/** Goals and tries: few enough that each is worth a chapter. */
const EVERY_SCORE: ChapterPolicy = { periods: true, everyScore: true, leadChanges: false, runPoints: 0 };
/** A basket is a minute's routine: the game's story is its lead changes and its runs. */
const SWINGS: ChapterPolicy = { periods: true, everyScore: false, leadChanges: true, runPoints: 8 };
/** Points and games inside a set: the sets are the chapters. */
const PERIODS_ONLY: ChapterPolicy = { periods: true, everyScore: false, leadChanges: false, runPoints: 0 };

export const SPORT_PRESETS: readonly SportPreset[] = [
  {
    id: 'football',
    label: 'Football (soccer)',
    rules: {
      periods: ['1st', '2nd', 'ET1', 'ET2', 'PENS'],
      clock: 'up',
      periodMs: 45 * MINUTE,
      scoreSteps: [1],
      chapters: EVERY_SCORE,
    },
  },
  {
    id: 'futsal',
    label: 'Futsal',
    rules: {
      periods: ['1st', '2nd', 'ET1', 'ET2'],
      clock: 'down',
      periodMs: 20 * MINUTE,
      scoreSteps: [1],
      chapters: EVERY_SCORE,
    },
  },
  {
    id: 'basketball',
    label: 'Basketball',
    rules: {
      periods: ['Q1', 'Q2', 'Q3', 'Q4', 'OT'],
      clock: 'down',
      periodMs: 10 * MINUTE,
      scoreSteps: [1, 2, 3],
      chapters: SWINGS,
    },
  },
  {
    id: 'ice-hockey',
    label: 'Ice hockey',
    rules: {
      periods: ['P1', 'P2', 'P3', 'OT', 'SO'],
      clock: 'down',
      periodMs: 20 * MINUTE,
      scoreSteps: [1],
      chapters: EVERY_SCORE,
    },
  },
  {
    id: 'rugby',
    label: 'Rugby union',
    rules: {
      periods: ['1st', '2nd', 'ET1', 'ET2'],
      clock: 'up',
      periodMs: 40 * MINUTE,
      scoreSteps: [2, 3, 5, 7],
      chapters: EVERY_SCORE,
    },
  },
  {
    id: 'volleyball',
    label: 'Volleyball',
    rules: { periods: sets(5), clock: 'none', periodMs: 0, scoreSteps: [1], chapters: PERIODS_ONLY },
  },
  {
    id: 'tennis',
    label: 'Tennis (sets)',
    rules: { periods: sets(5), clock: 'none', periodMs: 0, scoreSteps: [1], chapters: PERIODS_ONLY },
  },
];

/** Any other sport name: a clock counting up without limit, two halves, one point at a time. */
export const CUSTOM_SPORT: SportPreset = {
  id: 'custom',
  label: 'Other',
  rules: { periods: ['1st', '2nd'], clock: 'up', periodMs: 0, scoreSteps: [1], chapters: EVERY_SCORE },
};

/** Exports made without a policy (an older controller) chapter as before: periods and every score. */
export const DEFAULT_CHAPTER_POLICY: ChapterPolicy = EVERY_SCORE;

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
    chapters: overrides.chapters ?? base.chapters,
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
