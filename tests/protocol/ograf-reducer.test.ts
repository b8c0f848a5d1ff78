// OGraf instances in program state: load, play through the steps, update, stop, clear and a renderer's
// failure report, each a revision; data checked against the manifest's schema, naming the field.
import { describe, expect, it } from 'vitest';
import { apply, type Command, type ProgramState } from '../../protocol/index.ts';
import { checkManifest } from '../../protocol/ograf-manifest.ts';
import { exampleCatalog, exampleFiles } from '../helpers/ograf-examples.ts';
import { fresh, T0 } from './reducer-helpers.ts';

const LINEUP = 'a'.repeat(24);
const SPONSOR = 'b'.repeat(24);
const catalog = exampleCatalog();

function step(state: ProgramState, command: Command, now = T0 + 1000): ProgramState {
  const result = apply(state, command, { now, ograf: catalog });
  if (!result.ok) throw new Error(`rejected: ${result.error.code} ${result.error.message}`);
  return result.state;
}

function refusal(state: ProgramState, command: Command) {
  const result = apply(state, command, { now: T0 + 1000, ograf: catalog });
  if (result.ok) throw new Error('accepted');
  expect(result.state).toBe(state);
  return result.error;
}

const lineupData = { team: 'Rovers', colour: '#00ff00', formation: '4-3-3' as const };

describe('OGraf instances', () => {
  it('load, play to step 2, update, stop and clear: each a revision, the step model as OGraf counts', () => {
    let state = step(fresh(), { type: 'ograf.load', instance: 'lineup', graphic: LINEUP, data: lineupData });
    expect(state.revision).toBe(1);
    expect(state.ograf?.instances).toEqual([
      expect.objectContaining({ id: 'lineup', status: 'loaded', step: null, layer: 'above', data: lineupData }),
    ]);
    expect(state.ograf?.instances[0]?.graphic).toMatchObject({ id: LINEUP, name: 'Line-up', stepCount: 2 });
    state = step(state, { type: 'ograf.play', instance: 'lineup' });
    expect(state.ograf?.instances[0]).toMatchObject({ status: 'playing', step: 0 });
    state = step(state, { type: 'ograf.play', instance: 'lineup' });
    expect(state.ograf?.instances[0]).toMatchObject({ status: 'playing', step: 1 });
    expect(state.revision).toBe(3);
    state = step(state, { type: 'ograf.update', instance: 'lineup', data: { players: 'Ann, Bo' } });
    expect(state.ograf?.instances[0]?.data).toEqual({ ...lineupData, players: 'Ann, Bo' });
    state = step(state, { type: 'ograf.stop', instance: 'lineup' });
    expect(state.ograf?.instances[0]).toMatchObject({ status: 'stopped', step: null });
    state = step(state, { type: 'ograf.clear', instance: 'lineup' }, T0 + 5000);
    expect(state.ograf?.instances).toEqual([]);
    expect(state).toMatchObject({ revision: 6, updatedAt: T0 + 5000 });
  });

  it('goto and delta: past the last step the graphic plays out; back from step 2 to step 1', () => {
    let state = step(fresh(), { type: 'ograf.load', instance: 'lineup', graphic: LINEUP, data: lineupData });
    state = step(state, { type: 'ograf.play', instance: 'lineup', goto: 1 });
    expect(state.ograf?.instances[0]?.step).toBe(1);
    state = step(state, { type: 'ograf.play', instance: 'lineup', delta: -1 });
    expect(state.ograf?.instances[0]?.step).toBe(0);
    state = step(state, { type: 'ograf.play', instance: 'lineup', goto: 2 });
    expect(state.ograf?.instances[0]).toMatchObject({ status: 'stopped', step: null });
  });

  it('an update with the data already shown and a stop of a stopped graphic change nothing', () => {
    const loaded = step(fresh(), { type: 'ograf.load', instance: 'lineup', graphic: LINEUP, data: lineupData });
    expect(step(loaded, { type: 'ograf.update', instance: 'lineup', data: { team: 'Rovers' } })).toBe(loaded);
    expect(step(loaded, { type: 'ograf.stop', instance: 'lineup' })).toBe(loaded);
  });

  it('data that fails the manifest schema is refused naming the field, the state untouched', () => {
    const state = fresh();
    expect(
      refusal(state, {
        type: 'ograf.load',
        instance: 'lineup',
        graphic: LINEUP,
        data: { ...lineupData, colour: 'red' },
      }),
    ).toMatchObject({ code: 'INVALID_DATA', field: 'data.colour' });
    expect(refusal(state, { type: 'ograf.load', instance: 'lineup', graphic: LINEUP, data: {} })).toMatchObject({
      code: 'INVALID_DATA',
      field: 'data.team',
    });
    const loaded = step(state, { type: 'ograf.load', instance: 'lineup', graphic: LINEUP, data: lineupData });
    expect(refusal(loaded, { type: 'ograf.update', instance: 'lineup', data: { formation: '5-5-0' } })).toMatchObject({
      code: 'INVALID_DATA',
      field: 'data.formation',
    });
    expect(refusal(loaded, { type: 'ograf.update', instance: 'lineup', data: { shirt: 1 } })).toMatchObject({
      field: 'data.shirt',
    });
    expect(
      refusal(loaded, { type: 'ograf.update', instance: 'lineup', data: { players: 'x'.repeat(20_000) } }),
    ).toMatchObject({ field: 'data' });
  });

  it('unknown graphics and instances are refused; at most eight instances', () => {
    const state = fresh();
    expect(refusal(state, { type: 'ograf.load', instance: 'x', graphic: 'c'.repeat(24) })).toMatchObject({
      code: 'UNKNOWN_GRAPHIC',
      field: 'graphic',
    });
    expect(refusal(state, { type: 'ograf.play', instance: 'x' })).toMatchObject({
      code: 'UNKNOWN_INSTANCE',
      field: 'instance',
    });
    let full = state;
    for (let i = 0; i < 8; i++) full = step(full, { type: 'ograf.load', instance: `bug${i}`, graphic: SPONSOR });
    expect(refusal(full, { type: 'ograf.load', instance: 'bug8', graphic: SPONSOR })).toMatchObject({
      code: 'TOO_MANY_INSTANCES',
    });
    // Loading again under an id already there replaces it, in its place.
    const again = step(full, {
      type: 'ograf.load',
      instance: 'bug3',
      graphic: LINEUP,
      data: lineupData,
      layer: 'below',
    });
    expect(again.ograf?.instances.map((i) => i.id)).toEqual(full.ograf?.instances.map((i) => i.id));
    expect(again.ograf?.instances[3]).toMatchObject({ layer: 'below', graphic: { id: LINEUP } });
  });

  it("a renderer's failure unloads the instance for all, once; only a load or a clear acts on it after", () => {
    let state = step(fresh(), { type: 'ograf.load', instance: 'bug', graphic: SPONSOR });
    state = step(state, { type: 'ograf.play', instance: 'bug' });
    const failed = step(state, { type: 'ograf.fail', instance: 'bug', message: 'playAction threw: boom' }, T0 + 2000);
    expect(failed.ograf?.instances[0]).toMatchObject({
      status: 'stopped',
      failed: { message: 'playAction threw: boom', at: T0 + 2000 },
    });
    expect(step(failed, { type: 'ograf.fail', instance: 'bug', message: 'again' })).toBe(failed);
    expect(refusal(failed, { type: 'ograf.play', instance: 'bug' })).toMatchObject({ code: 'GRAPHIC_FAILED' });
    const reloaded = step(failed, { type: 'ograf.load', instance: 'bug', graphic: SPONSOR });
    expect(reloaded.ograf?.instances[0]?.failed).toBeUndefined();
  });
});

