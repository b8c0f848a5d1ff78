import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendDataRequest } from '@livekit/protocol';
import { TokenVerifier, TrackSource } from 'livekit-server-sdk';
import { PROGRAM_TOPIC } from '../../protocol/index.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { testRedis } from '../helpers/redis.ts';
import { JOIN_ATTEMPT_LIMIT } from '../../controller/routes/cameras.ts';
import type { EgressUpdate } from '../../outputs/egress-updates.ts';
import { admin, bearer, connectWs, listen, seedEvent, testApp } from './controller-helpers.ts';

describe('cameras and LiveKit (against the Twirp stub)', () => {
  let stub: LiveKitTwirpStub;
  beforeEach(async () => {
    stub = new LiveKitTwirpStub();
    await stub.start();
  });
  afterEach(async () => stub.close());

  const liveApp = () => testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });

  it('joins a camera by code: a source, a least-privilege token, status from signed webhooks, pushed live', async () => {
    const app = await liveApp();
    const keys = await seedEvent(app);
    const event = (await app.inject({ method: 'GET', url: '/api/events/match', headers: admin() })).json();
    const director = await connectWs(await listen(app), 'match', keys.director!.key);

    const joined = await app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: event.joinCode.toLowerCase(), label: 'Tribune' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const { camera, key, livekit } = joined.json();
    expect(camera).toMatchObject({ label: 'Tribune', status: 'registered' });
    // Its own key, not the event's shared camera key.
    expect(key).not.toBe(keys.camera!.key);
    expect((await app.inject({ url: '/api/me', headers: bearer(key) })).json()).toMatchObject({
      role: 'camera',
      cameraId: camera.id,
    });
    const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(livekit.token);
    expect(claims.sub).toBe(camera.id);
    expect(claims.video).toMatchObject({
      room: 'pitchside-match',
      roomJoin: true,
      canPublish: true,
      canSubscribe: false,
      canPublishData: false,
    });
    expect(claims.video?.canPublishSources?.sort()).toEqual(['camera', 'microphone']);
    const state = (await app.inject({ method: 'GET', url: '/api/events/match/state', headers: admin() })).json().state;
    expect(state.sources.at(-1)).toEqual({ id: camera.id, label: 'Tribune', kind: 'livekit', participant: camera.id });

    const hook = async (body: object) => {
      const payload = JSON.stringify(body);
      return app.inject({
        method: 'POST',
        url: '/api/livekit/webhook',
        headers: { 'content-type': 'application/webhook+json', authorization: await stub.signWebhook(payload) },
        payload,
      });
    };
    const room = { name: 'pitchside-match' };
    const participant = { identity: camera.id };
    expect((await hook({ event: 'participant_joined', room, participant, createdAt: '1' })).statusCode).toBe(200);
    expect(
      (await hook({ event: 'track_published', room, participant, track: { source: 'CAMERA' }, createdAt: '2' }))
        .statusCode,
    ).toBe(200);
    await director.waitFor(
      (f) => f.type === 'cameras' && (f.cameras as Array<{ status: string }>)[0]?.status === 'live',
    );
    await hook({ event: 'participant_left', room, participant, createdAt: '3' });
    await director.waitFor((f) => f.type === 'log' && (f.entry as { kind: string }).kind === 'camera.disconnected');
    const cameras = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json()
      .cameras;
    expect(cameras[0].status).toBe('disconnected');
    const log = (await app.inject({ method: 'GET', url: '/api/events/match/event-log', headers: admin() })).json()
      .entries;
    expect(log.map((e: { kind: string }) => e.kind)).toEqual([
      'camera.registered',
      'camera.connected',
      'camera.live',
      'camera.disconnected',
    ]);

    const forged = await app.inject({
      method: 'POST',
      url: '/api/livekit/webhook',
      headers: { 'content-type': 'application/webhook+json', authorization: await stub.signWebhook('{}') },
      payload: JSON.stringify({ event: 'participant_left', room, participant }),
    });
    expect(forged.statusCode).toBe(401);
    void TrackSource;
    await director.close();
  });

  it('slows down guessing of join codes: past the limit every attempt gets 429, and nothing joins', async () => {
    const app = await testApp();
    await seedEvent(app);
    const attempt = () => app.inject({ method: 'POST', url: '/api/join', payload: { code: 'ZZZZZZ' } });
    for (let i = 0; i < JOIN_ATTEMPT_LIMIT; i += 1) expect((await attempt()).statusCode).toBe(404);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toMatch(/retry in \d+ s/);
    const cameras = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json()
      .cameras;
    expect(cameras).toEqual([]);
  });

  it('hands a signed egress webhook to the worker that owns the egress, and logs it for operators', async () => {
    const app = await liveApp();
    await seedEvent(app);
    const subscriber = testRedis();
    const updates: EgressUpdate[] = [];
    await subscriber.subscribe(app.redisKeys.egressUpdatesChannel());
    subscriber.on('message', (_channel, message: string) => updates.push(JSON.parse(message) as EgressUpdate));
    const payload = JSON.stringify({
      event: 'egress_ended',
      egressInfo: {
        egressId: 'EG_abc',
        roomName: 'pitchside-match',
        status: 'EGRESS_FAILED',
        error: 'rtmp dial failed',
      },
      createdAt: '5',
    });
    const headers = { 'content-type': 'application/webhook+json', authorization: await stub.signWebhook(payload) };
    expect((await app.inject({ method: 'POST', url: '/api/livekit/webhook', headers, payload })).statusCode).toBe(200);
    await expect.poll(() => updates.length).toBe(1);
    expect(updates[0]).toMatchObject({ egressId: 'EG_abc', status: 'EGRESS_FAILED', error: 'rtmp dial failed' });
    const log = (await app.inject({ method: 'GET', url: '/api/events/match/event-log', headers: admin() })).json()
      .entries;
    expect(log.at(-1)).toMatchObject({ kind: 'egress.status', level: 'error' });
    subscriber.disconnect();
  });

  it('sends each committed state once to the room on the program topic', async () => {
    const app = await liveApp();
    const other = await liveApp();
    const keys = await seedEvent(app);
    void other;
    await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-2' },
    });
    await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-3' },
    });
    await expect.poll(() => stub.callsOf<SendDataRequest>('livekit.RoomService/SendData').length).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    const sends = stub.callsOf<SendDataRequest>('livekit.RoomService/SendData');
    expect(sends).toHaveLength(2);
    expect(sends.map((s) => s.topic)).toEqual([PROGRAM_TOPIC, PROGRAM_TOPIC]);
    expect(sends.map((s) => s.room)).toEqual(['pitchside-match', 'pitchside-match']);
    const messages = sends.map((s) => JSON.parse(new TextDecoder().decode(s.data)));
    expect(messages.map((m) => [m.type, m.eventId, m.state.revision, m.state.program])).toEqual([
      ['state', 'match', 1, 'camera-2'],
      ['state', 'match', 2, 'camera-3'],
    ]);
  });

  it('gives panels subscribe-only tokens, the template a hidden one, viewers none', async () => {
    const app = await liveApp();
    const keys = await seedEvent(app);
    const verifier = new TokenVerifier(stub.apiKey, stub.apiSecret);
    for (const role of ['director', 'graphics'] as const) {
      const res = await app.inject({
        method: 'GET',
        url: '/api/events/match/livekit-token',
        headers: bearer(keys[role]!.key),
      });
      const claims = await verifier.verify(res.json().token);
      expect(claims.video).toMatchObject({
        room: 'pitchside-match',
        roomJoin: true,
        canPublish: false,
        canSubscribe: true,
        canPublishData: false,
      });
      expect(claims.video?.hidden).toBeFalsy();
    }
    const template = await app.inject({
      method: 'GET',
      url: '/api/events/match/livekit-token',
      headers: bearer(keys.template!.key),
    });
    expect((await verifier.verify(template.json().token)).video).toMatchObject({
      hidden: true,
      canPublish: false,
      canSubscribe: true,
    });
    for (const role of ['viewer', 'camera'] as const) {
      expect(
        (await app.inject({ method: 'GET', url: '/api/events/match/livekit-token', headers: bearer(keys[role]!.key) }))
          .statusCode,
      ).toBe(403);
    }
  });

  it('serves the join QR code as PNG and SVG encoding the camera join URL', async () => {
    const app = await testApp();
    await seedEvent(app);
    const join = (await app.inject({ method: 'GET', url: '/api/events/match/join', headers: admin() })).json();
    expect(join.url).toMatch(new RegExp(`/camera\\?code=${join.code}$`));
    const png = await app.inject({ method: 'GET', url: '/api/events/match/join-qr.png', headers: admin() });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const svg = await app.inject({ method: 'GET', url: '/api/events/match/join-qr.svg', headers: admin() });
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
  });
});
