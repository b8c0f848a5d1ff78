import { describe, expect, it } from 'vitest';
import { freshPrefix } from '../helpers/redis.ts';
import { admin, bearer, seedEvent, testApp } from './controller-helpers.ts';

describe('program control over HTTP', () => {
  it('takes with a transition in the same body and returns the new revision', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-3', transition: { type: 'wipe', durationMs: 800, from: 'right' } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.revision).toBe(1);
    expect(body.state.program).toBe('camera-3');
    expect(body.state.take.transition).toMatchObject({ type: 'wipe', durationMs: 800, from: 'right' });
  });

  it('rejects a stale ifRevision with 409 and the current state, changing nothing', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const director = bearer(keys.director!.key);
    await app.inject({
      method: 'POST',
      url: '/api/events/match/score/adjust',
      headers: director,
      payload: { team: 'home', delta: 1 },
    });
    const stale = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: director,
      payload: { type: 'program.take', source: 'camera-2', ifRevision: 0 },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: 'STALE_REVISION', field: '/ifRevision' });
    expect(stale.json().state.revision).toBe(1);
    expect(stale.json().state.scorebug.home.score).toBe(1);
    const now = await app.inject({ method: 'GET', url: '/api/events/match/state', headers: director });
    expect(now.json().state.revision).toBe(1);
    expect(now.json().state.program).toBe('camera-1');
    const fresh = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: director,
      payload: { type: 'program.take', source: 'camera-2', ifRevision: 1 },
    });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().revision).toBe(2);
  });

  it('answers a reducer rejection with 422 and its code', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-9' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'UNKNOWN_SOURCE', field: '/source' });
  });

  it('lets graphics drive graphics, and not the program', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const graphics = bearer(keys.graphics!.key);
    for (const [url, payload] of [
      ['score/adjust', { team: 'away', delta: 1 }],
      ['clock/start', undefined],
      ['lower-third/show', { title: 'Jane Doe', subtitle: 'Captain' }],
      ['pip/set', { source: 'camera-2', corner: 'top-left' }],
      ['pip/move', { corner: 'bottom-left' }],
      ['pip/show', undefined],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/match/${url}`,
        headers: graphics,
        ...(payload === undefined ? {} : { payload }),
      });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
    const state = (await app.inject({ method: 'GET', url: '/api/events/match/state', headers: graphics })).json().state;
    expect(state.scorebug.away.score).toBe(1);
    expect(state.clock.running).toBe(true);
    expect(state.lowerThird).toMatchObject({ visible: true, title: 'Jane Doe' });
    expect(state.pip).toMatchObject({ visible: true, source: 'camera-2', corner: 'bottom-left' });
    const take = await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: graphics,
      payload: { source: 'camera-2' },
    });
    expect(take.statusCode).toBe(403);
    const generic = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: graphics,
      payload: { type: 'program.cut' },
    });
    expect(generic.statusCode).toBe(403);
  });

  it('keeps a switch log of every take, by time range, as JSON and CSV', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const director = bearer(keys.director!.key);
    const before = Date.now();
    await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: director,
      payload: { source: 'camera-2', transition: { type: 'cut' } },
    });
    await app.inject({
      method: 'POST',
      url: '/api/events/match/score/adjust',
      headers: director,
      payload: { team: 'home', delta: 1 },
    });
    await app.inject({
      method: 'POST',
      url: '/api/events/match/program/preview',
      headers: director,
      payload: { source: 'camera-4' },
    });
    await app.inject({ method: 'POST', url: '/api/events/match/program/auto', headers: director });
    const log = await app.inject({
      method: 'GET',
      url: `/api/events/match/switch-log?from=${before}`,
      headers: director,
    });
    expect(log.statusCode).toBe(200);
    const entries = log.json().entries;
    expect(entries.map((e: { source: string }) => e.source)).toEqual(['camera-2', 'camera-4']);
    expect(entries[0]).toMatchObject({
      revision: 1,
      from: 'camera-1',
      transition: { type: 'cut' },
      who: `director:${keys.director!.keyId}`,
    });
    expect(entries[1]).toMatchObject({ revision: 4, from: 'camera-2', transition: { type: 'mix' } });
    const none = await app.inject({
      method: 'GET',
      url: `/api/events/match/switch-log?to=${before - 1}`,
      headers: director,
    });
    expect(none.json().entries).toEqual([]);
    const csv = await app.inject({ method: 'GET', url: `/api/events/match/switch-log.csv?key=${keys.director!.key}` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('id,time,iso_time,revision,source,from,transition,duration_ms,who');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(',4,camera-4,camera-2,mix,500,');
  });

  it('loses nothing across a restart: state, logs and cameras come back from Redis', async () => {
    const keyPrefix = freshPrefix('restart');
    const first = await testApp({ keyPrefix });
    const keys = await seedEvent(first);
    const director = bearer(keys.director!.key);
    await first.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: director,
      payload: { source: 'camera-4' },
    });
    await first.inject({
      method: 'POST',
      url: '/api/events/match/score/set',
      headers: director,
      payload: { team: 'away', score: 3 },
    });
    const event = (await first.inject({ method: 'GET', url: '/api/events/match', headers: admin() })).json();
    const joined = await first.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: event.joinCode, label: 'Goal cam' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const before = (await first.inject({ method: 'GET', url: '/api/events/match/state', headers: director })).json()
      .state;
    await first.close();

    const second = await testApp({ keyPrefix });
    const after = (await second.inject({ method: 'GET', url: '/api/events/match/state', headers: director })).json()
      .state;
    expect(after).toEqual(before);
    expect(after.sources.map((s: { id: string }) => s.id)).toContain(joined.json().camera.id);
    const cameras = (await second.inject({ method: 'GET', url: '/api/events/match/cameras', headers: director })).json()
      .cameras;
    expect(cameras).toEqual([joined.json().camera]);
    const switches = (
      await second.inject({ method: 'GET', url: '/api/events/match/switch-log', headers: director })
    ).json().entries;
    expect(switches.map((e: { source: string }) => e.source)).toEqual(['camera-4']);
    const log = (await second.inject({ method: 'GET', url: '/api/events/match/event-log', headers: director })).json()
      .entries;
    expect(log.map((e: { kind: string }) => e.kind)).toEqual(['camera.registered']);
    const next = await second.inject({ method: 'POST', url: '/api/events/match/program/cut', headers: director });
    expect(next.json().revision).toBe(before.revision + 1);
  });
});
