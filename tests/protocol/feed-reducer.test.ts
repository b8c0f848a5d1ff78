// The reducer's data-feed part (protocol/feed-reducer.ts): what a packet owns, what an operator's hand takes back,
// what a release restores, how the feed clock is kept, and when the feed is stale. Pure: no controller.
import { describe, expect, it } from 'vitest';
import { apply, clockValueMs, type Command, type ProgramState } from '../../protocol/index.ts';
import { T0, fresh, ok } from './reducer-helpers.ts';

const at = (state: ProgramState, command: Command, now: number) => ok(apply(state, command, { now }));

describe('feed reducer', () => {
  it('sets owned fields, keeps operator overrides, and releases to the feed value', () => {
    let state = at(fresh(), { type: 'feed.update', kind: 'push', home: { score: 2 }, period: '2nd' }, T0);
    expect(state.scorebug.home.score).toBe(2);
    expect(state.feed?.owned).toEqual(['home.score', 'period']);
    state = at(state, { type: 'score.adjust', team: 'home', delta: 1 }, T0 + 10);
    expect(state.feed?.overridden).toEqual(['home.score']);
    // A field the feed does not own is not overridden by hand.
    state = at(state, { type: 'score.set', team: 'away', score: 4 }, T0 + 20);
    expect(state.feed?.overridden).toEqual(['home.score']);
    state = at(state, { type: 'feed.update', kind: 'push', home: { score: 5 }, period: '3rd' }, T0 + 30);
    expect([state.scorebug.home.score, state.scorebug.period]).toEqual([3, '3rd']);
    state = at(state, { type: 'feed.release', field: 'home.score' }, T0 + 40);
    expect(state.scorebug.home.score).toBe(5);
    expect(state.feed?.overridden).toEqual([]);
  });

  it('runs the clock from the packet time, keeps it within the tolerance, and restores it on release', () => {
    let state = at(fresh(), { type: 'feed.update', kind: 'daktronics', clock: { ms: 60_000, running: true } }, T0);
    expect(state.clock).toMatchObject({ running: true, baseMs: 60_000, startedAt: T0 });
    // 5 s later the console says 65.4 s (it shows whole seconds): within the tolerance, the clock is not re-based.
    state = at(state, { type: 'feed.update', kind: 'daktronics', clock: { ms: 65_400 } }, T0 + 5000);
    expect(state.clock).toMatchObject({ baseMs: 60_000, startedAt: T0 });
    // 2 s off is not a display's rounding: re-based.
    expect(
      at(state, { type: 'feed.update', kind: 'daktronics', clock: { ms: 63_000 } }, T0 + 5000).clock,
    ).toMatchObject({
      baseMs: 63_000,
      startedAt: T0 + 5000,
    });
    state = at(state, { type: 'clock.stop' }, T0 + 5000);
    expect(state.feed?.overridden).toEqual(['clock']);
    state = at(state, { type: 'feed.update', kind: 'daktronics', clock: { ms: 70_000, running: true } }, T0 + 10_000);
    expect(state.clock.running).toBe(false);
    state = at(state, { type: 'feed.release', field: 'clock' }, T0 + 12_000);
    expect(clockValueMs(state.clock, T0 + 12_000)).toBe(72_000);
  });

  it('is stale only once quiet for staleAfterMs, and live again with the next packet', () => {
    let state = at(fresh(), { type: 'feed.configure', staleAfterMs: 4000 }, T0);
    state = at(state, { type: 'feed.update', kind: 'push', home: { score: 1 } }, T0);
    expect(at(state, { type: 'feed.stale' }, T0 + 2000).feed?.stale).toBe(false);
    state = at(state, { type: 'feed.stale' }, T0 + 4000);
    expect(state.feed?.stale).toBe(true);
    state = at(state, { type: 'feed.update', kind: 'push', home: { score: 1 } }, T0 + 5000);
    expect(state.feed?.stale).toBe(false);
  });

  it('merges fields, removes a null one, and refuses more than the limit', () => {
    let state = at(fresh(), { type: 'feed.update', kind: 'push', fields: { a: 1, b: 'x' } }, T0);
    state = at(state, { type: 'feed.update', kind: 'push', fields: { a: null, c: true } }, T0 + 10);
    expect(state.feed?.fields).toEqual({ b: 'x', c: true });
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`f${i}`, i]));
    const refused = apply(state, { type: 'feed.update', kind: 'push', fields: many }, { now: T0 + 20 });
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'TOO_MANY_FIELDS', field: 'fields' });
  });
});
