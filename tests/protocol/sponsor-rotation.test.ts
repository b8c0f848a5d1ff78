// The sponsor rotation as a pure function of state and server time: exact shares over whole cycles, the
// play/break windows, and no sponsor (and no credit) during a replay or the 30 s after a goal.
import { describe, expect, it } from 'vitest';
import {
  apply,
  parse,
  ProgramStateSchema,
  REPLAY_CUE_MS,
  REPLAY_TRANSITION,
  SPONSOR_GOAL_BLOCK_MS,
  sponsorCycle,
  sponsorExposure,
  sponsorOnAir,
  sponsorReport,
  type Command,
  type ProgramState,
  type Sponsor,
  type SponsorWindow,
} from '../../protocol/index.ts';
import { fresh, ok, T0 } from './reducer-helpers.ts';

const IMAGE = '0123456789abcdef0123456789abcdef.png';

function sponsor(id: string, weight: number, windows: SponsorWindow[] = ['play', 'break'], durationMs = 5000): Sponsor {
  return { id, name: id.toUpperCase(), kind: 'image', image: IMAGE, durationMs, weight, windows };
}

const SPONSORS = [sponsor('a', 2), sponsor('b', 1), sponsor('c', 1)];

function at(state: ProgramState, command: Command, now: number): ProgramState {
  return ok(apply(state, command, { now }));
}

function rotating(sponsors: Sponsor[] = SPONSORS, now = T0 + 1000): ProgramState {
  const set = at(fresh(), { type: 'sponsors.set', sponsors }, now);
  return at(set, { type: 'sponsors.rotation', on: true }, now);
}

/** Seconds on air per sponsor id, sampled every 100 ms over [from, to). */
function sampled(state: ProgramState, from: number, to: number): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (let t = from; t < to; t += 100) {
    const id = sponsorOnAir(state, t)?.id ?? 'none';
    seconds[id] = (seconds[id] ?? 0) + 0.1;
  }
  return Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}

function exposure(state: ProgramState, t: number): Record<string, number> {
  return Object.fromEntries(sponsorExposure(state, t).map((c) => [c.id, c.ms]));
}

