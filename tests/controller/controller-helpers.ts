// Building controller apps for tests: each test gets a fresh Redis key prefix, a known admin key, and
// its apps closed after it.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { buildApp, type AppOptions } from '../../controller/app.ts';
import { loadConfig, type Config } from '../../runtime/config.ts';
import { closeAfterTest } from '../helpers/after-test.ts';
import { freshPrefix, testRedisUrl } from '../helpers/redis.ts';
import { testSources, type Camera, type Command, type RoleKey } from '../../protocol/index.ts';

export const TEST_ADMIN_KEY = 'psadm_test-admin-key-0123456789';
export const TEST_PRIVATE_NETWORKS = '127.0.0.0/8,::1';

/** The configuration tests run the controller with; overrides as the environment would set them. */
export function testConfig(overrides: Parameters<typeof loadConfig>[0] = {}): Config {
  // Tests' RTMP receivers and media servers listen on loopback.
  return loadConfig({ PORT: 0, ALLOW_PRIVATE_NETWORKS: TEST_PRIVATE_NETWORKS, ...overrides }, {});
}

export async function testApp(overrides: Partial<AppOptions> & { ready?: boolean } = {}): Promise<FastifyInstance> {
  const { ready = true, ...options } = overrides;
  const app = await buildApp({
    config: testConfig(),
    redisUrl: testRedisUrl(),
    adminKey: TEST_ADMIN_KEY,
    // Output routes enqueue real jobs under this prefix too, so no other test's worker takes them.
    keyPrefix: options.keyPrefix ?? freshPrefix('ctl'),
    distDir: null,
    livekit: null,
    logger: false,
    authFailureLimit: 10_000,
    ...options,
  });
  closeAfterTest(() => app.close());
  if (ready) await app.ready();
  return app;
}

export function admin(): Record<string, string> {
  return { authorization: `Bearer ${TEST_ADMIN_KEY}` };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** An event `id` with test sources camera-1..camera-4 and its role keys. */
export async function seedEvent(app: FastifyInstance, id = 'match'): Promise<Record<string, RoleKey>> {
  await app.events.create(
    { id, name: 'Test match', sport: 'football', home: { name: 'Reds' }, away: { name: 'Blues' } },
    { sources: testSources(4) },
  );
  const keys = await app.apiKeys.ensureEventKeys(id);
  return Object.fromEntries(keys.map((k) => [k.role, k]));
}

/** A commentary seat made by the director's side: its id (also its source id) and its own key. */
export async function seedSeat(
  app: FastifyInstance,
  eventId = 'match',
  label = 'Booth',
): Promise<{ id: string; key: string }> {
  const { seat, key } = await app.commentary.create(eventId, label, { role: 'director', keyId: 'test' });
  return { id: seat.id, key };
}

/** Joins an event by its code as a camera: the camera and its key (bound to that camera). */
export async function joinCamera(
  app: FastifyInstance,
  label: string,
  eventId = 'match',
): Promise<Camera & { key: string }> {
  const code = (await app.events.require(eventId)).joinCode;
  const res = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label } });
  if (res.statusCode !== 200) throw new Error(`join: ${res.statusCode} ${res.body}`);
  const body = JSON.parse(res.body) as { camera: Camera; key: string };
  return { ...body.camera, key: body.key };
}

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export interface FrameCollector {
  socket: WebSocket;
  frames: Array<{ type: string; [k: string]: unknown }>;
  /** Resolves with the first frame (from now on or already received) that matches. */
  waitFor(
    match: (frame: { type: string; [k: string]: unknown }) => boolean,
    timeoutMs?: number,
  ): Promise<{ type: string; [k: string]: unknown }>;
  close(): Promise<void>;
}

/** `query`: more parameters beside the key (e.g. the program renderer's pass). */
export async function connectWs(
  host: string,
  eventId: string,
  key: string,
  query: Record<string, string> = {},
): Promise<FrameCollector> {
  const search = new URLSearchParams({ key, ...query });
  const socket = new WebSocket(`ws://${host}/api/events/${eventId}/ws?${search.toString()}`);
  const frames: FrameCollector['frames'] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse((data as Buffer).toString('utf8'))); // binaryType 'nodebuffer': one Buffer a message
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return {
    socket,
    frames,
    waitFor(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching frame in ${timeoutMs} ms; got ${frames.map((f) => f.type).join(',')}`)),
          timeoutMs,
        );
        const check = (): void => {
          const found = frames.find(match);
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}

export function take(source: string, extra: Partial<Command> = {}): Command {
  return { type: 'program.take', source, ...extra } as Command;
}

/** Arms ISO recording for the event, as a director does before cameras upload their segments. */
export async function armIso(app: FastifyInstance, eventId = 'match'): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/events/${eventId}/commands`,
    headers: admin(),
    payload: { type: 'iso.arm', armed: true },
  });
  if (res.statusCode !== 200) throw new Error(`iso.arm: ${res.statusCode} ${res.body}`);
}
