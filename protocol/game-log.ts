// The game log: the match's own story beside the switch log's takes, one entry each time the score or the
// period changes, stamped with the server time of the commit (written atomically with the state, so a
// goal on air is never missing from it). VOD exports turn it into chapters at goals and periods.
import { Type, type Static } from '@sinclair/typebox';
import type { ProgramState } from './state.ts';

const SideSchema = Type.Object(
  { short: Type.String({ maxLength: 4 }), name: Type.String({ maxLength: 40 }), score: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const GameLogEntrySchema = Type.Object(
  {
    /** Redis stream id: ms-seq, increasing. */
    id: Type.String(),
    time: Type.Number(),
    revision: Type.Integer(),
    home: SideSchema,
    away: SideSchema,
    period: Type.String({ maxLength: 12 }),
    /** Score and period just before this change: each entry says what changed on its own. */
    before: Type.Object(
      {
        home: Type.Integer({ minimum: 0 }),
        away: Type.Integer({ minimum: 0 }),
        period: Type.String({ maxLength: 12 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type GameLogEntry = Static<typeof GameLogEntrySchema>;

/** The game-log entry a change from `before` to `after` at `time` makes, or null when score and period stand. */
export function gameLogEntry(before: ProgramState, after: ProgramState, time: number): Omit<GameLogEntry, 'id'> | null {
  const [b, a] = [before.scorebug, after.scorebug];
  if (b.home.score === a.home.score && b.away.score === a.away.score && b.period === a.period) return null;
  const side = (team: ProgramState['scorebug']['home']) => ({ short: team.short, name: team.name, score: team.score });
  return {
    time,
    revision: after.revision,
    home: side(a.home),
    away: side(a.away),
    period: a.period,
    before: { home: b.home.score, away: b.away.score, period: b.period },
  };
}