describe('OGraf manifests', () => {
  const lineup = () =>
    JSON.parse(exampleFiles('lineup').get('lineup.ograf.json')!.toString('utf8')) as Record<string, unknown>;

  it('the examples are valid v1 manifests', () => {
    expect(checkManifest(lineup())).toMatchObject({ ok: true });
  });

  it.each([
    ['a missing id', (m: Record<string, unknown>) => delete m['id'], 'manifest.id'],
    [
      'a wrong $schema',
      (m: Record<string, unknown>) => (m['$schema'] = 'https://example.com/x.json'),
      'manifest.$schema',
    ],
    ['a numeric name', (m: Record<string, unknown>) => (m['name'] = 7), 'manifest.name'],
    ['an unknown field', (m: Record<string, unknown>) => (m['colour'] = 'red'), 'manifest.colour'],
    ['a fractional stepCount', (m: Record<string, unknown>) => (m['stepCount'] = 1.5), 'manifest.stepCount'],
    ['an author without a name', (m: Record<string, unknown>) => (m['author'] = {}), 'manifest.author.name'],
    [
      'a non-real-time-only graphic',
      (m: Record<string, unknown>) => (m['supportsRealTime'] = false),
      'manifest.supportsRealTime',
    ],
    [
      'a schema ajv cannot compile',
      (m: Record<string, unknown>) => (m['schema'] = { type: 'nonsense' }),
      'manifest.schema',
    ],
  ])('%s is refused naming %s', (_name, spoil, field) => {
    const manifest = lineup();
    spoil(manifest);
    const checked = checkManifest(manifest);
    expect(checked).toMatchObject({ ok: false, field });
    if (!checked.ok) expect(checked.message).toContain(field);
  });

  it('vendor fields (v_*) are allowed', () => {
    expect(checkManifest({ ...lineup(), v_pitchside: { note: 1 } })).toMatchObject({ ok: true });
  });
});
