// Direct-camera signalling through the event WebSocket, against the real controller and Redis: frames
// reach only the socket they are addressed to, in the same event; a camera signals only as itself and
// never to another camera; bad frames get an error naming the field and change nothing.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIGNAL_SDP_MAX_CHARS, TEMPLATE_QUERY, WS_CLOSE, type Camera } from '../../protocol/index.ts';
import { WS_MAX_PAYLOAD_BYTES } from '../../controller/app.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { connectWs, listen, seedEvent, seedSeat, testApp, type FrameCollector } from './controller-helpers.ts';

const SESSION = 'sess-0001';
const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } as const;

let app: FastifyInstance;
let host: string;
let keys: Record<string, string>;
let otherKeys: Record<string, string>;
const sockets: FrameCollector[] = [];

/** Joins as a camera: the answer's key is bound to that camera. */
async function join(code: string, label: string): Promise<Camera & { key: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label } });
  expect(res.statusCode, res.body).toBe(200);
  const body = JSON.parse(res.body) as { camera: Camera; transport: string; key: string };
  expect(body.transport).toBe('direct');
  return { ...body.camera, key: body.key };
}

async function ws(eventId: string, key: string): Promise<FrameCollector> {
  const socket = await connectWs(host, eventId, key);
  sockets.push(socket);
  await socket.waitFor((f) => f.type === 'state', FRAME_TIMEOUT_MS);
  return socket;
}

/** Frames that arrive within a short while: for checks that something is NOT delivered. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 500));
}

/** Generous: these run on a loaded machine; a frame that does arrive arrives long before this. */
const FRAME_TIMEOUT_MS = 15_000;

beforeEach(async () => {
  app = await testApp();
  keys = Object.fromEntries(Object.entries(await seedEvent(app, 'match')).map(([role, k]) => [role, k.key]));
  otherKeys = Object.fromEntries(Object.entries(await seedEvent(app, 'other')).map(([role, k]) => [role, k.key]));
  host = await listen(app);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
});

