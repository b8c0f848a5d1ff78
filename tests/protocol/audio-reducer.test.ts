import { describe, expect, it } from 'vitest';
import {
  apply,
  audioSourceSettings,
  AUDIO_REMEMBERED_SOURCES,
  CommandSchema,
  defaultAudioMaster,
  defaultAudioState,
  parse,
  pictureSources,
  recordsInternational,
  testSources,
} from '../../protocol/index.ts';
import { T0, fresh, run } from './reducer-helpers.ts';

describe('audio.source', () => {
  it('changes only the fields given, with a revision, from the source defaults', () => {
    const state = run(fresh(), [{ type: 'audio.source', source: 'camera-2', gainDb: -6, mode: 'on' }]);
    expect(state.revision).toBe(1);
    expect(state.audio?.sources['camera-2']).toEqual({
      gainDb: -6,
      muted: false,
      mode: 'on',
      delayMs: 0,
      duckOthers: false,
    });
    const muted = run(state, [{ type: 'audio.source', source: 'camera-2', muted: true, delayMs: 200 }]);
    expect(muted.audio?.sources['camera-2']).toMatchObject({ gainDb: -6, mode: 'on', muted: true, delayMs: 200 });
    expect(muted.revision).toBe(2);
  });

  it('changes nothing (same revision) when the settings are already so', () => {
    const state = fresh();
    const untouched = apply(
      state,
      { type: 'audio.source', source: 'camera-1', gainDb: 0, mode: 'follow' },
      { now: T0 },
    );
    expect(untouched).toEqual({ ok: true, state, changed: false });
    // A state stored before the mixer existed gains nothing from a no-op either.
    const { audio: _audio, ...old } = state;
    const oldResult = apply(old, { type: 'audio.source', source: 'camera-1', muted: false }, { now: T0 });
    expect(oldResult).toEqual({ ok: true, state: old, changed: false });
  });

  it('refuses a source that is not in the event, naming `source`, and leaves the state alone', () => {
    const state = fresh();
    const result = apply(state, { type: 'audio.source', source: 'camera-9', gainDb: -6 }, { now: T0 });
    expect(result).toMatchObject({ ok: false, changed: false, error: { code: 'UNKNOWN_SOURCE', field: 'source' } });
    expect(result.state).toBe(state);
    const replay = apply(state, { type: 'audio.source', source: 'replay', muted: true }, { now: T0 });
    expect(replay).toMatchObject({ ok: false, error: { field: 'source' } });
  });

  it('keeps the settings of a source that leaves, for when it comes back', () => {
    const [, second] = testSources(4);
    const state = run(fresh(), [
      { type: 'audio.source', source: 'camera-2', gainDb: -12, muted: true },
      { type: 'source.remove', id: 'camera-2' },
    ]);
    expect(state.sources.map((s) => s.id)).not.toContain('camera-2');
    expect(state.audio?.sources['camera-2']).toMatchObject({ gainDb: -12, muted: true });
    const back = run(state, [{ type: 'source.add', source: second! }]);
    expect(back.audio?.sources['camera-2']).toMatchObject({ gainDb: -12, muted: true });
  });

  it('forgets the oldest absent sources once it remembers too many', () => {
    let state = fresh();
    const extra = AUDIO_REMEMBERED_SOURCES + 3;
    for (let i = 0; i < extra; i += 1) {
      const id = `mic-${i}`;
      state = run(state, [
        { type: 'source.add', source: { id, label: `Mic ${i}`, kind: 'test' } },
        { type: 'audio.source', source: id, mode: 'on' },
        { type: 'source.remove', id },
      ]);
    }
    const remembered = Object.keys(state.audio?.sources ?? {});
    expect(remembered).toHaveLength(AUDIO_REMEMBERED_SOURCES);
    expect(remembered).not.toContain('mic-0');
    expect(remembered).toContain(`mic-${extra - 1}`);
  });
});

