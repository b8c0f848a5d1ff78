import { describe, expect, it } from 'vitest';
import {
  apply,
  clockValueMs,
  formatClock,
  formatDuration,
  cornerRect,
  createInitialState,
  parse,
  CommandSchema,
  COMMAND_TYPES,
  takeProgress,
  testSources,
} from '../../protocol/index.ts';
import { T0, fresh, ok, run } from './reducer-helpers.ts';

describe('initial state', () => {
  it('puts the first source on program and the second on preview, and validates against its schema', () => {
    const state = fresh();
    expect(state).toMatchObject({ revision: 0, program: 'camera-1', preview: 'camera-2', take: null });
    expect(parse(CommandSchema, { type: 'program.take', source: 'camera-1' }).ok).toBe(true);
  });
});

describe('revision and compare-and-set', () => {
  it('increments the revision and stamps updatedAt on every change', () => {
    const before = fresh();
    const after = ok(apply(before, { type: 'program.preview', source: 'camera-3' }, { now: T0 + 5 }));
    expect(after.revision).toBe(1);
    expect(after.updatedAt).toBe(T0 + 5);
    expect(before.preview).toBe('camera-2'); // the input is never mutated
  });

  it('reports no change and keeps the revision for a command that changes nothing', () => {
    const state = fresh();
    const result = apply(state, { type: 'program.preview', source: 'camera-2' }, { now: T0 + 5 });
    expect(result).toEqual({ ok: true, state, changed: false });
  });

  it('applies a command whose ifRevision matches', () => {
    const state = run(fresh(), [{ type: 'score.adjust', team: 'home', delta: 1 }]);
    const next = ok(apply(state, { type: 'score.adjust', team: 'home', delta: 1, ifRevision: 1 }, { now: T0 + 2000 }));
    expect(next.scorebug.home.score).toBe(2);
    expect(next.revision).toBe(2);
  });

  it('rejects a stale ifRevision without applying it, even when the command would change nothing', () => {
    const state = run(fresh(), [{ type: 'score.adjust', team: 'home', delta: 1 }]);
    const stale = apply(state, { type: 'score.set', team: 'home', score: 5, ifRevision: 0 }, { now: T0 + 2000 });
    expect(stale.ok).toBe(false);
    expect(stale.state).toBe(state);
    expect(stale.changed).toBe(false);
    if (!stale.ok) expect(stale.error).toMatchObject({ code: 'STALE_REVISION', field: 'ifRevision' });
    const noop = apply(state, { type: 'pip.hide', ifRevision: 7 }, { now: T0 + 2000 });
    expect(noop.ok).toBe(false);
  });
});

