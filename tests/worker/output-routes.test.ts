// The controller's output routes against a real worker (Egress backend on the Twirp stub) and a real
// export: role checks, 4xx naming the field, stream keys never in an answer, export files served.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomCompositeEgressRequest, UpdateStreamRequest } from '@livekit/protocol';
import type { FastifyInstance } from 'fastify';
import { TokenVerifier } from 'livekit-server-sdk';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { admin, bearer, testApp } from '../controller/controller-helpers.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { ExportWorker } from '../../worker/export/export-worker.ts';
import { EgressBackend } from '../../worker/egress-backend.ts';
import { noteRecordings } from '../../outputs/recording-notes.ts';
import { JobClient } from '../../outputs/job-client.ts';
import { createRedisKeys, testSources, type RoleKey } from '../../protocol/index.ts';
import { until } from './helpers.ts';
import { testLogger } from '../helpers/logger.ts';

const YT_KEY = 'yt-route-secret-9999';
const CLUB_KEY = 'club-route-secret-8888';
let stub: LiveKitTwirpStub;
let worker: OutputWorker;
let exporter: ExportWorker;
let dir: string;
const redis = testRedis();
const KEY_PREFIX = freshPrefix('routes');
const redisKeys = createRedisKeys(KEY_PREFIX);

beforeAll(async () => {
  stub = new LiveKitTwirpStub();
  await stub.start();
  // The app's job client and this worker share a key prefix of their own.
  worker = new OutputWorker({
    log: testLogger('output'),
    redisUrl: testRedisUrl(),
    keys: redisKeys,
    backends: { egress: new EgressBackend({ url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret }) },
  });
  await worker.start();
  dir = mkdtempSync(join(tmpdir(), 'pitchside-routes-'));
});

