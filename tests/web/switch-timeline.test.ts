// The director's live switch log: takes from live state and from the controller's log, each kept once.
import { describe, expect, it } from 'vitest';
import {
  apply,
  createInitialState,
  testSources,
  type Command,
  type ProgramState,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { SwitchTimeline } from '../../web/src/director/switch-timeline.ts';

function run(state: ProgramState, command: Command, now: number): ProgramState {
  const result = apply(state, command, { now });
  if (!result.ok) throw new Error(result.error.message);
  return result.state;
}

describe('switch timeline', () => {
  it('keeps a quick cut back to the same camera as its own take, and the log’s entry replaces the live one', () => {
    const cut = { type: 'cut' } as const;
    const s0 = createInitialState({ now: 0, sources: testSources(3) });
    const s1 = run(s0, { type: 'program.take', source: 'camera-2', transition: cut }, 10_000);
    const s2 = run(s1, { type: 'program.take', source: 'camera-3', transition: cut }, 10_400);
    const s3 = run(s2, { type: 'program.take', source: 'camera-2', transition: cut }, 10_900);
    const s4 = run(s3, { type: 'score.adjust', team: 'home', delta: 1 }, 11_000);

    const timeline = new SwitchTimeline();
    for (const state of [s1, s2, s3, s4]) timeline.addFromState(state);
    expect(timeline.entries().map((e) => [e.time, e.source])).toEqual([
      [10_000, 'camera-2'],
      [10_400, 'camera-3'],
      [10_900, 'camera-2'],
    ]);

    const logged: SwitchLogEntry[] = [s1, s2, s3].map((s) => ({
      id: `${s.take!.startedAt}-0`,
      time: s.take!.startedAt,
      revision: s.revision,
      source: s.take!.to,
      from: s.take!.from,
      transition: s.take!.transition,
      who: 'director:abcd',
    }));
    timeline.addFromLog(logged);
    expect(timeline.entries()).toEqual(logged);
  });
});
