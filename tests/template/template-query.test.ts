// The template's inputs outside the browser: query parsing (Egress parameters included), Egress layout
// names, the one state apply path, and the picture layers that transitions and audio share.
import { describe, expect, it } from 'vitest';
import { apply, createInitialState, testSources, type ProgramState, type StateMessage } from '../../protocol/index.ts';
import { parseTemplateQuery } from '../../template/config/template-query.ts';
import { mapEgressLayout } from '../../template/egress/egress-layout.ts';
import { layerWeights, pictureLayers } from '../../template/scene/picture-layers.ts';
import { viewFrame } from '../../template/scene/view-state.ts';
import { StateStore } from '../../template/state/state-store.ts';

const windowed = { windowWidth: 1280, windowHeight: 720 };

describe('template query', () => {
  it('reads Egress parameters appended to the customBaseUrl and keeps the controller ones', () => {
    const result = parseTemplateQuery(
      '?event=final-2025&key=k1&layout=grid&url=wss%3A%2F%2Flk.example.com&token=eyJ.x.y',
      windowed,
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        event: 'final-2025',
        key: 'k1',
        egress: { url: 'wss://lk.example.com', token: 'eyJ.x.y', layout: 'grid' },
        width: 1280,
        height: 720,
        fps: 30,
      },
    });
  });

  it('takes the output size from the query, else from the Egress window', () => {
    expect(parseTemplateQuery('?event=e&key=k&width=1280&fps=60', windowed)).toMatchObject({
      config: { width: 1280, height: 720, fps: 60, egress: null },
    });
    expect(
      parseTemplateQuery('?event=e&key=k&url=ws://h&token=t', { windowWidth: 1920, windowHeight: 1080 }),
    ).toMatchObject({ config: { width: 1920, height: 1080 } });
    expect(parseTemplateQuery('?event=e&key=k', windowed)).toMatchObject({ config: { width: 1920, height: 1080 } });
  });

  it('names the field that is wrong', () => {
    expect(parseTemplateQuery('?key=k', windowed)).toEqual({ ok: false, field: 'event', message: expect.any(String) });
    expect(parseTemplateQuery('?event=e', windowed)).toMatchObject({ ok: false, field: 'key' });
    expect(parseTemplateQuery('?event=e&key=k&width=1000', windowed)).toMatchObject({ ok: false, field: 'width' });
    expect(parseTemplateQuery('?event=e&key=k&fps=25', windowed)).toMatchObject({ ok: false, field: 'fps' });
    expect(parseTemplateQuery('?event=e&key=k&width=1280&height=1080', windowed)).toMatchObject({
      ok: false,
      field: 'height',
    });
    expect(parseTemplateQuery('?event=e&key=k&url=wss://h', windowed)).toMatchObject({ ok: false, field: 'token' });
    expect(parseTemplateQuery('?event=Bad Id&key=k', windowed)).toMatchObject({ ok: false, field: 'event' });
    expect(parseTemplateQuery('?event=e&key=k&view=multiview', windowed)).toMatchObject({ ok: false, field: 'view' });
    expect(parseTemplateQuery('?event=e&key=k&view=preview&url=wss://h&token=t', windowed)).toMatchObject({
      ok: false,
      field: 'view',
    });
  });

  it('leaves one source out of the sound for a mix-minus, and names a bad id', () => {
    expect(parseTemplateQuery('?event=e&key=k', windowed)).toMatchObject({ config: { minus: null } });
    expect(parseTemplateQuery('?event=e&key=k&minus=seat-abc123', windowed)).toMatchObject({
      config: { minus: 'seat-abc123' },
    });
    expect(parseTemplateQuery('?event=e&key=k&minus=Not%20an%20id', windowed)).toMatchObject({
      ok: false,
      field: 'minus',
    });
  });

  it('renders program unless the preview view is asked for', () => {
    expect(parseTemplateQuery('?event=e&key=k', windowed)).toMatchObject({ config: { view: 'program' } });
    expect(parseTemplateQuery('?event=e&key=k&view=preview', windowed)).toMatchObject({
      config: { view: 'preview', egress: null },
    });
  });

  it('maps Egress layout names to program layouts', () => {
    expect(mapEgressLayout('grid-dark')).toBe('quad');
    expect(mapEgressLayout('speaker')).toBe('split');
    expect(mapEgressLayout('single-speaker-light')).toBe('single');
    expect(mapEgressLayout('quad')).toBe('quad');
    expect(mapEgressLayout('')).toBeNull();
    expect(mapEgressLayout('mosaic')).toBeNull();
  });
});

