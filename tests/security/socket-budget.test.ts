// Holes 2 and 8 (issue 22): one socket on the public viewer key could send thousands of frames a second,
// each answered and each costing Redis work, and the obs-websocket door had neither a failed-password
// limit nor a connection cap. Every socket now has a frame and byte budget checked before a frame is
// decoded (past it: closed with WS_CLOSE.OVER_BUDGET and its address cooled down); both doors share the
// per-address connection cap and the failed-auth count with HTTP.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { obsAuthentication } from '../../controller/obs/obs-server.ts';
import {
  OBS_RPC_VERSION,
  OBS_SUBPROTOCOL_JSON,
  ObsCloseCode,
  ObsOpCode,
  WS_CLOSE,
  WS_FRAME_BUDGET,
} from '../../protocol/index.ts';
import { bearer, connectWs, listen, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';

/** Resolves with the close code the server sent (1006 when the connection just ended). */
function closeCodeOf(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) resolve(1006);
    socket.once('close', (code) => resolve(code));
  });
}

/** Waits until a claim on the address succeeds (and gives the slot straight back). */
async function until(what: string, claim: () => { ok: boolean; release?: () => void }): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const result = claim();
    if (result.ok) return result.release?.();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function eventSocket(host: string, key: string): WebSocket {
  return new WebSocket(`ws://${host}/api/events/match/ws?key=${encodeURIComponent(key)}`);
}

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

