// Replays in the pure reducer: a replay is program state (clip, speed, server-time start), so every renderer
// derives the same frame and the same automatic return from state and server time alone.
import { describe, expect, it } from 'vitest';
import {
  apply,
  createInitialState,
  parse,
  ProgramStateSchema,
  REPLAY_CUE_MS,
  REPLAY_SOURCE_ID,
  REPLAY_TRANSITION,
  replayMediaPositionMs,
  settleReplay,
  testSources,
  type ApplyResult,
  type Command,
  type ProgramState,
  type ReplayClipRef,
} from '../../protocol/index.ts';

const T0 = 1_700_000_000_000;
/** Played at T0 + 1000: rolls after the cue. */
const ROLL = T0 + 1000 + REPLAY_CUE_MS;
const CLIP: ReplayClipRef = {
  id: 'c1',
  source: 'camera-3',
  fromMs: T0 - 5000,
  toMs: T0,
  mediaOffsetMs: 700,
  media: 'abcd1234-1.webm',
};

function result(state: ProgramState, command: Command, now: number): ApplyResult {
  return apply(state, command, { now });
}

function ok(r: ApplyResult): ProgramState {
  if (!r.ok) throw new Error(`rejected: ${r.error.code} ${r.error.message}`);
  return r.state;
}

function playing(now = T0 + 1000, extra: Partial<Extract<Command, { type: 'replay.play' }>> = {}): ProgramState {
  const state = createInitialState({ now: T0, sources: testSources(4) });
  return ok(result(state, { type: 'replay.play', clip: CLIP, speed: 0.5, ...extra }, now));
}

describe('replay in the reducer', () => {
  it('cues the replay, then puts it on program with a transition in; it ends at clip length / speed', () => {
    const state = playing();
    expect(state.program).toBe(REPLAY_SOURCE_ID);
    expect(state.take).toMatchObject({ from: 'camera-1', to: REPLAY_SOURCE_ID, startedAt: ROLL });
    expect(state.take?.transition).toEqual(REPLAY_TRANSITION);
    expect(state.replay).toMatchObject({ speed: 0.5, startedAt: ROLL, endsAt: ROLL + 10_000, returnTo: 'camera-1' });
    expect(parse(ProgramStateSchema, state).ok).toBe(true);
  });

  it('cues a clip for every renderer to preload, independent of what is on program', () => {
    const state = createInitialState({ now: T0, sources: testSources(4) });
    const cued = ok(result(state, { type: 'replay.cue', clip: CLIP }, T0));
    expect([cued.replayCue, cued.program, cued.take]).toEqual([CLIP, state.program, state.take]);
    expect(parse(ProgramStateSchema, cued).ok).toBe(true);
    const rolled = ok(result(cued, { type: 'replay.play', clip: CLIP, speed: 1 }, T0 + 10));
    expect(rolled.replayCue).toEqual(CLIP);
    expect(ok(result(rolled, { type: 'replay.cue', clip: null }, T0 + 20)).replayCue).toBeNull();
  });

  it('derives the clip position from server time (a reload mid-replay resumes at the same frame)', () => {
    const replay = playing().replay!;
    expect(replayMediaPositionMs(replay, T0 + 1000)).toBe(700);
    expect(replayMediaPositionMs(replay, ROLL + 4000)).toBe(700 + 2000);
    expect(replayMediaPositionMs(replay, T0 + 60_000)).toBe(700 + 5000);
  });

  it('returns to the live source at the end: renderers settle by server time, replay.end stores the same', () => {
    const state = playing();
    expect(settleReplay(state, ROLL + 9_999)).toBe(state);
    const drawn = settleReplay(state, ROLL + 10_000);
    expect(drawn).toMatchObject({ program: 'camera-1', replay: null });
    expect(drawn.take).toMatchObject({ from: REPLAY_SOURCE_ID, to: 'camera-1', startedAt: ROLL + 10_000 });
    const stored = ok(result(state, { type: 'replay.end' }, ROLL + 10_250));
    expect({ ...stored, revision: 0, updatedAt: 0 }).toEqual({ ...drawn, revision: 0, updatedAt: 0 });
    // Before the end it is a no-op.
    expect(result(state, { type: 'replay.end' }, T0 + 5000)).toMatchObject({ ok: true, changed: false });
  });

  it('stays on the last frame when asked, until replay.stop', () => {
    const state = playing(T0 + 1000, { return: false });
    expect(settleReplay(state, T0 + 60_000)).toBe(state);
    const stopped = ok(result(state, { type: 'replay.stop' }, T0 + 60_000));
    expect(stopped).toMatchObject({ program: 'camera-1', replay: null });
    expect(result(stopped, { type: 'replay.stop' }, T0 + 61_000)).toMatchObject({
      ok: false,
      error: { code: 'NO_REPLAY' },
    });
  });

  it('a cued replay can be cancelled: the live picture never left', () => {
    const cancelled = ok(result(playing(), { type: 'program.cancel' }, T0 + 1200));
    expect(cancelled).toMatchObject({ program: 'camera-1', preview: 'camera-2', replay: null });
  });

  it('a take during a replay ends it; AUTO never puts the replay on preview', () => {
    const taken = ok(result(playing(), { type: 'program.take', source: 'camera-4' }, T0 + 2000));
    expect(taken).toMatchObject({ program: 'camera-4', replay: null });
    const auto = ok(result(playing(), { type: 'program.auto' }, T0 + 2000));
    expect(auto.program).toBe('camera-2');
    expect(auto.preview).toBe('camera-1');
  });

  it('a replay over a replay returns to the live source of the first', () => {
    const second = ok(result(playing(), { type: 'replay.play', clip: { ...CLIP, id: 'c2' }, speed: 1 }, T0 + 3000));
    expect(second.replay).toMatchObject({ returnTo: 'camera-1', clip: { id: 'c2' } });
    expect(second.take).toMatchObject({ from: REPLAY_SOURCE_ID, to: REPLAY_SOURCE_ID });
  });

  it('arms and disarms the ISO recordings', () => {
    const state = createInitialState({ now: T0, sources: testSources(2) });
    const armed = ok(result(state, { type: 'iso.arm', armed: true }, T0));
    expect(armed.isoArmed).toBe(true);
    expect(ok(result(armed, { type: 'iso.arm', armed: false }, T0)).isoArmed).toBe(false);
  });

  it('keeps the replay id to itself', () => {
    const state = createInitialState({ now: T0, sources: testSources(2) });
    expect(result(state, { type: 'program.take', source: REPLAY_SOURCE_ID }, T0)).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_SOURCE', field: 'source' },
    });
    expect(
      result(state, { type: 'source.add', source: { id: REPLAY_SOURCE_ID, label: 'R', kind: 'test' } }, T0),
    ).toMatchObject({ ok: false, error: { code: 'RESERVED_SOURCE', field: 'source.id' } });
  });

  it('the live source removed during a replay: the replay holds its last frame', () => {
    const state = ok(result(playing(), { type: 'source.remove', id: 'camera-1' }, T0 + 2000));
    expect(state.replay?.returnTo).toBeNull();
    expect(settleReplay(state, T0 + 60_000).program).toBe(REPLAY_SOURCE_ID);
  });
});