describe('audio.master', () => {
  it('merges nested groups field by field', () => {
    const state = run(fresh(), [
      { type: 'audio.master', gainDb: -3, limiter: { ceilingDbtp: -2 } },
      { type: 'audio.master', loudness: { targetLufs: -23 }, duck: { depthDb: -15 } },
    ]);
    expect(state.audio?.master).toEqual({
      ...defaultAudioMaster(),
      gainDb: -3,
      limiter: { on: true, ceilingDbtp: -2 },
      loudness: { targetLufs: -23, leveler: false },
      duck: { depthDb: -15, thresholdDb: -40 },
    });
    expect(state.revision).toBe(2);
  });

  it('is a no-op for an empty patch', () => {
    const state = fresh();
    expect(apply(state, { type: 'audio.master' }, { now: T0 })).toEqual({ ok: true, state, changed: false });
  });

  it('starts from the defaults in a new event', () => {
    expect(fresh().audio).toEqual(defaultAudioState());
  });

  it('turns the international sound on and off for the next recording, off by default', () => {
    expect(recordsInternational(fresh().audio)).toBe(false);
    expect(fresh().audio?.master).not.toHaveProperty('international');
    const on = run(fresh(), [{ type: 'audio.master', international: true }]);
    expect(recordsInternational(on.audio)).toBe(true);
    expect(on.revision).toBe(1);
    // Another master change keeps it; setting it again changes nothing.
    const faded = run(on, [{ type: 'audio.master', gainDb: -6 }]);
    expect(faded.audio?.master).toMatchObject({ gainDb: -6, international: true });
    expect(apply(faded, { type: 'audio.master', international: true }, { now: T0 })).toMatchObject({
      changed: false,
    });
    const off = run(faded, [{ type: 'audio.master', international: false }]);
    expect(recordsInternational(off.audio)).toBe(false);
    expect(off.revision).toBe(faded.revision + 1);
  });
});

describe('audio command schema', () => {
  it('names the out-of-range field, never clamps', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'audio.source', source: 'camera-1', gainDb: -61 }, '/gainDb'],
      [{ type: 'audio.source', source: 'camera-1', gainDb: 10.5 }, '/gainDb'],
      [{ type: 'audio.source', source: 'camera-1', delayMs: 1001 }, '/delayMs'],
      [{ type: 'audio.source', source: 'camera-1', delayMs: -1 }, '/delayMs'],
      [{ type: 'audio.source', source: 'camera-1', mode: 'loud' }, '/mode'],
      [{ type: 'audio.master', limiter: { ceilingDbtp: 1 } }, '/limiter/ceilingDbtp'],
      [{ type: 'audio.master', loudness: { targetLufs: -18 } }, '/loudness/targetLufs'],
      [{ type: 'audio.master', limiter: { knee: 3 } }, '/limiter/knee'],
      [{ type: 'audio.master', international: 'yes' }, '/international'],
    ];
    for (const [input, field] of cases) {
      const result = parse(CommandSchema, input);
      expect(result.ok ? null : result.error.field, JSON.stringify(input)).toBe(field);
    }
    expect(parse(CommandSchema, { type: 'audio.source', source: 'camera-1', gainDb: -60 }).ok).toBe(true);
  });
});

describe('a commentary source (sound only)', () => {
  const seat = { id: 'seat-abc123', label: 'Booth', kind: 'commentary', participant: 'seat-abc123' } as const;
  const withSeat = () => run(fresh(), [{ type: 'source.add', source: seat }]);

  it('starts on and ducking the others; its strip changes like any other', () => {
    const state = withSeat();
    expect(audioSourceSettings(state.audio, seat)).toEqual({
      gainDb: 0,
      muted: false,
      mode: 'on',
      delayMs: 0,
      duckOthers: true,
    });
    const changed = run(state, [{ type: 'audio.source', source: seat.id, muted: true }]);
    expect(audioSourceSettings(changed.audio, seat)).toMatchObject({ mode: 'on', duckOthers: true, muted: true });
  });

  it('is never on program, preview or PiP, and the picture lists leave it out', () => {
    const state = withSeat();
    for (const command of [
      { type: 'program.take', source: seat.id },
      { type: 'program.preview', source: seat.id },
      { type: 'pip.set', source: seat.id },
    ] as const) {
      const result = apply(state, command, { now: T0 + 2000 });
      expect(result.ok, command.type).toBe(false);
      if (!result.ok) expect(result.error, command.type).toMatchObject({ code: 'SOUND_ONLY', field: 'source' });
    }
    expect(pictureSources(state.sources).map((s) => s.id)).toEqual(['camera-1', 'camera-2', 'camera-3', 'camera-4']);
  });
});