/** An obs-websocket client that has read the Hello (its challenge) and not identified yet. */
async function obsSocket(port: number): Promise<{ socket: WebSocket; identify: (password: string) => void }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`, OBS_SUBPROTOCOL_JSON);
  const hello = await new Promise<{ d: { authentication: { salt: string; challenge: string } } }>((resolve, reject) => {
    socket.once('message', (data) => resolve(JSON.parse((data as Buffer).toString('utf8'))));
    socket.once('error', reject);
    socket.once('close', (code) => reject(new Error(`closed ${code} before Hello`)));
  });
  const { salt, challenge } = hello.d.authentication;
  return {
    socket,
    identify: (password) =>
      socket.send(
        JSON.stringify({
          op: ObsOpCode.Identify,
          d: { rpcVersion: OBS_RPC_VERSION, authentication: obsAuthentication(password, salt, challenge) },
        }),
      ),
  };
}

describe('frame budget per socket', () => {
  it('closes a viewer socket that floods pings, answers no more than its burst, and cools its key down at its address', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const host = await listen(app);
    const director = await connectWs(host, 'match', keys.director!.key);
    await director.waitFor((f) => f.type === 'state');

    const viewer = eventSocket(host, keys.viewer!.key);
    let pongs = 0;
    viewer.on('message', (data) => {
      if ((JSON.parse((data as Buffer).toString('utf8')) as { type: string }).type === 'pong') pongs++;
    });
    await opened(viewer);
    const closed = closeCodeOf(viewer);
    const flood = JSON.stringify({ type: 'ping', clientTime: 1 });
    for (let i = 0; i < 2000; i++) viewer.send(flood);
    expect(await closed).toBe(WS_CLOSE.OVER_BUDGET);
    // The burst and what refilled while the frames arrived; never the 2000 sent.
    expect(pongs).toBeLessThanOrEqual(WS_FRAME_BUDGET.burstFrames + WS_FRAME_BUDGET.framesPerSecond);

    // Reconnecting at once buys no fresh burst: the key is cooling down at this address (before any Redis work)…
    expect(await closeCodeOf(eventSocket(host, keys.viewer!.key))).toBe(WS_CLOSE.TOO_MANY);
    // …but the recorder's template page on the same machine still gets in (it would freeze the program)…
    const recorder = await connectWs(host, 'match', keys.template!.key);
    await recorder.waitFor((f) => f.type === 'state');
    await recorder.close();
    // …and the sockets the address already holds carry on.
    const answer = await director.waitFor((f) => f.type === 'pong' || f.type === 'state');
    expect(answer).toBeDefined();
    director.socket.send(
      JSON.stringify({ type: 'command', id: 'take-1', command: { type: 'program.take', source: 'camera-2' } }),
    );
    expect(await director.waitFor((f) => f.type === 'result' && f.id === 'take-1')).toMatchObject({ ok: true });
    await director.close();
  });

  it('closes a socket that sends more bytes than its budget, even in few frames', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const host = await listen(app);
    const viewer = eventSocket(host, keys.viewer!.key);
    await opened(viewer);
    const closed = closeCodeOf(viewer);
    const big = 'x'.repeat(60 * 1024);
    const frames = Math.ceil(WS_FRAME_BUDGET.burstBytes / big.length) + 4;
    expect(frames).toBeLessThan(WS_FRAME_BUDGET.burstFrames);
    for (let i = 0; i < frames; i++) viewer.send(big);
    expect(await closed).toBe(WS_CLOSE.OVER_BUDGET);
  });

  it('lets a director hammer hotkeys and a page send 10 Hz frames for seconds within the budget', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const host = await listen(app);
    const director = await connectWs(host, 'match', keys.director!.key);
    await director.waitFor((f) => f.type === 'state');
    // 25 takes a second (far past any hand) and 10 pings a second (the template's meter rate), for 2 s.
    for (let tick = 0; tick < 20; tick++) {
      for (let n = 0; n < 3; n++) {
        const id = `t${tick}-${n}`;
        const source = `camera-${1 + ((tick + n) % 4)}`;
        director.socket.send(JSON.stringify({ type: 'command', id, command: { type: 'program.take', source } }));
      }
      director.socket.send(JSON.stringify({ type: 'ping', clientTime: tick }));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await director.waitFor((f) => f.type === 'result' && f.id === 't19-2', 10_000);
    expect(director.frames.filter((f) => f.type === 'result' && f.ok === true)).toHaveLength(60);
    expect(director.socket.readyState).toBe(WebSocket.OPEN);
    await director.close();
  });

  it('closes an obs-websocket client that floods the door', async () => {
    const app = await testApp({ obsWebSocketPort: 0 });
    await seedEvent(app);
    const { socket, identify } = await obsSocket(app.obsWebSocketPort!);
    const closed = closeCodeOf(socket);
    for (let i = 0; i < 2000; i++) identify('not-the-password');
    expect(await closed).toBe(WS_CLOSE.OVER_BUDGET);
  });
});

describe('one set of limits for every door', () => {
  it('counts failed obs-websocket passwords with failed HTTP keys, and refuses both past the limit', async () => {
    const limit = 3;
    const app = await testApp({ obsWebSocketPort: 0, authFailureLimit: limit });
    const keys = await seedEvent(app);
    const port = app.obsWebSocketPort!;
    for (let i = 0; i < limit - 1; i++) {
      const obs = await obsSocket(port);
      obs.identify('wrong-password');
      expect(await closeCodeOf(obs.socket)).toBe(ObsCloseCode.AuthenticationFailed);
    }
    expect((await app.inject({ url: '/api/events', headers: bearer('wrong') })).statusCode).toBe(401);
    // The limit is spent: the next failure at any door is refused, and obs-websocket checks no password.
    expect((await app.inject({ url: '/api/events', headers: bearer('wrong') })).statusCode).toBe(429);
    const refused = await obsSocket(port);
    refused.identify(keys.director!.key);
    expect(await closeCodeOf(refused.socket)).toBe(WS_CLOSE.TOO_MANY);
    // A valid key over HTTP is never counted nor refused.
    expect((await app.inject({ url: '/api/events/match/state', headers: bearer(keys.director!.key) })).statusCode).toBe(
      200,
    );
  });

  it('caps connections per address across the event WebSocket and the obs-websocket door', async () => {
    const app = await testApp({ obsWebSocketPort: 0, config: testConfig({ WS_MAX_SOCKETS_PER_ADDRESS: 4 }) });
    const keys = await seedEvent(app);
    const host = await listen(app);
    const port = app.obsWebSocketPort!;
    const held = [await connectWs(host, 'match', keys.director!.key), await connectWs(host, 'match', keys.viewer!.key)];
    // Unidentified obs sockets hold slots too (the hole: 200 of them from one address).
    const obs = [await obsSocket(port), await obsSocket(port)];
    const extraObs = new WebSocket(`ws://127.0.0.1:${port}`, OBS_SUBPROTOCOL_JSON);
    expect(await closeCodeOf(extraObs)).toBe(WS_CLOSE.TOO_MANY);
    expect(await closeCodeOf(eventSocket(host, keys.graphics!.key))).toBe(WS_CLOSE.TOO_MANY);
    // A slot frees when an obs socket closes, and an event socket may take it.
    obs[0]!.socket.close();
    await closeCodeOf(obs[0]!.socket);
    await until('the obs slot released', () => app.sockets.claimAddress('127.0.0.1'));
    const graphics = await connectWs(host, 'match', keys.graphics!.key);
    await graphics.waitFor((f) => f.type === 'state');
    for (const socket of [...held, graphics]) await socket.close();
    obs[1]!.socket.close();
  });
});
