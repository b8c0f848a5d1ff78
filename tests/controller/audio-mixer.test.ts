// The mixer's commands through the HTTP API (roles, validation, revisions) and the meter relay: the output
// renderer's reports reach the director and graphics sockets and never a viewer's or a camera's.
import { describe, expect, it } from 'vitest';
import { AUDIO_METER_STALE_MS, type AudioMeters, type ProgramState } from '../../protocol/index.ts';
import { meterReading, report } from './audio-helpers.ts';
import { TEST_ADMIN_KEY, bearer, connectWs, listen, seedEvent, testApp } from './controller-helpers.ts';

function metersAt(frame: { type: string; [k: string]: unknown }, at: number): boolean {
  return frame.type === 'audio.meters' && (frame.meters as AudioMeters).at === at;
}

describe('mixer commands', () => {
  it('applies audio.source and audio.master for the director, with revisions', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const post = (url: string, payload: object, key = keys.director!.key) =>
      app.inject({ method: 'POST', url: `/api/events/match/${url}`, headers: bearer(key), payload });

    const source = await post('commands', { type: 'audio.source', source: 'camera-2', gainDb: -6, mode: 'on' });
    expect(source.statusCode, source.body).toBe(200);
    const { revision, state } = source.json<{ revision: number; state: ProgramState }>();
    expect(state.audio?.sources['camera-2']).toMatchObject({ gainDb: -6, mode: 'on', muted: false });

    const master = await post('audio/master', { limiter: { ceilingDbtp: -2 }, loudness: { targetLufs: -23 } });
    expect(master.statusCode, master.body).toBe(200);
    expect(master.json<{ revision: number }>().revision).toBe(revision + 1);
    const stored = await app.program.requireState('match');
    expect(stored.audio?.master).toMatchObject({
      limiter: { on: true, ceilingDbtp: -2 },
      loudness: { targetLufs: -23 },
    });

    const byAdmin = await post('audio/source', { source: 'camera-1', muted: true }, TEST_ADMIN_KEY);
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
  });

  it('refuses the graphics desk, out-of-range values and unknown sources, changing nothing', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const before = await app.program.requireState('match');
    const post = (payload: object, key = keys.director!.key) =>
      app.inject({ method: 'POST', url: '/api/events/match/commands', headers: bearer(key), payload });

    const graphics = await post({ type: 'audio.source', source: 'camera-1', muted: true }, keys.graphics!.key);
    expect(graphics.statusCode).toBe(403);
    const viewer = await post({ type: 'audio.master', muted: true }, keys.viewer!.key);
    expect(viewer.statusCode).toBe(403);

    const tooLow = await post({ type: 'audio.source', source: 'camera-1', gainDb: -61 });
    expect(tooLow.statusCode).toBe(400);
    expect(tooLow.json()).toMatchObject({ error: { field: '/gainDb' } });
    const tooHigh = await post({ type: 'audio.master', gainDb: 12 });
    expect(tooHigh.json()).toMatchObject({ error: { field: '/gainDb' } });
    const delay = await post({ type: 'audio.source', source: 'camera-1', delayMs: -5 });
    expect(delay.json()).toMatchObject({ error: { field: '/delayMs' } });
    const international = await post({ type: 'audio.master', international: 'yes' });
    expect(international.statusCode).toBe(400);
    expect(international.json()).toMatchObject({ error: { field: '/international' } });

    const unknown = await post({ type: 'audio.source', source: 'camera-9', muted: true });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_SOURCE', field: '/source' } });

    const after = await app.program.requireState('match');
    expect(after.revision).toBe(before.revision);
    expect(after.audio).toEqual(before.audio);
  });
});

