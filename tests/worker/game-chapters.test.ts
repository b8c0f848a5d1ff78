// Chapters from the game log, as each sport's chapter policy picks them: football's goals, basketball's
// quarters, lead changes and runs (not one chapter per basket), the sets of a volleyball match.
import { describe, expect, it } from 'vitest';
import { SPORT_PRESETS, resolveSportRules, type GameLogEntry } from '../../protocol/index.ts';
import { SCORE_CORRECTION_MS, gameMoments } from '../../worker/export/chapters.ts';

const T0 = 1_800_000_000_000;
const SECOND = 1000;

/** A game log from the states after each change: [seconds after T0, home score, away score, period]. */
function log(
  home: string,
  away: string,
  states: [number, number, number, string][],
  start = { home: 0, away: 0 },
): GameLogEntry[] {
  let before = { ...start, period: states[0]?.[3] ?? '' };
  return states.map(([s, h, a, period], i) => {
    const entry: GameLogEntry = {
      id: `${T0 + s * SECOND}-0`,
      time: T0 + s * SECOND,
      revision: i + 1,
      home: { short: home, name: home, score: h },
      away: { short: away, name: away, score: a },
      period,
      before,
    };
    before = { home: h, away: a, period };
    return entry;
  });
}

const at = (moments: { time: number; name: string }[]) => moments.map((m) => [(m.time - T0) / SECOND, m.name]);

describe('game chapters per sport', () => {
  it('football: a chapter per period and per goal; a goal undone soon after has none', () => {
    const game = log('ARS', 'CHE', [
      [600, 1, 0, '1st'],
      [900, 1, 1, '1st'],
      [960, 1, 0, '1st'], // ruled out a minute later
      [2700, 1, 0, '2nd'],
      [3000, 2, 0, '2nd'],
    ]);
    expect(at(gameMoments(game, resolveSportRules('football').chapters))).toEqual([
      [600, 'ARS 1–0 CHE'],
      [2700, '2nd'],
      [3000, 'ARS 2–0 CHE'],
    ]);
  });

  it('basketball: quarters, lead changes and 8–0 runs, not a chapter per basket', () => {
    const game = log('LAL', 'BOS', [
      [10, 2, 0, 'Q1'], // the first lead is not a change
      [40, 2, 3, 'Q1'], // lead change
      [70, 4, 3, 'Q1'], // lead change
      [100, 4, 5, 'Q1'], // lead change, and the start of a BOS run
      [130, 4, 8, 'Q1'],
      [160, 4, 10, 'Q1'],
      [190, 4, 13, 'Q1'], // 8–0 reached by here; the run goes on to 13–0
      [220, 4, 16, 'Q1'],
      [250, 6, 16, 'Q1'], // LAL answers: the run ends
      [700, 6, 16, 'Q2'],
      [730, 8, 16, 'Q2'],
      [760, 8, 18, 'Q2'],
    ]);
    const rules = resolveSportRules('basketball');
    const moments = at(gameMoments(game, rules.chapters));
    expect(moments).toEqual([
      [40, 'LAL 2–3 BOS, lead change'],
      [70, 'LAL 4–3 BOS, lead change'],
      [100, 'LAL 4–5 BOS, lead change · BOS 13–0 run'],
      [700, 'Q2'],
    ]);
    // Eleven baskets, four chapters: with every score it would have been a chapter at each entry.
    expect(gameMoments(game, { ...rules.chapters, everyScore: true })).toHaveLength(game.length);
  });

  it('basketball: a three corrected to a two, and a basket undone, change no lead and start no run', () => {
    const game = log(
      'LAL',
      'BOS',
      [
        [20, 23, 20, 'Q3'],
        [30, 22, 20, 'Q3'], // it was a two
        [40, 22, 23, 'Q3'], // BOS lead: a change from LAL's
        [50, 22, 25, 'Q3'],
        [60, 22, 23, 'Q3'], // undone within the correction window
        [60 + SCORE_CORRECTION_MS / SECOND + 30, 22, 22, 'Q3'], // late: the record is fixed, the lead does not move
      ],
      { home: 20, away: 20 },
    );
    const moments = at(gameMoments(game, { periods: true, everyScore: false, leadChanges: true, runPoints: 5 }));
    expect(moments).toEqual([[40, 'LAL 22–23 BOS, lead change']]);
  });

  it('a run counts across quarters and is titled by how far it went', () => {
    const game = log('LAL', 'BOS', [
      [10, 0, 3, 'Q1'],
      [20, 0, 6, 'Q1'],
      [600, 0, 6, 'Q2'],
      [610, 0, 9, 'Q2'],
      [620, 2, 9, 'Q2'],
    ]);
    expect(at(gameMoments(game, { periods: true, everyScore: false, leadChanges: false, runPoints: 8 }))).toEqual([
      [10, 'BOS 9–0 run'],
      [600, 'Q2'],
    ]);
  });

  it('every sport has a chapter policy: goals where scores are few, swings in basketball, sets in volleyball', () => {
    const policy = (sport: string) => resolveSportRules(sport).chapters;
    for (const sport of ['football', 'futsal', 'ice-hockey', 'rugby', 'anything-else'])
      expect(policy(sport), sport).toMatchObject({ periods: true, everyScore: true });
    expect(policy('basketball')).toEqual({ periods: true, everyScore: false, leadChanges: true, runPoints: 8 });
    for (const sport of ['volleyball', 'tennis'])
      expect(policy(sport), sport).toEqual({ periods: true, everyScore: false, leadChanges: false, runPoints: 0 });
    expect(SPORT_PRESETS.every((p) => p.rules.chapters.periods)).toBe(true);
    // An event may choose its own.
    const own = { periods: false, everyScore: false, leadChanges: true, runPoints: 10 };
    expect(resolveSportRules('basketball', { chapters: own }).chapters).toEqual(own);
  });
});
