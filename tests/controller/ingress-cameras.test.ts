// RTMP/WHIP cameras through LiveKit Ingress, against the Twirp stub (no LiveKit server runs here): every
// field of the CreateIngress request and its grant, the operator-only URL/key/QR, ingress webhooks driving
// the camera's status, removal deleting the ingress, and the key never reaching another role, a frame or a log.
import { Writable } from 'node:stream';
import type { CreateIngressRequest, DeleteIngressRequest, ListIngressRequest } from '@livekit/protocol';
import { IngressInput } from '@livekit/protocol';
import QRCode from 'qrcode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/logger.ts';
import { MAX_SOURCES, testSources, type Camera, type IngressCameraAccess } from '../../protocol/index.ts';
import { LiveKitTwirpStub, STUB_RTMP_BASE_URL, STUB_WHIP_BASE_URL, type TwirpCall } from '../helpers/livekit-twirp.ts';
import { admin, bearer, connectWs, listen, seedEvent, take, testApp } from './controller-helpers.ts';

interface Created {
  camera: Camera;
  access: IngressCameraAccess;
}

describe('RTMP/WHIP cameras through LiveKit Ingress (Twirp stub)', () => {
  let stub: LiveKitTwirpStub;
  let logged = '';
  beforeEach(async () => {
    stub = new LiveKitTwirpStub();
    await stub.start();
    logged = '';
  });
  afterEach(async () => stub.close());

  /** An app on the stub whose log (every level, with the production redaction) is kept in `logged`. */
  const liveApp = () =>
    testApp({
      livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret },
      logger: createLogger({
        level: 'trace',
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            logged += chunk.toString();
            done();
          },
        }),
      }),
    });

  const addCamera = (app: Awaited<ReturnType<typeof liveApp>>, payload: object, key?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/events/match/ingress-cameras',
      headers: key === undefined ? admin() : bearer(key),
      payload,
    });

  const hook = async (app: Awaited<ReturnType<typeof liveApp>>, body: object) => {
    const payload = JSON.stringify(body);
    const response = await app.inject({
      method: 'POST',
      url: '/api/livekit/webhook',
      headers: { 'content-type': 'application/webhook+json', authorization: await stub.signWebhook(payload) },
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
  };

  it('adds a WHIP camera: every CreateIngress field and grant, an operator-only key and QR, a program source', async () => {
    const app = await liveApp();
    const keys = await seedEvent(app);
    const host = await listen(app);
    const sockets = {
      director: await connectWs(host, 'match', keys.director!.key),
      graphics: await connectWs(host, 'match', keys.graphics!.key),
      template: await connectWs(host, 'match', keys.template!.key),
    };

    const response = await addCamera(app, { label: 'Drone' }, keys.director!.key);
    expect(response.statusCode, response.body).toBe(201);
    const { camera, access } = response.json<Created>();
    expect(camera).toMatchObject({
      label: 'Drone',
      status: 'registered',
      ingress: { input: 'whip', transcode: false },
    });
    expect(camera.ingress).toEqual({
      ingressId: expect.stringMatching(/^IN_/),
      input: 'whip',
      transcode: false,
      state: 'waiting',
    });

    const calls = stub.calls.filter((c) => c.method === 'livekit.Ingress/CreateIngress');
    expect(calls).toHaveLength(1);
    const call = calls[0] as TwirpCall;
    // The SDK signs with exactly the grant the server checks for ingress calls, and nothing more.
    expect(call.grants.video).toEqual({ ingressAdmin: true });
    expect(call.grants.iss).toBe(stub.apiKey);
    const request = call.request as CreateIngressRequest;
    expect({
      inputType: request.inputType,
      name: request.name,
      roomName: request.roomName,
      participantIdentity: request.participantIdentity,
      participantName: request.participantName,
      participantMetadata: request.participantMetadata,
      bypassTranscoding: request.bypassTranscoding,
      enableTranscoding: request.enableTranscoding,
      url: request.url,
      enabled: request.enabled,
      audio: request.audio,
      video: request.video,
    }).toEqual({
      inputType: IngressInput.WHIP_INPUT,
      name: `match/${camera.id}`,
      roomName: 'pitchside-match',
      participantIdentity: camera.id,
      participantName: 'Drone',
      participantMetadata: '',
      bypassTranscoding: false,
      enableTranscoding: false,
      url: '',
      enabled: undefined,
      audio: undefined,
      video: undefined,
    });

    const stored = stub.ingresses.get(camera.ingress!.ingressId)!;
    expect(access).toEqual({
      input: 'whip',
      url: STUB_WHIP_BASE_URL,
      streamKey: stored.streamKey,
      publishUrl: `${STUB_WHIP_BASE_URL}/${stored.streamKey}`,
      qr: {
        png: `/api/events/match/cameras/${camera.id}/ingress-qr.png`,
        svg: `/api/events/match/cameras/${camera.id}/ingress-qr.svg`,
      },
    });

    // A program source like any camera, its identity the ingress participant's.
    const state = (await app.inject({ method: 'GET', url: '/api/events/match/state', headers: admin() })).json().state;
    expect(state.sources.at(-1)).toEqual({ id: camera.id, label: 'Drone', kind: 'livekit', participant: camera.id });

    // Read back from LiveKit for an operator; the QR code holds the one-URL form.
    const again = await app.inject({
      method: 'GET',
      url: `/api/events/match/cameras/${camera.id}/ingress`,
      headers: bearer(keys.director!.key),
    });
    expect(again.json()).toEqual(access);
    expect(stub.callsOf<ListIngressRequest>('livekit.Ingress/ListIngress').at(-1)?.ingressId).toBe(
      camera.ingress!.ingressId,
    );
    const svg = await app.inject({ method: 'GET', url: access.qr.svg, headers: bearer(keys.director!.key) });
    expect(svg.headers['cache-control']).toBe('no-store');
    expect(svg.body).toBe(await QRCode.toString(access.publishUrl, { type: 'svg', margin: 2 }));
    const png = await app.inject({ method: 'GET', url: access.qr.png, headers: admin() });
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');

    // Every other role: refused on each route, and the key is in nothing they receive.
    for (const role of ['graphics', 'camera', 'viewer', 'template'] as const) {
      const key = keys[role]!.key;
      expect((await addCamera(app, { label: 'X' }, key)).statusCode, role).toBe(403);
      for (const url of [`/api/events/match/cameras/${camera.id}/ingress`, access.qr.png, access.qr.svg]) {
        expect((await app.inject({ method: 'GET', url, headers: bearer(key) })).statusCode, `${role} ${url}`).toBe(403);
      }
    }
    const listed = await app.inject({
      method: 'GET',
      url: '/api/events/match/cameras',
      // The crew's camera list is the director's and the admin's (as camera frames on the socket are).
      headers: bearer(keys.director!.key),
    });
    expect(listed.json().cameras[0]).toEqual(camera);
    // Camera frames reach operators only; the key reaches no socket at all.
    await sockets.director.waitFor((f) => f.type === 'cameras' && JSON.stringify(f).includes(camera.id));
    for (const [role, socket] of Object.entries(sockets)) {
      expect(JSON.stringify(socket.frames), role).not.toContain(stored.streamKey);
    }
    const log = await app.inject({ method: 'GET', url: '/api/events/match/event-log', headers: admin() });
    expect(log.json().entries.at(-1)).toMatchObject({
      kind: 'camera.registered',
      message: 'Drone added as a WHIP camera (' + camera.id + ').',
    });
    expect(log.body).not.toContain(stored.streamKey);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged).not.toContain(stored.streamKey);
    for (const socket of Object.values(sockets)) await socket.close();
  });

  it('transcodes RTMP always, and refuses bad input with a 400 naming the field, changing nothing', async () => {
    const app = await liveApp();
    await seedEvent(app);
    const rtmp = await addCamera(app, { label: 'GoPro end line', input: 'rtmp' });
    expect(rtmp.statusCode, rtmp.body).toBe(201);
    const { camera, access } = rtmp.json<Created>();
    expect(camera.ingress).toMatchObject({ input: 'rtmp', transcode: true });
    expect(access.url).toBe(STUB_RTMP_BASE_URL);
    const request = stub.callsOf<CreateIngressRequest>('livekit.Ingress/CreateIngress')[0]!;
    expect(request.inputType).toBe(IngressInput.RTMP_INPUT);
    expect(request.enableTranscoding).toBe(true);
    const whip = await addCamera(app, { label: 'OBS', input: 'whip', transcode: true });
    expect(whip.json<Created>().camera.ingress).toMatchObject({ input: 'whip', transcode: true });
    expect(stub.callsOf<CreateIngressRequest>('livekit.Ingress/CreateIngress')[1]!.enableTranscoding).toBe(true);

    const before = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json();
    const refused: Array<[object, string]> = [
      [{ label: 'GoPro', input: 'rtmp', transcode: false }, '/transcode'],
      [{}, '/label'],
      [{ label: '' }, '/label'],
      [{ label: 'x'.repeat(65) }, '/label'],
      [{ label: 'SRT cam', input: 'srt' }, '/input'],
      [{ label: 'Cam', transcode: 'yes' }, '/transcode'],
    ];
    for (const [payload, field] of refused) {
      const answer = await addCamera(app, payload);
      expect(answer.statusCode, JSON.stringify(payload)).toBe(400);
      expect(answer.json().error.field, JSON.stringify(payload)).toBe(field);
    }
    const extra = await addCamera(app, { label: 'Cam', streamKey: 'mine' });
    expect(extra.statusCode).toBe(400);
    expect(stub.callsOf('livekit.Ingress/CreateIngress')).toHaveLength(2);
    const after = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json();
    expect(after).toEqual(before);
  });

  it('follows the encoder through ingress webhooks: connected, live, repeated, ended in error with the key masked', async () => {
    const app = await liveApp();
    const keys = await seedEvent(app);
    const director = await connectWs(await listen(app), 'match', keys.director!.key);
    const { camera } = (await addCamera(app, { label: 'Larix', input: 'rtmp' })).json<Created>();
    const ingressId = camera.ingress!.ingressId;
    const streamKey = stub.ingresses.get(ingressId)!.streamKey;
    const ingressInfo = (status: string, error = '') => ({
      ingressId,
      roomName: 'pitchside-match',
      participantIdentity: camera.id,
      inputType: 'RTMP_INPUT',
      state: { status, error },
    });
    const statusOf = async () =>
      (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json().cameras[0];

    await hook(app, { event: 'ingress_started', ingressInfo: ingressInfo('ENDPOINT_BUFFERING'), createdAt: '1' });
    expect(await statusOf()).toMatchObject({ status: 'registered', ingress: { state: 'buffering' } });
    await hook(app, { event: 'ingress_started', ingressInfo: ingressInfo('ENDPOINT_PUBLISHING'), createdAt: '2' });
    await hook(app, { event: 'ingress_started', ingressInfo: ingressInfo('ENDPOINT_PUBLISHING'), createdAt: '3' });
    await director.waitFor((f) => f.type === 'cameras' && (f.cameras as Camera[])[0]?.ingress?.state === 'publishing');
    expect(await statusOf()).toMatchObject({ status: 'live', ingress: { state: 'publishing' } });
    // The room participant of an ingress camera does not override its encoder's status.
    await hook(app, {
      event: 'participant_left',
      room: { name: 'pitchside-match' },
      participant: { identity: camera.id },
    });
    expect((await statusOf()).status).toBe('live');
    // A webhook for an ingress this camera does not own changes nothing.
    await hook(app, {
      event: 'ingress_ended',
      ingressInfo: { ...ingressInfo('ENDPOINT_ERROR', 'x'), ingressId: 'IN_someoneelse' },
    });
    expect((await statusOf()).status).toBe('live');

    const failure = `rtmp connection ${STUB_RTMP_BASE_URL}/${streamKey} closed`;
    await hook(app, { event: 'ingress_ended', ingressInfo: ingressInfo('ENDPOINT_ERROR', failure), createdAt: '4' });
    const ended = await statusOf();
    expect(ended).toMatchObject({ status: 'disconnected', ingress: { state: 'error' } });
    expect(ended.ingress.error).toContain('rtmp connection');
    expect(ended.ingress.error).not.toContain(streamKey);
    await hook(app, { event: 'ingress_started', ingressInfo: ingressInfo('ENDPOINT_PUBLISHING'), createdAt: '5' });
    expect((await statusOf()).ingress).toEqual({ ingressId, input: 'rtmp', transcode: true, state: 'publishing' });

    const log = (await app.inject({ method: 'GET', url: '/api/events/match/event-log', headers: admin() })).json();
    expect(log.entries.map((e: { kind: string }) => e.kind)).toEqual([
      'camera.registered',
      'camera.connected',
      'camera.live',
      'camera.error',
      'camera.live',
    ]);
    expect(JSON.stringify(log)).not.toContain(streamKey);
    expect(JSON.stringify(director.frames)).not.toContain(streamKey);
    await director.close();
  });

  it('removes the ingress with the camera, not while on air, and keeps a camera whose ingress LiveKit could not delete', async () => {
    const app = await liveApp();
    const keys = await seedEvent(app);
    const director = bearer(keys.director!.key);
    const { camera } = (await addCamera(app, { label: 'Tripod' })).json<Created>();
    const ingressId = camera.ingress!.ingressId;
    const remove = () =>
      app.inject({ method: 'DELETE', url: `/api/events/match/cameras/${camera.id}`, headers: director });

    await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: director,
      payload: take(camera.id),
    });
    expect((await remove()).statusCode).toBe(422);
    expect(stub.ingresses.has(ingressId)).toBe(true);
    await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: director,
      payload: take('camera-1'),
    });

    expect((await remove()).statusCode).toBe(204);
    expect(stub.callsOf<DeleteIngressRequest>('livekit.Ingress/DeleteIngress').map((r) => r.ingressId)).toEqual([
      ingressId,
    ]);
    expect(stub.ingresses.has(ingressId)).toBe(false);
    const cameras = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json();
    expect(cameras.cameras).toEqual([]);
    const state = (await app.inject({ method: 'GET', url: '/api/events/match/state', headers: admin() })).json().state;
    expect(state.sources.map((s: { id: string }) => s.id)).not.toContain(camera.id);

    // One LiveKit already lost counts as deleted.
    const second = (await addCamera(app, { label: 'Spare' })).json<Created>().camera;
    stub.ingresses.delete(second.ingress!.ingressId);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/events/match/cameras/${second.id}`, headers: director }))
        .statusCode,
    ).toBe(204);

    // LiveKit unreachable: the camera leaves the program but stays listed, so the DELETE can be retried.
    const third = (await addCamera(app, { label: 'Roof' })).json<Created>().camera;
    await stub.close();
    const failed = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/cameras/${third.id}`,
      headers: director,
    });
    expect(failed.statusCode, failed.body).toBe(502);
    expect(failed.json().error.code).toBe('LIVEKIT_ERROR');
    const left = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json();
    expect(left.cameras.map((c: Camera) => c.id)).toEqual([third.id]);
  });

  it('leaves no camera and no working key behind when the program refuses the source', async () => {
    const app = await liveApp();
    await app.events.create(
      { id: 'match', name: 'Full', sport: 'football', home: { name: 'A' }, away: { name: 'B' } },
      { sources: testSources(MAX_SOURCES) },
    );
    await app.apiKeys.ensureEventKeys('match');
    const answer = await addCamera(app, { label: 'One too many' });
    expect(answer.statusCode, answer.body).toBe(409);
    expect(stub.callsOf('livekit.Ingress/CreateIngress')).toHaveLength(1);
    expect(stub.ingresses.size).toBe(0);
    const cameras = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json();
    expect(cameras.cameras).toEqual([]);
  });

  it('says LiveKit is not configured, and changes nothing', async () => {
    const app = await testApp();
    await seedEvent(app);
    const answer = await app.inject({
      method: 'POST',
      url: '/api/events/match/ingress-cameras',
      headers: admin(),
      payload: { label: 'Drone' },
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().error.code).toBe('LIVEKIT_NOT_CONFIGURED');
    const cameras = (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json();
    expect(cameras.cameras).toEqual([]);
  });
});
