// An event edit that the program must show: new team names, short names or colours go to the scorebug;
// new sport rules reconfigure a clock that is not running (a running clock is never touched mid-period)
// and move the scorebug to the first period when the current one no longer exists. Through the reducer,
// like every other change, so panels and the template hear of it with a revision.
import { periodStartClock, resolveSportRules, type Command } from '../../protocol/index.ts';
import type { StoredEvent } from './event-store.ts';
import { teamDefaults } from './event-store.ts';
import type { Actor, ProgramService } from './program-service.ts';
import { AppError } from './app-error.ts';

export async function syncProgramWithEvent(
  program: ProgramService,
  before: StoredEvent,
  after: StoredEvent,
  actor: Actor,
): Promise<void> {
  const state = await program.getState(after.id);
  if (state === null) return;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const commands: Command[] = [];
  // Only what the edit changed: saving the form at half-time must not reset a stopped clock.
  const home = same(before.home, after.home) ? undefined : teamDefaults(after.home);
  const away = same(before.away, after.away) ? undefined : teamDefaults(after.away);
  if (home !== undefined || away !== undefined)
    commands.push({
      type: 'scorebug.set',
      ...(home === undefined ? {} : { home }),
      ...(away === undefined ? {} : { away }),
    });
  const rules = resolveSportRules(after.sport, after.ruleOverrides);
  if (!same(resolveSportRules(before.sport, before.ruleOverrides), rules)) {
    const clock = periodStartClock(rules);
    if (!state.clock.running) {
      commands.push(
        { type: 'clock.configure', direction: clock.direction, limitMs: clock.limitMs, visible: clock.visible },
        { type: 'clock.set', valueMs: clock.baseMs },
      );
    }
    if (!rules.periods.includes(state.scorebug.period))
      commands.push({ type: 'scorebug.set', period: rules.periods[0] ?? '' });
  }
  for (const command of commands) {
    const outcome = await program.apply(after.id, command, actor);
    if (!outcome.ok)
      throw new AppError(
        422,
        outcome.error.code,
        `The event was saved but the program refused it: ${outcome.error.message}`,
      );
  }
}