describe('program.take', () => {
  it('takes a source with the current transition and records the take for renderers', () => {
    const state = ok(apply(fresh(), { type: 'program.take', source: 'camera-3' }, { now: T0 + 100 }));
    expect(state.program).toBe('camera-3');
    expect(state.preview).toBe('camera-2');
    expect(state.take).toEqual({
      from: 'camera-1',
      to: 'camera-3',
      transition: { type: 'mix', durationMs: 500, from: 'left', colour: '#000000' },
      startedAt: T0 + 100,
      interrupted: null,
    });
  });

  it('uses a one-off transition from the same request without changing the current transition', () => {
    const state = ok(
      apply(
        fresh(),
        { type: 'program.take', source: 'camera-4', transition: { type: 'wipe', from: 'top', durationMs: 800 } },
        { now: T0 },
      ),
    );
    expect(state.take?.transition).toEqual({ type: 'wipe', durationMs: 800, from: 'top', colour: '#000000' });
    expect(state.transition.type).toBe('mix');
  });

  it('rejects an unknown source and leaves the state alone', () => {
    const state = fresh();
    const result = apply(state, { type: 'program.take', source: 'camera-9' }, { now: T0 });
    expect(result.ok).toBe(false);
    expect(result.state).toBe(state);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'UNKNOWN_SOURCE', field: 'source' });
  });

  it('is a no-op to take what is already on program once its transition has finished', () => {
    const state = fresh();
    expect(apply(state, { type: 'program.take', source: 'camera-1' }, { now: T0 }).changed).toBe(false);
  });

  it('freezes an interrupted transition at its progress so the next one starts from what is on screen', () => {
    const mixing = ok(
      apply(fresh(), { type: 'program.take', source: 'camera-2', transition: { durationMs: 1000 } }, { now: T0 }),
    );
    const interrupted = ok(apply(mixing, { type: 'program.take', source: 'camera-3' }, { now: T0 + 250 }));
    expect(interrupted.program).toBe('camera-3');
    expect(interrupted.take).toMatchObject({
      from: 'camera-2',
      to: 'camera-3',
      startedAt: T0 + 250,
      interrupted: { from: 'camera-1', to: 'camera-2', progress: 0.25 },
    });
    // Taking back the source that is mid-transition is a real take, not a no-op.
    const back = apply(interrupted, { type: 'program.take', source: 'camera-3' }, { now: T0 + 300 });
    expect(back.changed).toBe(true);
  });

  it('does not carry an interruption once the earlier transition has finished, nor into a cut', () => {
    const mixing = ok(apply(fresh(), { type: 'program.take', source: 'camera-2' }, { now: T0 }));
    const later = ok(apply(mixing, { type: 'program.take', source: 'camera-3' }, { now: T0 + 600 }));
    expect(later.take?.interrupted).toBeNull();
    const cut = ok(
      apply(mixing, { type: 'program.take', source: 'camera-3', transition: { type: 'cut' } }, { now: T0 + 100 }),
    );
    expect(cut.take?.interrupted).toBeNull();
  });
});

describe('preview, auto and cut', () => {
  it('sets preview only to a known source', () => {
    expect(run(fresh(), [{ type: 'program.preview', source: 'camera-4' }]).preview).toBe('camera-4');
    const result = apply(fresh(), { type: 'program.preview', source: 'nope' }, { now: T0 });
    expect(result.ok ? null : result.error.code).toBe('UNKNOWN_SOURCE');
  });

  it('auto swaps preview and program with the current transition', () => {
    const state = run(fresh(), [{ type: 'program.auto' }]);
    expect(state).toMatchObject({ program: 'camera-2', preview: 'camera-1' });
    expect(state.take?.transition.type).toBe('mix');
  });

  it('cut swaps preview and program as a cut', () => {
    const state = run(fresh(), [{ type: 'program.cut' }]);
    expect(state).toMatchObject({ program: 'camera-2', preview: 'camera-1' });
    expect(state.take?.transition.type).toBe('cut');
    expect(state.transition.type).toBe('mix');
  });

  it('rejects auto and cut with nothing on preview', () => {
    const state = run(fresh(), [{ type: 'source.remove', id: 'camera-2' }]);
    expect(state.preview).toBeNull();
    for (const type of ['program.auto', 'program.cut'] as const) {
      const result = apply(state, { type }, { now: T0 });
      expect(result.ok ? null : result.error.code).toBe('NO_PREVIEW');
    }
  });
});

describe('transition.set', () => {
  it('merges into the current transition', () => {
    const state = run(fresh(), [
      { type: 'transition.set', transition: { type: 'dip', colour: '#ffffff', durationMs: 1200 } },
    ]);
    expect(state.transition).toEqual({ type: 'dip', durationMs: 1200, from: 'left', colour: '#ffffff' });
  });

  it('is limited to 0–5000 ms by its schema', () => {
    const bad = parse(CommandSchema, { type: 'transition.set', transition: { durationMs: 5001 } });
    expect(bad.ok).toBe(false);
    expect(parse(CommandSchema, { type: 'transition.set', transition: { durationMs: 0 } }).ok).toBe(true);
  });
});