describe('direct media signalling', () => {
  it('relays a request and its offer only between the camera and the page that asked', async () => {
    const code = (await app.events.require('match')).joinCode;
    const [a, b] = [await join(code, 'North'), await join(code, 'South')];
    const camA = await ws('match', a.key);
    const camB = await ws('match', b.key);
    const director = await ws('match', keys['director']!);
    const graphics = await ws('match', keys['graphics']!);
    const elsewhere = await ws('other', otherKeys['director']!);
    const config = await director.waitFor((f) => f.type === 'media.config', FRAME_TIMEOUT_MS);
    expect(config).toMatchObject({ transport: 'direct', iceServers: [] });

    director.socket.send(JSON.stringify({ type: 'media.request', camera: a.id, session: SESSION, quality: 'reduced' }));
    const request = await camA.waitFor((f) => f.type === 'media.request', FRAME_TIMEOUT_MS);
    expect(request).toMatchObject({ to: a.id, session: SESSION, quality: 'reduced' });
    expect(String(request['from'])).toMatch(/^rx-[a-f0-9]{16}$/);

    camA.socket.send(
      JSON.stringify({ type: 'media.signal', to: request['from'], session: SESSION, description: OFFER }),
    );
    const offer = await director.waitFor((f) => f.type === 'media.signal', FRAME_TIMEOUT_MS);
    // `from` is the controller's stamp: the camera's own id.
    expect(offer).toMatchObject({ from: a.id, session: SESSION, description: OFFER });

    director.socket.send(
      JSON.stringify({
        type: 'media.signal',
        to: a.id,
        session: SESSION,
        candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      }),
    );
    const candidate = await camA.waitFor((f) => f.type === 'media.signal', FRAME_TIMEOUT_MS);
    expect(candidate['from']).toBe(request['from']);

    await settle();
    for (const bystander of [camB, graphics, elsewhere])
      expect(bystander.frames.filter((f) => f.type === 'media.request' || f.type === 'media.signal')).toEqual([]);
  });

  it("relays a commentary seat's sound like a camera's: asked by a receiver, answered as the seat", async () => {
    const seat = await seedSeat(app, 'match');
    const foreign = await seedSeat(app, 'other');
    const template = await ws('match', keys['template']!);
    const elsewhere = await ws('other', otherKeys['template']!);
    const seatSocket = await ws('match', seat.key);
    expect(await seatSocket.waitFor((f) => f.type === 'media.config', FRAME_TIMEOUT_MS)).toMatchObject({
      transport: 'direct',
    });
    // Its page coming online is announced to the receivers, which ask it at once.
    expect(
      await template.waitFor((f) => f.type === 'media.camera' && f['camera'] === seat.id, FRAME_TIMEOUT_MS),
    ).toMatchObject({ online: true });

    template.socket.send(JSON.stringify({ type: 'media.request', camera: seat.id, session: SESSION, quality: 'full' }));
    const request = await seatSocket.waitFor((f) => f.type === 'media.request', FRAME_TIMEOUT_MS);
    const audioOffer = { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' };
    seatSocket.socket.send(
      JSON.stringify({ type: 'media.signal', to: request['from'], session: SESSION, description: audioOffer }),
    );
    expect(await template.waitFor((f) => f.type === 'media.signal', FRAME_TIMEOUT_MS)).toMatchObject({
      from: seat.id,
      description: audioOffer,
    });
    // Another event's seat is not this event's to reach.
    template.socket.send(
      JSON.stringify({ type: 'media.request', camera: foreign.id, session: SESSION, quality: 'full' }),
    );
    expect(await template.waitFor((f) => f.type === 'error', FRAME_TIMEOUT_MS)).toMatchObject({
      code: 'UNKNOWN_SEAT',
      field: '/camera',
    });
    await settle();
    expect(elsewhere.frames.filter((f) => f.type.startsWith('media.') && f.type !== 'media.config')).toEqual([]);
  });

  it("tags each request with the slot class the socket's key (and pass) may take; relays a camera's refusal", async () => {
    const code = (await app.events.require('match')).joinCode;
    const a = await join(code, 'North');
    const camA = await ws('match', a.key);
    const template = (await app.apiKeys.get('match', 'template'))!;
    const pass = app.apiKeys.programPass('match', template.keyId);
    const otherPass = app.apiKeys.programPass('other', template.keyId);
    const receivers = {
      director: await ws('match', keys['director']!),
      graphics: await ws('match', keys['graphics']!),
      template: await ws('match', template.key),
      renderer: await connectWs(host, 'match', template.key, { [TEMPLATE_QUERY.programPass]: pass }),
      otherEventPass: await connectWs(host, 'match', template.key, { [TEMPLATE_QUERY.programPass]: otherPass }),
      graphicsWithPass: await connectWs(host, 'match', keys['graphics']!, { [TEMPLATE_QUERY.programPass]: pass }),
      // A commentator's program return: on-air work, kept with the director's monitors.
      seatReturn: await ws('match', (await seedSeat(app, 'match')).key),
    };
    const expected = {
      director: 'monitor',
      seatReturn: 'monitor',
      graphics: 'other',
      template: 'other',
      renderer: 'program',
      otherEventPass: 'other',
      graphicsWithPass: 'other',
    };
    sockets.push(receivers.renderer, receivers.otherEventPass, receivers.graphicsWithPass);
    for (const [name, socket] of Object.entries(receivers)) {
      await socket.waitFor((f) => f.type === 'media.config', FRAME_TIMEOUT_MS);
      const session = `sess-${name}`;
      socket.socket.send(JSON.stringify({ type: 'media.request', camera: a.id, session, quality: 'reduced' }));
      const request = await camA.waitFor((f) => f.type === 'media.request' && f['session'] === session);
      expect(request['slot'], name).toBe(expected[name as keyof typeof expected]);
    }
    // The camera's refusal reaches the receiver it names, stamped as the camera; a receiver cannot send one.
    const request = await camA.waitFor((f) => f.type === 'media.request' && f['session'] === 'sess-graphics');
    camA.socket.send(
      JSON.stringify({ type: 'media.refused', to: request['from'], session: 'sess-graphics', reason: 'slots-full' }),
    );
    expect(await receivers.graphics.waitFor((f) => f.type === 'media.refused', FRAME_TIMEOUT_MS)).toMatchObject({
      from: a.id,
      session: 'sess-graphics',
      reason: 'slots-full',
    });
    receivers.director.socket.send(
      JSON.stringify({ type: 'media.refused', to: request['from'], session: 'sess-graphics', reason: 'expired' }),
    );
    expect(await receivers.director.waitFor((f) => f.type === 'error', FRAME_TIMEOUT_MS)).toMatchObject({
      code: 'FORBIDDEN',
      field: '/type',
    });
    await settle();
    expect(receivers.graphics.frames.filter((f) => f.type === 'media.refused')).toHaveLength(1);
    expect(receivers.director.frames.filter((f) => f.type === 'media.refused')).toEqual([]);
  });

  it('refuses frames a socket may not send, naming the field, and relays nothing', async () => {
    const code = (await app.events.require('match')).joinCode;
    const [a, b] = [await join(code, 'North'), await join(code, 'South')];
    const foreign = await join((await app.events.require('other')).joinCode, 'Away end');
    const camA = await ws('match', a.key);
    const camB = await ws('match', b.key);
    const director = await ws('match', keys['director']!);
    const viewer = await ws('match', keys['viewer']!);
    const elsewhere = await ws('other', otherKeys['director']!);

    const cases: Array<{ socket: FrameCollector; frame: object; code: string; field: string }> = [
      // A camera cannot reach another camera, nor ask for media.
      {
        socket: camA,
        frame: { type: 'media.signal', to: b.id, session: SESSION, description: OFFER },
        code: 'FORBIDDEN',
        field: '/to',
      },
      {
        socket: camA,
        frame: { type: 'media.request', camera: b.id, session: SESSION, quality: 'full' },
        code: 'FORBIDDEN',
        field: '/type',
      },
      // A page reaches cameras only, and only its own event's.
      {
        socket: director,
        frame: { type: 'media.signal', to: 'rx-0123456789abcdef', session: SESSION, description: OFFER },
        code: 'FORBIDDEN',
        field: '/to',
      },
      {
        socket: director,
        frame: { type: 'media.request', camera: 'cam-zzzzzz', session: SESSION, quality: 'full' },
        code: 'UNKNOWN_CAMERA',
        field: '/camera',
      },
      {
        socket: elsewhere,
        frame: { type: 'media.request', camera: a.id, session: SESSION, quality: 'full' },
        code: 'UNKNOWN_CAMERA',
        field: '/camera',
      },
      {
        socket: elsewhere,
        frame: { type: 'media.signal', to: b.id, session: SESSION, description: OFFER },
        code: 'UNKNOWN_CAMERA',
        field: '/to',
      },
      {
        socket: director,
        frame: { type: 'media.request', camera: foreign.id, session: SESSION, quality: 'full' },
        code: 'UNKNOWN_CAMERA',
        field: '/camera',
      },
      // Operator pages receive cameras reduced: full quality is the program renderers' (issue 22 hole 3).
      {
        socket: director,
        frame: { type: 'media.request', camera: a.id, session: SESSION, quality: 'full' },
        code: 'FORBIDDEN',
        field: '/quality',
      },
      // Viewers never receive camera media; only a camera reports its link.
      {
        socket: viewer,
        frame: { type: 'media.request', camera: a.id, session: SESSION, quality: 'reduced' },
        code: 'FORBIDDEN',
        field: '/type',
      },
      {
        socket: director,
        frame: {
          type: 'camera.health',
          health: { peers: 1, width: 1, height: 1, fps: 30, bitrateKbps: 1, packetLossPct: 0, rttMs: null },
        },
        code: 'FORBIDDEN',
        field: '/type',
      },
      // Malformed and oversize.
      {
        socket: director,
        frame: { type: 'media.request', camera: a.id, quality: 'full' },
        code: 'INVALID',
        field: '/session',
      },
      {
        socket: camA,
        frame: {
          type: 'media.signal',
          to: 'rx-0123456789abcdef',
          session: SESSION,
          description: { type: 'offer', sdp: 'x'.repeat(SIGNAL_SDP_MAX_CHARS + 1) },
        },
        code: 'INVALID',
        field: '/description/sdp',
      },
      {
        socket: camA,
        frame: { type: 'media.signal', to: 'rx-0123456789abcdef', session: SESSION },
        code: 'INVALID',
        field: '/description',
      },
      {
        socket: director,
        frame: { type: 'media.signal', to: a.id, session: 'x', candidate: null },
        code: 'INVALID',
        field: '/session',
      },
    ];
    for (const { socket, frame, code: errorCode, field } of cases) {
      const before = socket.frames.length;
      socket.socket.send(JSON.stringify(frame));
      const error = await socket.waitFor(
        (f, i = socket.frames.indexOf(f)) => f.type === 'error' && i >= before,
        FRAME_TIMEOUT_MS,
      );
      expect(error, JSON.stringify(frame).slice(0, 200)).toMatchObject({ code: errorCode, field });
    }
    await settle();
    for (const socket of [camA, camB, director, elsewhere])
      expect(socket.frames.filter((f) => f.type === 'media.request' || f.type === 'media.signal')).toEqual([]);
    // Nothing changed: no health was recorded for anyone.
    expect((await app.cameras.list('match')).map((c) => c.health)).toEqual([undefined, undefined]);

    // Past the socket's frame limit the controller closes it, as for any frame (1009; a loaded machine may
    // tear the connection down before the close frame is read: 1006).
    const closed = new Promise<number>((resolve) => director.socket.once('close', (code) => resolve(code)));
    director.socket.send('x'.repeat(WS_MAX_PAYLOAD_BYTES + 1));
    expect([1009, 1006]).toContain(await closed);
  });

  it("a camera's key opens only its own event's socket", async () => {
    const foreign = await join((await app.events.require('other')).joinCode, 'Away end');
    // Refused before the upgrade (403) or closed at once with the final FORBIDDEN code.
    const outcome = await connectWs(host, 'match', foreign.key).then(
      (socket) => new Promise<string>((resolve) => socket.socket.once('close', (code) => resolve(String(code)))),
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(new RegExp(`403|${WS_CLOSE.FORBIDDEN}`));
  });

  it('camera status follows its socket and its health reports', async () => {
    const camera = await join((await app.events.require('match')).joinCode, 'North');
    const socket = await ws('match', camera.key);
    const health = { peers: 2, width: 1280, height: 720, fps: 30, bitrateKbps: 2900, packetLossPct: 0.5, rttMs: 12 };
    socket.socket.send(JSON.stringify({ type: 'camera.health', health }));
    await expect
      .poll(async () => (await app.cameras.get('match', camera.id))?.status, { timeout: FRAME_TIMEOUT_MS })
      .toBe('live');
    expect((await app.cameras.get('match', camera.id))?.health).toEqual(health);
    socket.socket.send(JSON.stringify({ type: 'camera.health', health: { ...health, peers: 0 } }));
    await expect
      .poll(async () => (await app.cameras.get('match', camera.id))?.status, { timeout: FRAME_TIMEOUT_MS })
      .toBe('registered');
    await socket.close();
    await expect
      .poll(async () => (await app.cameras.get('match', camera.id))?.status, { timeout: FRAME_TIMEOUT_MS })
      .toBe('disconnected');
    expect((await app.cameras.get('match', camera.id))?.health).toBeUndefined();
    const again = await ws('match', camera.key);
    await expect
      .poll(async () => (await app.cameras.get('match', camera.id))?.status, { timeout: FRAME_TIMEOUT_MS })
      .toBe('registered');
    await again.close();
  });
});

describe('with LiveKit configured', () => {
  it('the join answer says livekit and direct signalling is refused', async () => {
    const stub = new LiveKitTwirpStub();
    await stub.start();
    try {
      const liveApp = await testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });
      const liveKeys = await seedEvent(liveApp, 'lk');
      const liveHost = await listen(liveApp);
      const code = (await liveApp.events.require('lk')).joinCode;
      const res = await liveApp.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'North' } });
      const answer = JSON.parse(res.body) as { camera: Camera; transport: string };
      expect(answer.transport).toBe('livekit');
      const director = await connectWs(liveHost, 'lk', liveKeys['director']!.key);
      sockets.push(director);
      expect(await director.waitFor((f) => f.type === 'media.config', FRAME_TIMEOUT_MS)).toMatchObject({
        transport: 'livekit',
      });
      director.socket.send(
        JSON.stringify({ type: 'media.request', camera: answer.camera.id, session: SESSION, quality: 'full' }),
      );
      expect(await director.waitFor((f) => f.type === 'error', FRAME_TIMEOUT_MS)).toMatchObject({
        code: 'TRANSPORT_LIVEKIT',
      });
    } finally {
      await stub.close();
    }
  });
});