describe('state store', () => {
  const message = (state: ProgramState, eventId = 'demo'): StateMessage => ({
    type: 'state',
    eventId,
    state,
    serverTime: 1,
  });
  const s0 = createInitialState({ now: 1000, sources: testSources(2) });
  const take = apply(s0, { type: 'program.take', source: 'camera-2' }, { now: 2000 });
  if (!take.ok) throw new Error('take failed');
  const s1 = take.state;

  it('keeps the highest revision and ignores duplicates, old frames, other events and junk', () => {
    const store = new StateStore({ eventId: 'demo' });
    expect(store.offer(message(s0))).toBe('applied');
    expect(store.offer(message(s1))).toBe('applied');
    expect(store.offer(message(s1))).toBe('stale');
    expect(store.offer(message(s0))).toBe('stale');
    expect(store.offer(message(s1, 'other'))).toBe('wrong-event');
    expect(store.offer({ type: 'state', eventId: 'demo', state: { ...s1, revision: 'x' }, serverTime: 1 })).toBe(
      'invalid',
    );
    expect(store.state?.revision).toBe(s1.revision);
    expect(store.counts).toEqual({ applied: 2, stale: 2, 'wrong-event': 1, invalid: 1, snapshot: 0 });
  });
});

describe('state store snapshots', () => {
  const s0 = createInitialState({ now: 1000, sources: testSources(2) });
  const take = apply(s0, { type: 'program.take', source: 'camera-2' }, { now: 2000 });
  if (!take.ok) throw new Error('take failed');
  const s1 = take.state;
  const message = (state: ProgramState): StateMessage => ({ type: 'state', eventId: 'demo', state, serverTime: 0 });

  it("takes a connection's snapshot even at a lower revision (a restored store), then only higher ones", () => {
    const store = new StateStore({ eventId: 'demo' });
    expect(store.offer(message(s1))).toBe('applied');
    expect(store.accept(s0, true)).toBe('snapshot');
    expect(store.state?.revision).toBe(s0.revision);
    expect(store.accept(s0, false)).toBe('stale');
    expect(store.offer(message(s0))).toBe('stale');
    expect(store.accept(s1, false)).toBe('applied');
    expect(store.state?.revision).toBe(s1.revision);
  });
});

describe('picture layers', () => {
  const mix = { type: 'mix' as const, durationMs: 1000, from: 'left' as const, colour: '#000000' };

  it('blends a mix and shares the sound the same way', () => {
    const layers = pictureLayers('b', { from: 'a', to: 'b', transition: mix, startedAt: 0, interrupted: null }, 250);
    expect(layers).toEqual([
      { kind: 'source', source: 'a', alpha: 1, clip: null },
      { kind: 'source', source: 'b', alpha: 0.25, clip: null },
    ]);
    expect(Object.fromEntries(layerWeights(layers))).toEqual({ a: 0.75, b: 0.25 });
  });

  it('starts an interrupting take from the frozen picture, so nothing jumps', () => {
    const interrupted = { from: 'a', to: 'b', transition: mix, progress: 0.5 };
    const at0 = pictureLayers('c', { from: 'b', to: 'c', transition: mix, startedAt: 0, interrupted }, 0);
    expect(Object.fromEntries(layerWeights(at0))).toEqual({ a: 0.5, b: 0.5 });
    const done = pictureLayers('c', { from: 'b', to: 'c', transition: mix, startedAt: 0, interrupted }, 1000);
    expect(done).toEqual([{ kind: 'source', source: 'c', alpha: 1, clip: null }]);
  });

  it('dips through the colour, silencing the sound at the bottom of the dip', () => {
    const dip = { ...mix, type: 'dip' as const };
    const middle = pictureLayers('b', { from: 'a', to: 'b', transition: dip, startedAt: 0, interrupted: null }, 500);
    expect(middle).toEqual([{ kind: 'colour', colour: '#000000', alpha: 1 }]);
    expect(layerWeights(middle).size).toBe(0);
  });
});

describe('view frame', () => {
  it('draws the preview source settled and full frame in the preview view, the state as is in program', () => {
    const start = createInitialState({ sources: testSources(3), now: 0 });
    const taking = apply(
      start,
      { type: 'program.take', source: 'camera-3', transition: { type: 'mix', durationMs: 1000 } },
      { now: 1 },
    );
    if (!taking.ok) throw new Error('take rejected');
    const state = { ...taking.state, layout: 'split' as const };
    expect(viewFrame(state, 'split', 'program')).toEqual({ state, layout: 'split' });
    const preview = viewFrame(state, 'split', 'preview');
    expect(preview.layout).toBe('single');
    expect(preview.state).toMatchObject({
      program: state.preview,
      take: null,
      scorebug: state.scorebug,
      pip: state.pip,
    });
    expect(pictureLayers(preview.state.program, preview.state.take, 500)).toEqual([
      { kind: 'source', source: state.preview, alpha: 1, clip: null },
    ]);
  });
});