describe('sources', () => {
  it('adds, relabels and removes sources', () => {
    let state = run(fresh(), [
      { type: 'source.add', source: { id: 'drone', label: 'Drone', kind: 'livekit', participant: 'cam-drone' } },
    ]);
    expect(state.sources.map((s) => s.id)).toEqual(['camera-1', 'camera-2', 'camera-3', 'camera-4', 'drone']);
    state = run(state, [{ type: 'source.update', id: 'drone', label: 'Sky cam' }]);
    expect(state.sources.at(-1)?.label).toBe('Sky cam');
    state = run(state, [{ type: 'source.remove', id: 'drone' }]);
    expect(state.sources).toHaveLength(4);
  });

  it('rejects a duplicate id, an unknown id, and removing the source on air', () => {
    const state = fresh();
    const dup = apply(state, { type: 'source.add', source: { id: 'camera-1', label: 'x', kind: 'test' } }, { now: T0 });
    expect(dup.ok ? null : dup.error.code).toBe('DUPLICATE_SOURCE');
    const unknown = apply(state, { type: 'source.update', id: 'ghost', label: 'x' }, { now: T0 });
    expect(unknown.ok ? null : unknown.error.code).toBe('UNKNOWN_SOURCE');
    const onAir = apply(state, { type: 'source.remove', id: 'camera-1' }, { now: T0 });
    expect(onAir.ok ? null : onAir.error.code).toBe('SOURCE_ON_AIR');
  });

  it('clears preview and PiP when their source is removed', () => {
    const state = run(fresh(), [
      { type: 'pip.set', source: 'camera-2', visible: true },
      { type: 'source.remove', id: 'camera-2' },
    ]);
    expect(state.preview).toBeNull();
    expect(state.pip).toMatchObject({ source: null, visible: false });
  });

  it('refuses more than 16 sources', () => {
    let state = createInitialState({ now: T0, sources: testSources(8) });
    for (let i = 0; i < 8; i += 1) {
      state = run(state, [{ type: 'source.add', source: { id: `extra-${i}`, label: `Extra ${i}`, kind: 'test' } }]);
    }
    const result = apply(
      state,
      { type: 'source.add', source: { id: 'one-more', label: 'x', kind: 'test' } },
      { now: T0 },
    );
    expect(result.ok ? null : result.error.code).toBe('TOO_MANY_SOURCES');
  });
});

describe('pip and layout', () => {
  it('sets the source, a corner preset or a rect, the border, and visibility', () => {
    let state = run(fresh(), [
      { type: 'pip.set', source: 'camera-3', corner: 'top-right', borderWidth: 6, borderColour: '#ffcc00' },
    ]);
    expect(state.pip).toEqual({
      visible: false,
      source: 'camera-3',
      rect: cornerRect('top-right'),
      corner: 'top-right',
      border: { width: 6, colour: '#ffcc00' },
    });
    state = run(state, [{ type: 'pip.show' }]);
    expect(state.pip.visible).toBe(true);
    state = run(state, [{ type: 'pip.set', rect: { x: 0.9, y: 0.5, w: 0.3, h: 0.3 } }]);
    expect(state.pip.corner).toBeNull();
    expect(state.pip.rect.x).toBeCloseTo(0.7); // kept inside the frame
    state = run(state, [{ type: 'pip.hide' }]);
    expect(state.pip.visible).toBe(false);
  });

  it('rejects showing PiP without a source and an unknown PiP source', () => {
    const show = apply(fresh(), { type: 'pip.show' }, { now: T0 });
    expect(show.ok ? null : show.error.code).toBe('NO_PIP_SOURCE');
    const unknown = apply(fresh(), { type: 'pip.set', source: 'ghost' }, { now: T0 });
    expect(unknown.ok ? null : unknown.error.code).toBe('UNKNOWN_SOURCE');
  });

  it('default PiP corner stays clear of the left-centre check region', () => {
    const { x } = cornerRect('bottom-right');
    expect(x).toBeGreaterThan(0.12);
  });

  it('sets the layout preset', () => {
    expect(run(fresh(), [{ type: 'layout.set', layout: 'quad' }]).layout).toBe('quad');
  });
});

