import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRedisKeys } from '../../protocol/redis-keys.ts';
import { EventStore } from '../../controller/services/event-store.ts';
import { createLogger } from '../../runtime/logger.ts';
import { freshPrefix, testRedis } from '../helpers/redis.ts';
import { admin, bearer, testApp } from './controller-helpers.ts';

const YOUTUBE_KEY = 'abcd-efgh-ijkl-mnop-qrst';
const RTMP_KEY = 'secret-custom-key-7788';

describe('events, destinations and keys', () => {
  it('creates, lists, edits and deletes events; stream keys are write-only', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) });
    const keyPrefix = freshPrefix('events');
    const app = await testApp({ keyPrefix, logger: createLogger({ level: 'trace', stream: sink }) });
    const created = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: admin(),
      payload: {
        name: 'Cup Final',
        sport: 'football',
        home: { name: 'Reds', colour: '#ff0000' },
        away: { name: 'Blues' },
        destinations: [
          { kind: 'youtube', streamKey: YOUTUBE_KEY },
          { kind: 'rtmp', label: 'Club site', serverUrl: 'rtmps://live.example.org/app', streamKey: RTMP_KEY },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const event = created.json();
    expect(event.id).toMatch(/^cup-final-/);
    expect(event.joinCode).toMatch(/^[A-Z0-9]{10}$/);
    expect(event.room).toBe(`pitchside-${event.id}`);
    expect(event.destinations).toEqual([
      { id: 'youtube', kind: 'youtube', streamKeyMasked: expect.stringMatching(/^•••• #[0-9a-f]{4}$/) },
      {
        id: 'rtmp',
        kind: 'rtmp',
        label: 'Club site',
        serverUrl: 'rtmps://live.example.org/app',
        streamKeyMasked: expect.stringMatching(/^•••• #[0-9a-f]{4}$/),
      },
    ]);

    // Keep the YouTube key by leaving it out; replace the other list entry.
    const edited = await app.inject({
      method: 'PATCH',
      url: `/api/events/${event.id}`,
      headers: admin(),
      payload: {
        name: 'Cup Final (replay)',
        destinations: [
          { id: 'youtube', kind: 'youtube' },
          { kind: 'twitch', streamKey: 'live_123456789_abcdef' },
        ],
      },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().name).toBe('Cup Final (replay)');
    const store = new EventStore(testRedis(), createRedisKeys(keyPrefix));
    expect(await store.getDestinationsWithSecrets(event.id)).toEqual([
      { id: 'youtube', kind: 'youtube', streamKey: YOUTUBE_KEY },
      { id: 'twitch', kind: 'twitch', streamKey: 'live_123456789_abcdef' },
    ]);
    const missingKey = await app.inject({
      method: 'PATCH',
      url: `/api/events/${event.id}`,
      headers: admin(),
      payload: { destinations: [{ kind: 'rtmp', serverUrl: 'rtmp://x/app' }] },
    });
    expect(missingKey.statusCode).toBe(400);
    expect(missingKey.json().error.field).toBe('/destinations/0/streamKey');

    const list = await app.inject({ method: 'GET', url: '/api/events', headers: admin() });
    expect(list.json().events.map((e: { id: string }) => e.id)).toEqual([event.id]);

    const keys = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/keys`, headers: admin() })).json()
      .keys;
    expect(keys.map((k: { role: string }) => k.role)).toEqual(['director', 'graphics', 'camera', 'viewer', 'template']);
    const director = keys[0].key as string;
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: bearer(director) })).json()).toMatchObject({
      role: 'director',
      eventId: event.id,
    });
    const rotated = await app.inject({
      method: 'POST',
      url: `/api/events/${event.id}/keys/director/rotate`,
      headers: admin(),
    });
    expect(rotated.json().key).not.toBe(director);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: bearer(director) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: bearer(rotated.json().key) })).statusCode).toBe(
      200,
    );

    const deleted = await app.inject({ method: 'DELETE', url: `/api/events/${event.id}`, headers: admin() });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/events/${event.id}`, headers: admin() })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: bearer(rotated.json().key) })).statusCode).toBe(
      401,
    );

    // Nothing secret in any log line (the key was in request bodies and a `?key=` URL).
    await app.inject({ method: 'GET', url: `/api/me?key=${rotated.json().key}` });
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [YOUTUBE_KEY, RTMP_KEY, 'live_123456789_abcdef', director, rotated.json().key])
      expect(log).not.toContain(secret);
  });

  it('rate limits clients that keep failing auth, and only them', async () => {
    const app = await testApp({ authFailureLimit: 3 });
    for (let i = 0; i < 3; i++)
      expect((await app.inject({ method: 'GET', url: '/api/events', headers: bearer('wrong') })).statusCode).toBe(401);
    const limited = await app.inject({ method: 'GET', url: '/api/events', headers: bearer('wrong') });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect((await app.inject({ method: 'GET', url: '/api/events', headers: admin() })).statusCode).toBe(200);
  });

  it('serves /healthz, /metrics and the OpenAPI docs', async () => {
    const app = await testApp();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true, redis: 'PONG' });
    await app.inject({ method: 'GET', url: '/healthz' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('pitchside_http_request_duration_seconds');
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toContain('/api/events/{eventId}/program/take');
    expect(spec.paths['/api/events/{eventId}/program/take'].post.requestBody).toBeDefined();
  });
});
