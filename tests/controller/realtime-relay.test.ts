import { describe, expect, it } from 'vitest';
import { WS_CLOSE, type ProgramState } from '../../protocol/index.ts';
import { freshPrefix, testRedis } from '../helpers/redis.ts';
import { admin, bearer, connectWs, listen, seedEvent, testApp } from './controller-helpers.ts';

describe('realtime relay across controller processes', () => {
  it('delivers every take to subscribers on two controllers sharing one Redis, in revision order', async () => {
    const keyPrefix = freshPrefix('relay');
    const a = await testApp({ keyPrefix });
    const b = await testApp({ keyPrefix });
    const keys = await seedEvent(a);
    const [hostA, hostB] = [await listen(a), await listen(b)];
    const onA = await connectWs(hostA, 'match', keys.template!.key);
    const onB = await connectWs(hostB, 'match', keys.director!.key);
    await onA.waitFor((f) => f.type === 'state');
    await onB.waitFor((f) => f.type === 'state');

    const sources = ['camera-2', 'camera-3', 'camera-1', 'camera-4', 'camera-2', 'camera-3'];
    const revisions: number[] = [];
    // Alternate the controller that takes, so both commit and both relay.
    for (const [i, source] of sources.entries()) {
      const app = i % 2 === 0 ? a : b;
      const res = await app.inject({
        method: 'POST',
        url: '/api/events/match/program/take',
        headers: bearer(keys.director!.key),
        payload: { source, transition: { type: 'cut' } },
      });
      expect(res.statusCode, res.body).toBe(200);
      revisions.push(res.json().revision);
    }
    const last = revisions.at(-1)!;
    for (const client of [onA, onB]) {
      await client.waitFor((f) => f.type === 'state' && (f.state as ProgramState).revision === last);
      const seen = client.frames.filter((f) => f.type === 'state').map((f) => (f.state as ProgramState).revision);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(new Set(seen).size).toBe(seen.length);
      for (const r of revisions) expect(seen).toContain(r);
      const final = client.frames.findLast((f) => f.type === 'state')!.state as ProgramState;
      expect(final.program).toBe('camera-3');
    }
    await onA.close();
    await onB.close();
  });

  it('resends the state when its Redis subscriber comes back, so a take published while it was away is not lost', async () => {
    const keyPrefix = freshPrefix('resub');
    const app = await testApp({ keyPrefix });
    const keys = await seedEvent(app);
    const panel = await connectWs(await listen(app), 'match', keys.director!.key);
    await panel.waitFor((f) => f.type === 'state');
    // Cut this controller's subscriber off (as a Redis restart or a network blip does) and take at once, on
    // the command connection, which stays up: the take's PUBLISH finds no subscriber of this process.
    const redis = testRedis();
    try {
      const clients = (await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const line = clients.split('\n').find((l) => l.includes(` name=${keyPrefix}realtime `));
      expect(line, 'the subscriber is named after its prefix').toBeDefined();
      const id = /\bid=(\d+)/.exec(line!)![1]!;
      await redis.call('CLIENT', 'KILL', 'ID', id);
    } finally {
      redis.disconnect();
    }
    const res = await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-3', transition: { type: 'cut' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const revision = res.json().revision as number;
    const frame = await panel.waitFor((f) => f.type === 'state' && (f.state as ProgramState).revision === revision);
    expect((frame.state as ProgramState).program).toBe('camera-3');
    await panel.close();
  });

  it('answers ping with pong and command frames with result', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const client = await connectWs(await listen(app), 'match', keys.graphics!.key);
    client.socket.send(JSON.stringify({ type: 'ping', clientTime: 123 }));
    const pong = await client.waitFor((f) => f.type === 'pong');
    expect(pong.clientTime).toBe(123);
    client.socket.send(
      JSON.stringify({ type: 'command', id: 'c1', command: { type: 'score.adjust', team: 'home', delta: 1 } }),
    );
    expect(await client.waitFor((f) => f.type === 'result' && f.id === 'c1')).toMatchObject({ ok: true, revision: 1 });
    // graphics may not switch the program
    client.socket.send(
      JSON.stringify({ type: 'command', id: 'c2', command: { type: 'program.take', source: 'camera-3' } }),
    );
    expect(await client.waitFor((f) => f.type === 'result' && f.id === 'c2')).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    client.socket.send('{not json');
    expect(await client.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'INVALID' });
    const state = await app.inject({ method: 'GET', url: '/api/events/match/state', headers: admin() });
    expect(state.json().state.revision).toBe(1);
    await client.close();
  });

  it('counts viewers and panels across controller processes', async () => {
    const keyPrefix = freshPrefix('presence');
    const a = await testApp({ keyPrefix });
    const b = await testApp({ keyPrefix });
    const keys = await seedEvent(a);
    const director = await connectWs(await listen(a), 'match', keys.director!.key);
    const viewer = await connectWs(await listen(b), 'match', keys.viewer!.key);
    const seen = await director.waitFor(
      (f) => f.type === 'presence' && (f.presence as { viewers: number }).viewers === 1,
    );
    expect((seen.presence as { panels: { director: number } }).panels.director).toBe(1);
    await viewer.close();
    await director.waitFor(
      (f) => f.type === 'presence' && f !== seen && (f.presence as { viewers: number }).viewers === 0,
    );
    const now = await b.inject({ method: 'GET', url: '/api/events/match/presence', headers: admin() });
    expect(now.json()).toMatchObject({ viewers: 0, panels: { director: 1 } });
    await director.close();
  });

  it('refuses a WebSocket without a valid key: closed with 4401, no frame sent', async () => {
    const app = await testApp();
    await seedEvent(app);
    const client = await connectWs(await listen(app), 'match', 'nope');
    const code = await new Promise<number>((resolve) => client.socket.once('close', (c) => resolve(c)));
    expect(code).toBe(WS_CLOSE.UNAUTHORIZED);
    expect(client.frames).toEqual([]);
  });
});