describe('scorebug', () => {
  it('edits names, colours, period and visibility in one command', () => {
    const state = run(fresh(), [
      { type: 'scorebug.set', home: { name: 'Rovers', short: 'ROV', colour: '#00ff00' }, period: '2nd', visible: true },
    ]);
    expect(state.scorebug).toMatchObject({
      visible: true,
      period: '2nd',
      home: { name: 'Rovers', short: 'ROV', colour: '#00ff00', score: 0 },
      away: { name: 'Away' },
    });
  });

  it('adjusts and sets scores, clamped to 0–999', () => {
    let state = run(fresh(), [
      { type: 'score.adjust', team: 'away', delta: 1 },
      { type: 'score.adjust', team: 'away', delta: 1 },
      { type: 'score.adjust', team: 'away', delta: -1 },
    ]);
    expect(state.scorebug.away.score).toBe(1);
    state = run(state, [{ type: 'score.adjust', team: 'away', delta: -5 }]);
    expect(state.scorebug.away.score).toBe(0);
    expect(apply(state, { type: 'score.adjust', team: 'away', delta: -1 }, { now: T0 }).changed).toBe(false);
    state = run(state, [
      { type: 'score.set', team: 'home', score: 998 },
      { type: 'score.adjust', team: 'home', delta: 5 },
    ]);
    expect(state.scorebug.home.score).toBe(999);
  });

  it('rejects a short name over four characters and a bad colour by schema', () => {
    expect(parse(CommandSchema, { type: 'scorebug.set', home: { short: 'ROVER' } }).ok).toBe(false);
    const bad = parse(CommandSchema, { type: 'scorebug.set', home: { colour: 'red' } });
    expect(bad.ok ? null : bad.error.field).toBe('/home/colour');
  });
});

describe('game clock', () => {
  it('runs from the server time it started at, and stops at the value it reached', () => {
    let state = run(fresh(), [{ type: 'clock.start' }], T0);
    expect(state.clock).toMatchObject({ running: true, startedAt: T0, baseMs: 0 });
    expect(clockValueMs(state.clock, T0 + 61_500)).toBe(61_500);
    state = ok(apply(state, { type: 'clock.stop' }, { now: T0 + 61_500 }));
    expect(state.clock).toMatchObject({ running: false, startedAt: null, baseMs: 61_500 });
    expect(clockValueMs(state.clock, T0 + 999_999)).toBe(61_500);
  });

  it('reads as a match clock: minutes run past 59 (second half, extra time), never hours', () => {
    expect(formatClock(67 * 60_000 + 16_500, 'up')).toBe('67:16');
    expect(formatClock(105 * 60_000, 'up')).toBe('105:00');
    expect(formatClock(45 * 60_000 - 200, 'down')).toBe('45:00'); // a started second shows counting down
    // Lengths of time (recordings, time live) do use hours.
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(65_000)).toBe('01:05');
  });

  it('ignores start while running and stop while stopped', () => {
    const running = run(fresh(), [{ type: 'clock.start' }], T0);
    expect(apply(running, { type: 'clock.start' }, { now: T0 + 10_000 }).changed).toBe(false);
    expect(apply(fresh(), { type: 'clock.stop' }, { now: T0 }).changed).toBe(false);
  });

  it('set while running re-bases and keeps running', () => {
    const running = run(fresh(), [{ type: 'clock.start' }], T0);
    const set = ok(apply(running, { type: 'clock.set', valueMs: 45 * 60_000 }, { now: T0 + 5000 }));
    expect(set.clock).toMatchObject({ running: true, baseMs: 2_700_000, startedAt: T0 + 5000 });
    expect(clockValueMs(set.clock, T0 + 6000)).toBe(2_701_000);
  });

  it('adjust while running moves the value by the delta, never below zero', () => {
    const running = run(fresh(), [{ type: 'clock.start' }], T0);
    const plus = ok(apply(running, { type: 'clock.adjust', deltaMs: 1000 }, { now: T0 + 10_000 }));
    expect(clockValueMs(plus.clock, T0 + 10_000)).toBe(11_000);
    const minus = ok(apply(plus, { type: 'clock.adjust', deltaMs: -60_000 }, { now: T0 + 10_000 }));
    expect(clockValueMs(minus.clock, T0 + 10_000)).toBe(0);
  });

  it('counts down to zero and stops there; counts up to a limit', () => {
    let state = run(
      fresh(),
      [
        { type: 'clock.configure', direction: 'down' },
        { type: 'clock.set', valueMs: 10_000 },
      ],
      T0,
    );
    state = ok(apply(state, { type: 'clock.start' }, { now: T0 }));
    expect(clockValueMs(state.clock, T0 + 4_000)).toBe(6_000);
    expect(clockValueMs(state.clock, T0 + 60_000)).toBe(0);
    const up = run(fresh(), [{ type: 'clock.configure', limitMs: 45 * 60_000 }, { type: 'clock.start' }], T0);
    expect(clockValueMs(up.clock, T0 + 50 * 60_000)).toBe(45 * 60_000);
    const set = ok(apply(up, { type: 'clock.set', valueMs: 50 * 60_000 }, { now: T0 }));
    expect(set.clock.baseMs).toBe(45 * 60_000);
  });

  it('changing direction while running keeps the value on screen', () => {
    const running = run(fresh(), [{ type: 'clock.start' }], T0);
    const down = ok(apply(running, { type: 'clock.configure', direction: 'down' }, { now: T0 + 30_000 }));
    expect(clockValueMs(down.clock, T0 + 30_000)).toBe(30_000);
    expect(clockValueMs(down.clock, T0 + 40_000)).toBe(20_000);
  });
});

