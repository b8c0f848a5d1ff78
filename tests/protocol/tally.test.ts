// The one tally rule every tally light follows (camera page, director tiles and camera list, obs-websocket):
// red = the source's live picture is on air; a replay is not live.
import { describe, expect, it } from 'vitest';
import {
  apply,
  createInitialState,
  nextTallyChange,
  REPLAY_CUE_MS,
  REPLAY_TRANSITION,
  tallies,
  testSources,
  type Command,
  type ProgramState,
  type ReplayClipRef,
} from '../../protocol/index.ts';

const T0 = 1_700_000_000_000;
const CLIP: ReplayClipRef = {
  id: 'c1',
  source: 'camera-3',
  fromMs: T0 - 4000,
  toMs: T0,
  mediaOffsetMs: 0,
  media: 'abcd1234-1.webm',
};

function run(state: ProgramState, now: number, ...commands: Command[]): ProgramState {
  for (const command of commands) {
    const result = apply(state, command, { now });
    if (!result.ok) throw new Error(`${command.type}: ${result.error.message}`);
    state = result.state;
  }
  return state;
}

/** Tally of camera-1..4 as a compact record. */
function lights(state: ProgramState, now: number): Record<string, string> {
  return Object.fromEntries(tallies(state, now));
}

const base = () =>
  run(createInitialState({ now: T0, sources: testSources(4) }), T0, { type: 'program.preview', source: 'camera-2' });

describe('tally', () => {
  it('lights program red and preview green, and keeps a source being mixed out red until the mix ends', () => {
    const state = base();
    expect(lights(state, T0)).toEqual({
      'camera-1': 'program',
      'camera-2': 'preview',
      'camera-3': 'none',
      'camera-4': 'none',
    });
    const mixing = run(state, T0 + 10, {
      type: 'program.take',
      source: 'camera-2',
      transition: { type: 'mix', durationMs: 1000 },
    });
    expect(lights(mixing, T0 + 500)).toMatchObject({ 'camera-1': 'program', 'camera-2': 'program' });
    const after = lights(mixing, T0 + 1011);
    expect([after['camera-1'], after['camera-2']]).toEqual([
      mixing.preview === 'camera-1' ? 'preview' : 'none',
      'program',
    ]);
    const take = mixing.take!;
    expect(nextTallyChange(mixing, take.startedAt + 1)).toBe(take.startedAt + take.transition.durationMs);
  });

  it('a scheduled take is not on air before its time', () => {
    const scheduled = run(base(), T0, {
      type: 'program.take',
      source: 'camera-4',
      transition: { type: 'cut' },
      at: T0 + 2000,
    });
    expect(lights(scheduled, T0 + 1000)).toMatchObject({ 'camera-1': 'program', 'camera-4': 'none' });
    expect(lights(scheduled, T0 + 2000)).toMatchObject({ 'camera-1': 'none', 'camera-4': 'program' });
    expect(nextTallyChange(scheduled, T0 + 1000)).toBe(T0 + 2000);
  });

  it('during a replay of camera-3 no camera is red for it: the live source is dark, camera-3 shows replay', () => {
    const played = run(base(), T0, { type: 'replay.play', clip: CLIP, speed: 1 });
    const roll = T0 + REPLAY_CUE_MS;
    const wiped = roll + REPLAY_TRANSITION.durationMs;
    // Cued: the live picture is still on air.
    expect(lights(played, roll - 1)).toMatchObject({ 'camera-1': 'program', 'camera-3': 'none' });
    // The wipe: camera-1 is being wiped off (still on air), the replay of camera-3 is coming in.
    expect(lights(played, roll + 100)).toMatchObject({ 'camera-1': 'program', 'camera-3': 'replay' });
    // The replay alone on air: no camera red; preview stays green.
    expect(lights(played, wiped + 1)).toEqual({
      'camera-1': 'none',
      'camera-2': 'preview',
      'camera-3': 'replay',
      'camera-4': 'none',
    });
    expect(nextTallyChange(played, wiped + 1)).toBe(played.replay!.endsAt);
    // The automatic return by server time, before the controller's replay.end has been committed.
    const back = played.replay!.endsAt + REPLAY_TRANSITION.durationMs + 1;
    expect(lights(played, back)).toMatchObject({ 'camera-1': 'program', 'camera-3': 'none' });
    expect(nextTallyChange(played, back)).toBeNull();
  });

  it('a live picture on air during a replay is still red (PiP), and preview wins over replay', () => {
    const played = run(
      base(),
      T0,
      { type: 'pip.set', source: 'camera-4' },
      { type: 'pip.show' },
      { type: 'program.preview', source: 'camera-3' },
      { type: 'replay.play', clip: CLIP, speed: 0.5 },
    );
    const during = T0 + REPLAY_CUE_MS + REPLAY_TRANSITION.durationMs + 1000;
    expect(lights(played, during)).toEqual({
      'camera-1': 'none',
      'camera-2': 'none',
      'camera-3': 'preview',
      'camera-4': 'program',
    });
  });

  it('a replay that stays on its last frame keeps the live source dark until a take', () => {
    const played = run(base(), T0, { type: 'replay.play', clip: CLIP, speed: 1, return: false });
    const after = played.replay!.endsAt + 5000;
    expect(lights(played, after)).toMatchObject({ 'camera-1': 'none', 'camera-3': 'replay' });
    expect(nextTallyChange(played, after)).toBeNull();
  });
});