afterAll(async () => {
  await worker.close();
  await exporter?.close();
  await stub.close();
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

let app: FastifyInstance;
let keys: Record<string, RoleKey>;
async function setup(eventId: string): Promise<void> {
  // LiveKit on the stub too: cameras get tokens from the same server the worker asks for egresses.
  app = await testApp({
    keyPrefix: KEY_PREFIX,
    livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret },
  });
  await app.events.create(
    {
      id: eventId,
      name: 'Route match',
      sport: 'football',
      home: { name: 'Reds' },
      away: { name: 'Blues' },
      destinations: [
        { id: 'youtube', kind: 'youtube', streamKey: YT_KEY },
        { id: 'club', kind: 'rtmp', serverUrl: 'rtmp://media.example.org/live', streamKey: CLUB_KEY },
      ],
    },
    { sources: testSources(4) },
  );
  keys = Object.fromEntries((await app.apiKeys.ensureEventKeys(eventId)).map((k) => [k.role, k]));
}
describe('output routes', () => {
  it('go live, drop one destination and stop, for directors only; keys never in an answer', async () => {
    await setup('routes-a');
    const director = bearer(keys['director']?.key ?? '');
    const viewer = bearer(keys['viewer']?.key ?? '');
    const url = '/api/events/routes-a/outputs';

    expect((await app.inject({ method: 'POST', url: `${url}/stream`, headers: viewer, payload: {} })).statusCode).toBe(
      403,
    );
    const bad = await app.inject({
      method: 'POST',
      url: `${url}/stream`,
      headers: director,
      payload: { destinations: ['nope'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('/destinations');
    const badVideo = await app.inject({
      method: 'POST',
      url: `${url}/stream`,
      headers: director,
      payload: { video: { width: 1280, height: 720, fps: 24 } },
    });
    expect(badVideo.statusCode).toBe(400);

    const live = await app.inject({
      method: 'POST',
      url: `${url}/stream`,
      headers: director,
      payload: { video: { width: 1280, height: 720, fps: 30 } },
    });
    expect(live.statusCode, live.body).toBe(200);
    expect(live.json().plan.destinations).toEqual(['youtube', 'club']);
    await until(() => stub.callsOf('livekit.Egress/StartRoomCompositeEgress').length === 1, 10_000, 'egress start');
    const start = stub.callsOf<RoomCompositeEgressRequest>('livekit.Egress/StartRoomCompositeEgress')[0];
    const base = new URL(start?.customBaseUrl ?? '');
    expect(base.searchParams.get('event')).toBe('routes-a');
    // The key rides in the fragment (Egress keeps it; no access log sees it).
    expect(base.searchParams.get('key')).toBeNull();
    expect(new URLSearchParams(base.hash.slice(1)).get('key')).toBe(keys['template']?.key);
    expect(base.searchParams.get('width')).toBe('1280');

    const drop = await app.inject({ method: 'DELETE', url: `${url}/stream/club`, headers: director });
    expect(drop.statusCode).toBe(200);
    await until(() => stub.callsOf('livekit.Egress/UpdateStream').length === 1, 10_000, 'UpdateStream');
    expect(stub.callsOf<UpdateStreamRequest>('livekit.Egress/UpdateStream')[0]?.removeOutputUrls).toEqual([
      `rtmp://media.example.org/live/${CLUB_KEY}`,
    ]);

    await until(
      async () => {
        const status = await app.inject({ method: 'GET', url, headers: bearer(keys['graphics']?.key ?? '') });
        return status
          .json()
          .statuses.some((s: { state: string; outputs: unknown[] }) => s.state === 'running' && s.outputs.length === 1);
      },
      10_000,
      'status with one destination',
    );
    const status = await app.inject({ method: 'GET', url, headers: director });
    const stop = await app.inject({ method: 'POST', url: `${url}/stop`, headers: director, payload: {} });
    expect(stop.statusCode).toBe(200);
    expect(stop.json().plan.stop).toBe(true);
    for (const body of [live.body, drop.body, status.body, stop.body]) {
      expect(body).not.toContain(YT_KEY);
      expect(body).not.toContain(CLUB_KEY);
      expect(body).not.toContain(keys['template']?.key ?? 'x');
    }
    expect((await app.inject({ method: 'DELETE', url: `${url}/stream/youtube`, headers: director })).statusCode).toBe(
      409,
    );
  });

  it('exports the latest recording and serves its files to directors only', async () => {
    await setup('routes-b');
    const recording = join(dir, 'rec.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x180:rate=30:duration=4',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      '-shortest',
      recording,
    ]);
    await noteRecordings(redis, redisKeys, 'routes-b', {
      recordings: [recording],
      recordingStartedAt: Date.now() - 10_000,
    });
    exporter = new ExportWorker({
      log: testLogger('export'),
      redisUrl: testRedisUrl(),
      keys: redisKeys,
      readLog: (id, range) => app.switchLog.query(id, range),
    });
    await exporter.start();
    const director = bearer(keys['director']?.key ?? '');

    const bad = await app.inject({
      method: 'POST',
      url: '/api/events/routes-b/exports',
      headers: director,
      payload: { inMs: -1 },
    });
    expect(bad.statusCode).toBe(400);
    const started = await app.inject({
      method: 'POST',
      url: '/api/events/routes-b/exports',
      headers: director,
      payload: { thumbnails: 4 },
    });
    expect(started.statusCode, started.body).toBe(200);
    const files: string[] = started.json().files;
    const poster = files.find((f) => f.endsWith('poster.jpg')) ?? '';
    await until(
      async () =>
        (await app.inject({ method: 'GET', url: files.find((f) => f.endsWith('.edl')) ?? '', headers: director }))
          .statusCode === 200,
      30_000,
      'export',
    );
    const got = await app.inject({ method: 'GET', url: poster, headers: director });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(
      (await app.inject({ method: 'GET', url: poster, headers: bearer(keys['viewer']?.key ?? '') })).statusCode,
    ).toBe(403);
    expect((await app.inject({ method: 'GET', url: poster, headers: admin() })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: poster.replace('poster.jpg', 'chapters.txt'), headers: director }))
        .statusCode,
    ).toBe(400);

    // Normalised to the event's own loudness target, resolved when asked: the job says −23.
    const target = await app.inject({
      method: 'POST',
      url: '/api/events/routes-b/audio/master',
      headers: director,
      payload: { loudness: { targetLufs: -23 } },
    });
    expect(target.statusCode, target.body).toBe(200);
    const normalised = await app.inject({
      method: 'POST',
      url: '/api/events/routes-b/exports',
      headers: director,
      payload: { normaliseLoudness: true },
    });
    expect(normalised.statusCode, normalised.body).toBe(200);
    const expected = { normaliseLoudness: true, targetLufs: -23 as const };
    // The job id also carries the event's chapter policy (its sport's), as every export's does.
    const rules = (await app.inject({ method: 'GET', url: '/api/events/routes-b', headers: admin() })).json().rules;
    expect(normalised.json().jobId).toBe(JobClient.exportJobId('routes-b', recording, expected, [], rules.chapters));
  });

  it('the egress composes the room the cameras are granted: controller and worker agree on the room', async () => {
    await setup('routes-c');
    const event = (await app.inject({ method: 'GET', url: '/api/events/routes-c', headers: admin() })).json();
    const joined = await app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: event.joinCode, label: 'Cam' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(joined.json().livekit.token);
    const granted = claims.video?.room ?? '';
    expect(granted).not.toBe('');

    const director = bearer(keys['director']?.key ?? '');
    const before = stub.callsOf('livekit.Egress/StartRoomCompositeEgress').length;
    const record = await app.inject({
      method: 'POST',
      url: '/api/events/routes-c/outputs/record',
      headers: director,
      payload: {},
    });
    expect(record.statusCode, record.body).toBe(200);
    await until(() => stub.callsOf('livekit.Egress/StartRoomCompositeEgress').length > before, 10_000, 'egress start');
    const start = stub.callsOf<RoomCompositeEgressRequest>('livekit.Egress/StartRoomCompositeEgress')[before];
    expect(start?.roomName).toBe(granted);
    await app.inject({ method: 'POST', url: '/api/events/routes-c/outputs/stop', headers: director, payload: {} });
  });
});