describe('lower third', () => {
  it('shows with text, updates while on air, and hides keeping its text', () => {
    let state = run(fresh(), [{ type: 'lowerThird.show', title: 'Jane Doe', subtitle: 'Captain' }]);
    expect(state.lowerThird).toEqual({ visible: true, title: 'Jane Doe', subtitle: 'Captain' });
    state = run(state, [{ type: 'lowerThird.update', subtitle: 'Captain, #10' }]);
    expect(state.lowerThird).toEqual({ visible: true, title: 'Jane Doe', subtitle: 'Captain, #10' });
    state = run(state, [{ type: 'lowerThird.hide' }]);
    expect(state.lowerThird).toEqual({ visible: false, title: 'Jane Doe', subtitle: 'Captain, #10' });
    const prepared = run(fresh(), [{ type: 'lowerThird.update', title: 'Next' }]);
    expect(prepared.lowerThird.visible).toBe(false);
  });
});

describe('timing helpers', () => {
  it('computes take progress from server time', () => {
    const state = ok(
      apply(fresh(), { type: 'program.take', source: 'camera-2', transition: { durationMs: 1000 } }, { now: T0 }),
    );
    if (state.take === null) throw new Error('no take');
    expect(takeProgress(state.take, T0 - 10)).toBe(0);
    expect(takeProgress(state.take, T0 + 500)).toBe(0.5);
    expect(takeProgress(state.take, T0 + 5000)).toBe(1);
  });
});

