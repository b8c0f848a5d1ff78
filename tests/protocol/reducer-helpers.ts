// A fresh event's state and a command runner for the reducer tests.
import {
  apply,
  createInitialState,
  testSources,
  type ApplyResult,
  type Command,
  type ProgramState,
} from '../../protocol/index.ts';

export const T0 = 1_700_000_000_000;

export function fresh(): ProgramState {
  return createInitialState({ now: T0, sources: testSources(4) });
}

export function ok(result: ApplyResult): ProgramState {
  if (!result.ok) throw new Error(`rejected: ${result.error.code} ${result.error.message}`);
  return result.state;
}

export function run(state: ProgramState, commands: Command[], now = T0 + 1000): ProgramState {
  return commands.reduce((s, c) => ok(apply(s, c, { now })), state);
}
