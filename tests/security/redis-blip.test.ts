// Issue 11 item 12: after a commit the controller read the event for the LiveKit relay with
// `void app.events.get(...).then(...)` and no catch, so a Redis that failed at that moment rejected with
// nobody listening and took the whole controller down. Here the controller reaches the real Redis
// through a TCP hop the test controls: the hop goes down exactly when that read is on the wire (as a
// Redis restart or a network blip would), and comes back later. The controller must log, live on, and
// take again.
import { createServer, Socket, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/free-port.ts';
import { createLogger } from '../../runtime/logger.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { freshPrefix, testRedisUrl } from '../helpers/redis.ts';
import { bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

/** A TCP hop to Redis that can drop every connection and refuse new ones, on a trigger in the traffic. */
class RedisHop {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  #trigger: Buffer | null = null;
  triggered = false;

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      let seen = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        seen = Buffer.concat([seen, chunk]).subarray(-4096);
        if (this.#trigger !== null && seen.includes(this.#trigger)) {
          this.#trigger = null;
          this.triggered = true;
          void this.down();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }

  /** Go down the moment a client sends this command (it never reaches Redis). */
  downOn(...command: string[]): void {
    const parts = command.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`);
    this.#trigger = Buffer.from(`*${command.length}\r\n${parts.join('')}`);
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('a Redis failure right after a commit', () => {
  it('is logged, not fatal: the controller takes again once Redis is back', async () => {
    const target = new URL(testRedisUrl());
    const hop = new RedisHop(await freePort(), { host: target.hostname, port: Number(target.port) });
    await hop.up();
    cleanups.push(() => hop.down());
    const stub = new LiveKitTwirpStub();
    await stub.start();
    cleanups.push(() => stub.close());

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => void process.off('unhandledRejection', onUnhandled));

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const keyPrefix = freshPrefix('blip');
    const app = await testApp({
      redisUrl: hop.url,
      keyPrefix,
      livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret },
      logger: createLogger({ level: 'warn', stream: sink }),
    });
    // Closed before the hop goes away, so its shutdown never waits on a Redis that is not there.
    cleanups.push(() => app.close());
    const keys = await seedEvent(app);
    const director = bearer(keys.director!.key);
    const take = (source: string) =>
      app.inject({ method: 'POST', url: '/api/events/match/program/take', headers: director, payload: { source } });

    // The relay's read of the event, right after the commit.
    hop.downOn('get', app.redisKeys.event('match'));
    expect((await take('camera-2')).statusCode).toBe(200);
    await expect.poll(() => hop.triggered).toBe(true);
    await expect
      .poll(() => lines.some((line) => line.includes('LiveKit relay')), { timeout: 20_000, interval: 100 })
      .toBe(true);

    await hop.up();
    await expect.poll(async () => (await take('camera-3')).statusCode, { timeout: 20_000, interval: 200 }).toBe(200);
    expect(unhandled).toEqual([]);
  });
});
