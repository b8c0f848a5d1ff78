// The event WebSocket against a public key in the wrong hands (issue 11, holes 5 and 8): connection caps
// per address and per key, dead and slow sockets dropped, presence fan-out debounced, refused keys told
// apart from network errors, and a revoked key's sockets closed on every controller process.
import { createConnection, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WS_CLOSE, type Presence } from '../../protocol/index.ts';
import { freshPrefix } from '../helpers/redis.ts';
import { admin, connectWs, listen, seedEvent, testApp, testConfig } from './controller-helpers.ts';

/** Resolves with the close code the server sent (or 1006 when the connection just ended). */
function closeCodeOf(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) resolve(1006);
    socket.once('close', (code) => resolve(code));
  });
}

function openSocket(host: string, eventId: string, key: string): WebSocket {
  return new WebSocket(`ws://${host}/api/events/${eventId}/ws?key=${encodeURIComponent(key)}`);
}

/** A WebSocket client that completes the handshake and then never reads or answers again. */
async function frozenClient(host: string, eventId: string, key: string): Promise<Socket> {
  const [hostname, port] = host.split(':') as [string, string];
  const tcp = createConnection({ host: hostname, port: Number(port) });
  tcp.write(
    `GET /api/events/${eventId}/ws?key=${encodeURIComponent(key)} HTTP/1.1\r\nHost: ${host}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.once('data', (chunk: Buffer) =>
      chunk.toString().startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(chunk.toString())),
    );
  });
  tcp.pause();
  return tcp;
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('event WebSocket limits', () => {
  it('caps sockets per client address, and admits again once one closes', async () => {
    const app = await testApp({ config: testConfig({ WS_MAX_SOCKETS_PER_ADDRESS: 3 }) });
    const keys = await seedEvent(app);
    const host = await listen(app);
    const held = [
      await connectWs(host, 'match', keys.director!.key),
      await connectWs(host, 'match', keys.graphics!.key),
      await connectWs(host, 'match', keys.viewer!.key),
    ];
    const fourth = openSocket(host, 'match', keys.template!.key);
    expect(await closeCodeOf(fourth)).toBe(WS_CLOSE.TOO_MANY);
    await held.pop()!.close();
    await until('the closed socket released', () => app.sockets.count('match') === 2);
    const again = await connectWs(host, 'match', keys.template!.key);
    await again.waitFor((f) => f.type === 'state');
    for (const socket of [...held, again]) await socket.close();
  });

  it('caps sockets per key without touching the other keys', async () => {
    const app = await testApp({ config: testConfig({ WS_MAX_SOCKETS_PER_KEY: 2 }) });
    const keys = await seedEvent(app);
    const host = await listen(app);
    const viewers = [
      await connectWs(host, 'match', keys.viewer!.key),
      await connectWs(host, 'match', keys.viewer!.key),
    ];
    expect(await closeCodeOf(openSocket(host, 'match', keys.viewer!.key))).toBe(WS_CLOSE.TOO_MANY);
    const director = await connectWs(host, 'match', keys.director!.key);
    await director.waitFor((f) => f.type === 'state');
    for (const socket of [...viewers, director]) await socket.close();
  });

  it('drops a socket that stops answering pings', async () => {
    const app = await testApp({ config: testConfig({ WS_PING_INTERVAL_MS: 200 }) });
    const keys = await seedEvent(app);
    const host = await listen(app);
    const healthy = await connectWs(host, 'match', keys.director!.key);
    const frozen = await frozenClient(host, 'match', keys.viewer!.key);
    await until('both sockets admitted', () => app.sockets.count('match') === 2);
    await until('the silent socket dropped', () => app.sockets.count('match') === 1);
    // The healthy one answers pings (ws does it by itself) and stays.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(app.sockets.count('match')).toBe(1);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    frozen.destroy();
    await healthy.close();
  });

  it('drops a client that does not read once its send buffer passes the bound', async () => {
    const maxBufferedBytes = 256 * 1024;
    const app = await testApp({
      config: testConfig({ WS_MAX_BUFFERED_BYTES: maxBufferedBytes, WS_PING_INTERVAL_MS: 60_000 }),
    });
    const keys = await seedEvent(app);
    const host = await listen(app);
    const frozen = await frozenClient(host, 'match', keys.director!.key);
    await until('socket admitted', () => app.sockets.count('match') === 1);
    // Large log frames: the kernel's socket buffers fill first, then the server's own send buffer.
    const data = { blob: 'x'.repeat(200 * 1024) };
    for (let i = 0; i < 80 && app.sockets.count('match') > 0; i++) {
      await app.realtime.publish({
        type: 'log',
        eventId: 'match',
        entry: { id: String(i), time: Date.now(), level: 'info', kind: 'test.flood', message: 'flood', data },
      });
    }
    await until('the slow socket dropped', () => app.sockets.count('match') === 0);
    frozen.destroy();
  });

  it('sends one presence recount for a burst of joins, not one per join', async () => {
    const app = await testApp({ config: testConfig({ WS_MAX_SOCKETS_PER_ADDRESS: 1000 }) });
    const keys = await seedEvent(app);
    const host = await listen(app);
    const director = await connectWs(host, 'match', keys.director!.key);
    const viewerCount = 40;
    const viewers = await Promise.all(
      Array.from({ length: viewerCount }, () => connectWs(host, 'match', keys.viewer!.key)),
    );
    await director.waitFor((f) => f.type === 'presence' && (f.presence as Presence).viewers === viewerCount, 15_000);
    const directorFrames = director.frames.filter((f) => f.type === 'presence').length;
    const viewerFrames = viewers.reduce((n, v) => n + v.frames.filter((f) => f.type === 'presence').length, 0);
    // Without the debounce: one frame per join to every socket (41 to the director, ~800 to the viewers).
    expect(directorFrames).toBeLessThan(viewerCount / 2);
    expect(viewerFrames).toBeLessThan((viewerCount * viewerCount) / 4);
    for (const socket of [director, ...viewers]) await socket.close();
  });

  it('closes a refused key with a code the page can read (4401, 4403), not a failed upgrade', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    await seedEvent(app, 'other');
    const host = await listen(app);
    expect(await closeCodeOf(openSocket(host, 'match', 'nope'))).toBe(WS_CLOSE.UNAUTHORIZED);
    expect(await closeCodeOf(openSocket(host, 'other', keys.director!.key))).toBe(WS_CLOSE.FORBIDDEN);
  });
});

describe('revoked keys', () => {
  async function twoControllers(): Promise<[FastifyInstance, FastifyInstance]> {
    const keyPrefix = freshPrefix('revoke');
    return [await testApp({ keyPrefix }), await testApp({ keyPrefix })];
  }

  it('closes a rotated key’s sockets on every controller process within a second', async () => {
    const [a, b] = await twoControllers();
    const keys = await seedEvent(a);
    const [hostA, hostB] = [await listen(a), await listen(b)];
    const directors = [
      await connectWs(hostA, 'match', keys.director!.key),
      await connectWs(hostB, 'match', keys.director!.key),
    ];
    const viewer = await connectWs(hostB, 'match', keys.viewer!.key);
    for (const d of [...directors, viewer]) await d.waitFor((f) => f.type === 'state');
    const closes = directors.map((d) => closeCodeOf(d.socket).then((code) => ({ code, at: Date.now() })));

    const rotated = await a.inject({ method: 'POST', url: '/api/events/match/keys/director/rotate', headers: admin() });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const answeredAt = Date.now();
    for (const close of await Promise.all(closes)) {
      expect(close.code).toBe(WS_CLOSE.UNAUTHORIZED);
      expect(close.at - answeredAt).toBeLessThan(1000);
    }
    // Other keys stay connected.
    expect(viewer.socket.readyState).toBe(WebSocket.OPEN);
    await viewer.close();
  });

  it('closes every socket of a deleted event on every controller process within a second', async () => {
    const [a, b] = await twoControllers();
    const keys = await seedEvent(a);
    const [hostA, hostB] = [await listen(a), await listen(b)];
    const sockets = [
      await connectWs(hostA, 'match', keys.viewer!.key),
      await connectWs(hostB, 'match', keys.graphics!.key),
      await connectWs(hostB, 'match', keys.template!.key),
    ];
    for (const s of sockets) await s.waitFor((f) => f.type === 'state');
    const closes = sockets.map((s) => closeCodeOf(s.socket).then((code) => ({ code, at: Date.now() })));
    const deleted = await b.inject({ method: 'DELETE', url: '/api/events/match', headers: admin() });
    expect(deleted.statusCode, deleted.body).toBe(204);
    const answeredAt = Date.now();
    for (const close of await Promise.all(closes)) {
      expect(close.code).toBe(WS_CLOSE.NOT_FOUND);
      expect(close.at - answeredAt).toBeLessThan(1000);
    }
  });
});