describe('meter relay', () => {
  it('relays the template page’s meters to director and graphics, never to viewers or cameras', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const host = await listen(app);
    const open = async (key: string) => {
      const socket = await connectWs(host, 'match', key);
      await socket.waitFor((f) => f.type === 'state');
      return socket;
    };
    const director = await open(keys.director!.key);
    const graphics = await open(keys.graphics!.key);
    const viewer = await open(keys.viewer!.key);
    const camera = await open(keys.camera!.key);
    const renderer = await open(keys.template!.key);

    report(renderer, 'match', 'recorder', meterReading(1));
    const relayed = await director.waitFor((f) => metersAt(f, 1));
    expect(relayed).toEqual({ type: 'audio.meters', eventId: 'match', renderer: 'recorder', meters: meterReading(1) });
    await graphics.waitFor((f) => metersAt(f, 1));

    // A monitor's reading is not the output's: dropped. Anything published after it arrives after it.
    report(renderer, 'match', 'monitor', meterReading(2));
    await new Promise((resolve) => setTimeout(resolve, 60)); // past the per-socket report spacing
    report(renderer, 'match', 'recorder', meterReading(3));
    await director.waitFor((f) => metersAt(f, 3));
    expect(director.frames.some((f) => metersAt(f, 2))).toBe(false);

    // A take published after the meters reaches every socket after them: the viewer and camera got none.
    const take = await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-2' },
    });
    const revision = take.json<{ revision: number }>().revision;
    for (const socket of [viewer, camera, renderer]) {
      await socket.waitFor((f) => f.type === 'state' && (f.state as ProgramState).revision === revision);
      expect(socket.frames.filter((f) => f.type === 'audio.meters')).toEqual([]);
    }

    // Operators' pages do not report: their monitors are not the output.
    report(director, 'match', 'recorder', meterReading(4));
    await director.waitFor((f) => f.type === 'error' && f.code === 'FORBIDDEN' && f.field === '/type');
    // A report for another event is refused by name.
    report(renderer, 'other', 'recorder', meterReading(5));
    await renderer.waitFor((f) => f.type === 'error' && f.field === '/eventId');
    // A malformed reading is refused with its field.
    renderer.socket.send(JSON.stringify({ type: 'audio.meters', eventId: 'match', renderer: 'recorder', meters: {} }));
    await renderer.waitFor((f) => f.type === 'error' && f.code === 'INVALID' && String(f.field).startsWith('/meters'));
    expect(director.frames.some((f) => metersAt(f, 4) || metersAt(f, 5))).toBe(false);

    for (const socket of [director, graphics, viewer, camera, renderer]) await socket.close();
  });

  it('prefers the recorder over Egress while the recorder reports', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const host = await listen(app);
    const director = await connectWs(host, 'match', keys.director!.key);
    const recorder = await connectWs(host, 'match', keys.template!.key);
    const egress = await connectWs(host, 'match', keys.template!.key);
    for (const socket of [director, recorder, egress]) await socket.waitFor((f) => f.type === 'state');

    report(recorder, 'match', 'recorder', meterReading(10));
    await director.waitFor((f) => metersAt(f, 10));
    report(egress, 'match', 'egress', meterReading(11));
    await new Promise((resolve) => setTimeout(resolve, 60)); // past the per-socket report spacing
    report(recorder, 'match', 'recorder', meterReading(12));
    await director.waitFor((f) => metersAt(f, 12));
    const lastRecorderReading = Date.now();
    expect(director.frames.some((f) => metersAt(f, 11))).toBe(false);

    // Once the recorder is silent, Egress's readings are the program's.
    const stop = new AbortController();
    const egressReports = (async () => {
      for (let at = 100; !stop.signal.aborted; at += 1) {
        report(egress, 'match', 'egress', meterReading(at));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const taken = await director.waitFor((f) => f.type === 'audio.meters' && f.renderer === 'egress', 5000);
    stop.abort();
    await egressReports;
    expect(Date.now() - lastRecorderReading).toBeGreaterThanOrEqual(AUDIO_METER_STALE_MS - 100);
    expect((taken.meters as AudioMeters).at).toBeGreaterThanOrEqual(100);
    for (const socket of [director, recorder, egress]) await socket.close();
  });
});