describe('scheduled takes', () => {
  const NOW = T0 + 1000;
  const mix = { type: 'mix', durationMs: 1000 } as const;

  it('records the take at its server time; every renderer shows the old picture until then', () => {
    const state = run(fresh(), [{ type: 'program.take', source: 'camera-3', transition: mix, at: NOW + 5000 }], NOW);
    expect(state.program).toBe('camera-3');
    expect(state.take).toMatchObject({ from: 'camera-1', to: 'camera-3', startedAt: NOW + 5000 });
    expect(takeProgress(state.take!, NOW + 4999)).toBe(0);
    expect(takeProgress(state.take!, NOW + 5500)).toBeCloseTo(0.5);
    // A scheduled cut is not instant before its time either.
    const cut = run(fresh(), [{ type: 'program.cut', at: NOW + 2000 }], NOW);
    expect(takeProgress(cut.take!, NOW + 1999)).toBe(0);
    expect(takeProgress(cut.take!, NOW + 2000)).toBe(1);
  });

  it('refuses a time in the past or more than 60 s ahead, naming the field, and changes nothing', () => {
    const state = fresh();
    for (const at of [NOW - 1, NOW + 60_001]) {
      const result = apply(state, { type: 'program.take', source: 'camera-3', at }, { now: NOW });
      expect(result.ok).toBe(false);
      expect(result.ok ? null : result.error).toMatchObject({ code: 'SCHEDULE_OUT_OF_RANGE', field: 'at' });
      expect(result.state).toBe(state);
    }
  });

  it('cancels a pending take: program, preview and picture as before', () => {
    const before = fresh();
    const scheduled = run(before, [{ type: 'program.auto', at: NOW + 3000 }], NOW);
    expect(scheduled).toMatchObject({ program: 'camera-2', preview: 'camera-1' });
    const cancelled = ok(apply(scheduled, { type: 'program.cancel' }, { now: NOW + 1000 }));
    expect(cancelled).toMatchObject({ program: 'camera-1', preview: 'camera-2' });
    expect(takeProgress(cancelled.take!, NOW + 1000)).toBe(1);
    expect(cancelled.take?.to).toBe('camera-1');
    // Once the take has started there is nothing to cancel.
    const late = apply(scheduled, { type: 'program.cancel' }, { now: NOW + 3000 });
    expect(late.ok ? null : late.error.code).toBe('NOTHING_SCHEDULED');
  });

  it('a new take while one is scheduled replaces it, starting from what is on screen', () => {
    const scheduled = run(fresh(), [{ type: 'program.take', source: 'camera-3', at: NOW + 3000 }], NOW);
    const replaced = ok(apply(scheduled, { type: 'program.take', source: 'camera-4' }, { now: NOW + 100 }));
    expect(replaced.take).toMatchObject({ from: 'camera-1', to: 'camera-4', startedAt: NOW + 100 });
  });

  it('cancelling a take scheduled during a mix leaves that mix running as it was', () => {
    const mixing = run(fresh(), [{ type: 'program.take', source: 'camera-2', transition: mix }], NOW);
    const scheduled = ok(
      apply(mixing, { type: 'program.take', source: 'camera-3', transition: mix, at: NOW + 500 }, { now: NOW + 100 }),
    );
    expect(scheduled.take?.interrupted).toMatchObject({ to: 'camera-2', progress: 0.5 });
    const cancelled = ok(apply(scheduled, { type: 'program.cancel' }, { now: NOW + 200 }));
    expect(cancelled.take).toMatchObject({ from: 'camera-1', to: 'camera-2', startedAt: NOW });
    expect(cancelled.program).toBe('camera-2');
  });
});

describe('command schema', () => {
  it('covers every command type with a test above (replay.* and iso.arm in replay-reducer.test.ts, audio.* in audio-reducer.test.ts, feed.* in feed-reducer.test.ts, sponsors.* in sponsor-rotation.test.ts, ograf.* in ograf-reducer.test.ts)', () => {
    expect(COMMAND_TYPES).toHaveLength(44);
  });

  it('names the field of a bad command', () => {
    const missing = parse(CommandSchema, { type: 'program.take' });
    expect(missing.ok).toBe(false);
    const extra = parse(CommandSchema, { type: 'pip.hide', colour: 'x' });
    expect(extra.ok).toBe(false);
    const badId = parse(CommandSchema, { type: 'program.take', source: 'Camera 1' });
    expect(badId.ok ? null : badId.error.field).toBe('/source');
  });
});