describe('sponsor rotation', () => {
  it('interleaves by weight: 2:1:1 is A B A C, and exactly 50/25/25 over whole cycles', () => {
    expect(sponsorCycle(SPONSORS, 'play').map((s) => s.sponsor.id)).toEqual(['a', 'b', 'a', 'c']);
    const start = T0 + 1000;
    const state = rotating(SPONSORS, start);
    expect(parse(ProgramStateSchema, state).ok).toBe(true);
    // Six 20 s cycles: the on-air sponsor sampled, and the report's exposure, agree to the millisecond.
    expect(sampled(state, start, start + 120_000)).toEqual({ a: 60, b: 30, c: 30 });
    expect(exposure(state, start + 120_000)).toEqual({ a: 60_000, b: 30_000, c: 30_000 });
    // Half a cycle: A (5 s) then B (5 s).
    expect(exposure(state, start + 10_000)).toEqual({ a: 5000, b: 5000, c: 0 });
    expect(sponsorOnAir(state, start + 12_000)?.id).toBe('a');
  });

  it('is the same after any number of unrelated commands (every renderer and a reload agree)', () => {
    const start = T0 + 1000;
    let state = rotating(SPONSORS, start);
    const plain = state;
    for (let t = start + 777; t < start + 60_000; t += 3331)
      state = at(state, { type: 'lowerThird.show', title: `t${t}` }, t);
    for (let t = start + 60_000; t < start + 90_000; t += 250)
      expect(sponsorOnAir(state, t)?.id, `at ${t - start}`).toBe(sponsorOnAir(plain, t)?.id);
    expect(exposure(state, start + 90_000)).toEqual(exposure(plain, start + 90_000));
  });

  it('shows nothing while rotation is off or nothing is set up, and credits nothing then', () => {
    expect(sponsorOnAir(fresh(), T0 + 5000)).toBeNull();
    const start = T0 + 1000;
    let state = rotating(SPONSORS, start);
    state = at(state, { type: 'sponsors.rotation', on: false }, start + 7000);
    expect(sponsorOnAir(state, start + 8000)).toBeNull();
    expect(exposure(state, start + 60_000)).toEqual({ a: 5000, b: 2000, c: 0 });
    // Back on: the cycle resumes where it stopped (B had 3 s left).
    state = at(state, { type: 'sponsors.rotation', on: true }, start + 60_000);
    expect(sponsorOnAir(state, start + 62_900)?.id).toBe('b');
    expect(sponsorOnAir(state, start + 63_100)?.id).toBe('a');
  });

  it('keeps play and break apart: each window rotates only its own sponsors', () => {
    const start = T0 + 1000;
    const list = [sponsor('p', 1, ['play']), sponsor('q', 1, ['break']), sponsor('both', 1)];
    let state = rotating(list, start);
    // Clock stopped: break.
    expect(sampled(state, start, start + 20_000)).toEqual({ q: 10, both: 10 });
    state = at(state, { type: 'clock.start' }, start + 20_000);
    expect(sampled(state, start + 20_000, start + 40_000)).toEqual({ p: 10, both: 10 });
    // A count-down clock runs out: break again, from the moment it reads zero.
    state = at(state, { type: 'clock.configure', direction: 'down' }, start + 40_000);
    state = at(state, { type: 'clock.set', valueMs: 5000 }, start + 40_000);
    expect(sponsorOnAir(state, start + 44_000)?.windows).toContain('play');
    const after = sampled(state, start + 45_000, start + 65_000);
    expect(after).toEqual({ q: 10, both: 10 });
    expect(exposure(state, start + 65_000)).toEqual({ p: 15_000, q: 20_000, both: 30_000 });
  });

  it('shows nothing during a replay, from its wipe in to the end of its wipe out, and credits nothing', () => {
    const start = T0 + 1000;
    let state = rotating(SPONSORS, start);
    const clip = {
      id: 'c1',
      source: 'camera-3',
      fromMs: start,
      toMs: start + 8000,
      mediaOffsetMs: 0,
      media: 'abcd1234-1.webm',
    };
    state = at(state, { type: 'replay.play', clip, speed: 1 }, start + 7000);
    const rolls = start + 7000 + REPLAY_CUE_MS;
    const back = rolls + 8000 + REPLAY_TRANSITION.durationMs;
    expect(sponsorOnAir(state, rolls - 1)?.id).toBe('b');
    for (let t = rolls; t < back; t += 100) expect(sponsorOnAir(state, t), `at ${t - rolls}`).toBeNull();
    expect(sponsorOnAir(state, back)?.id).not.toBeUndefined();
    // The cycle resumed where the replay stopped it: B had 2.5 s left.
    expect(sponsorOnAir(state, back + 2400)?.id).toBe('b');
    expect(sponsorOnAir(state, back + 2600)?.id).toBe('a');
    const total = Object.values(exposure(state, back + 20_000)).reduce((s, v) => s + v, 0);
    expect(total).toBe(back + 20_000 - start - (back - rolls));
    // The automatic return, settled by a later command, credits the same.
    const settled = at(state, { type: 'lowerThird.show', title: 'x' }, back + 1000);
    expect(exposure(settled, back + 20_000)).toEqual(exposure(state, back + 20_000));
    // A replay the director leaves by a take: blocked until that take's transition is over.
    let held = at(state, { type: 'replay.play', clip, speed: 1, return: false }, back + 30_000);
    held = at(
      held,
      { type: 'program.take', source: 'camera-1', transition: { type: 'mix', durationMs: 1000 } },
      back + 60_000,
    );
    expect(sponsorOnAir(held, back + 55_000)).toBeNull();
    expect(sponsorOnAir(held, back + 60_900)).toBeNull();
    expect(sponsorOnAir(held, back + 61_000)).not.toBeNull();
  });

  it('shows nothing in the 30 s after a goal (a score going up), and a correction down is no goal', () => {
    const start = T0 + 1000;
    let state = rotating(SPONSORS, start);
    state = at(state, { type: 'score.adjust', team: 'home', delta: 1 }, start + 2000);
    expect(sponsorOnAir(state, start + 2000)).toBeNull();
    expect(sponsorOnAir(state, start + 2000 + SPONSOR_GOAL_BLOCK_MS - 1)).toBeNull();
    expect(sponsorOnAir(state, start + 2000 + SPONSOR_GOAL_BLOCK_MS)?.id).toBe('a');
    expect(exposure(state, start + 2000 + SPONSOR_GOAL_BLOCK_MS + 3000)).toEqual({ a: 5000, b: 0, c: 0 });
    state = at(state, { type: 'score.adjust', team: 'home', delta: -1 }, start + 40_000);
    expect(sponsorOnAir(state, start + 41_000)).not.toBeNull();
  });

  it('keeps the seconds of a sponsor taken off the list, and starts a changed cycle afresh', () => {
    const start = T0 + 1000;
    let state = rotating(SPONSORS, start);
    state = at(state, { type: 'sponsors.set', sponsors: [sponsor('b', 1), sponsor('c', 1)] }, start + 7000);
    expect(sponsorOnAir(state, start + 7000)?.id).toBe('b');
    expect(exposure(state, start + 12_000)).toEqual({ a: 5000, b: 7000, c: 0 });
    expect(sponsorExposure(state, start + 12_000).find((c) => c.id === 'a')?.name).toBe('A');
  });

  it('counts viewer-seconds from the sampled viewer counts', () => {
    const start = T0 + 1000;
    const state = rotating(SPONSORS, start);
    const sample = (t: number, viewers: number) => ({ time: t, viewers, airtime: exposure(state, t) });
    const samples = [sample(start, 10), sample(start + 10_000, 0), sample(start + 20_000, 4)];
    const report = sponsorReport('match', state, samples, start + 25_000);
    // A B A C A: 0–10 s A and B at 10 viewers, 10–20 s A and C at none, 20–25 s A at 4.
    expect(report.sponsors.map((s) => [s.id, s.seconds, s.viewerSeconds])).toEqual([
      ['a', 15, 70],
      ['b', 5, 50],
      ['c', 5, 0],
    ]);
    expect(report.totalSeconds).toBe(25);
  });

  it('refuses a duplicate id naming it, and rotation on with nothing to rotate', () => {
    const dup = apply(fresh(), { type: 'sponsors.set', sponsors: [sponsor('a', 1), sponsor('a', 2)] }, { now: T0 });
    expect(dup.ok ? null : dup.error).toMatchObject({ code: 'DUPLICATE_SPONSOR', field: 'sponsors/1/id' });
    const on = apply(fresh(), { type: 'sponsors.rotation', on: true }, { now: T0 });
    expect(on.ok ? null : on.error).toMatchObject({ code: 'NO_SPONSORS', field: 'on' });
  });
});
