// Issue 21: a commentary seat's key is a credential handed to someone outside the control room (a volunteer
// in the stand, a guest at home). It may act only as its own seat: publish its own microphone (no other seat,
// no camera, no picture), read the program and its own seat, and nothing else: no command, no other key, no
// operator detail. Removing the seat revokes the key and closes its sockets; no answer to another role shows
// a seat's key.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_ROUTES } from '../../controller/schemas/program.ts';
import { WS_CLOSE, type SeatView } from '../../protocol/index.ts';
import {
  TEST_ADMIN_KEY,
  admin,
  bearer,
  connectWs,
  listen,
  seedEvent,
  seedSeat,
  testApp,
  type FrameCollector,
} from '../controller/controller-helpers.ts';

/** A revoked key's sockets close on every controller within 1 s (docs/security.md); generous here. */
const CLOSE_TIMEOUT_MS = 10_000;
const FRAME_TIMEOUT_MS = 15_000;
const SESSION = 'sess-seat-01';
/** Frames every receiving socket of the event gets (configuration, a publisher's page coming and going). */
const MEDIA_BROADCASTS = new Set(['media.config', 'media.camera']);
const AUDIO_OFFER = { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' } as const;
const VIDEO_OFFER = {
  type: 'offer',
  sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n',
} as const;

/** The only routes a seat key reaches: its identity, the program, the event's public face, its own seat. */
const SEAT_ROUTES = [
  'GET /api/me',
  'GET /api/events/:eventId/state',
  'GET /api/events/:eventId/watch',
  'GET /api/events/:eventId/ws',
  // The viewers' stream, as any key of the event may fetch it.
  'GET /api/events/:eventId/hls/:destinationId/:file',
  'GET /api/events/:eventId/commentary/:seatId',
  'POST /api/events/:eventId/commentary/:seatId/token',
  // Its own ISO segments (its microphone alone), like a camera's.
  'POST /api/events/:eventId/commentary/:seatId/iso',
];

let app: FastifyInstance;
let host: string;
let keys: Awaited<ReturnType<typeof seedEvent>>;
let seatA: { id: string; key: string };
let seatB: { id: string; key: string };
let camera: { id: string; key: string };
const sockets: FrameCollector[] = [];

async function ws(key: string, eventId = 'match'): Promise<FrameCollector> {
  const socket = await connectWs(host, eventId, key);
  sockets.push(socket);
  await socket.waitFor((f) => f.type === 'state', FRAME_TIMEOUT_MS);
  return socket;
}

/** The error frame a socket gets for its last refused frame. */
async function refusal(socket: FrameCollector, field: string) {
  return socket.waitFor((f) => f.type === 'error' && f['field'] === field, FRAME_TIMEOUT_MS);
}

beforeEach(async () => {
  app = await testApp();
  keys = await seedEvent(app);
  await seedEvent(app, 'other');
  seatA = await seedSeat(app, 'match', 'Lead');
  seatB = await seedSeat(app, 'match', 'Colour');
  const { joinCode } = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
  const joined = (await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode } })).json();
  camera = { id: joined.camera.id, key: joined.key };
  host = await listen(app);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
});

describe('commentary seat keys', () => {
  it('reach only their own seat, the program and their identity: every other route is refused', async () => {
    const reachable = app.apiRoutes
      .filter((route) => 'roles' in route.access && route.access.roles.includes('commentary'))
      .map((route) => `${route.method} ${route.url}`);
    expect(reachable.sort()).toEqual([...SEAT_ROUTES].sort());

    const refused = [
      ['GET', `/api/events/match/commentary/${seatB.id}`],
      ['POST', `/api/events/match/commentary/${seatB.id}/token`],
      ['POST', `/api/events/match/cameras/${camera.id}/token`],
      ['POST', `/api/events/match/commentary/${seatB.id}/iso?startMs=1&endMs=2`],
      ['POST', `/api/events/match/cameras/${camera.id}/iso?startMs=1&endMs=2`],
      ['GET', '/api/events/match/commentary'],
      ['DELETE', `/api/events/match/commentary/${seatB.id}`],
      ['POST', '/api/events/match/commentary'],
      ['GET', '/api/events/match/keys'],
      ['GET', '/api/events/match/join'],
      ['GET', '/api/events/match'],
      ['GET', '/api/events/match/cameras'],
      ['GET', '/api/events/match/livekit-token'],
      ['GET', '/api/events/other/state'],
      ['GET', `/api/events/other/commentary/${seatA.id}`],
    ] as const;
    for (const [method, url] of refused) {
      const res = await app.inject({
        method,
        url,
        headers: bearer(seatA.key),
        payload: method === 'POST' ? {} : undefined,
      });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.body, `${method} ${url}`).not.toContain('pssea');
    }
  });

  it('cannot send any program command, by any door', async () => {
    const before = (await app.inject({ url: '/api/events/match/state', headers: admin() })).json().state.revision;
    const generic = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: bearer(seatA.key),
      payload: { type: 'audio.source', source: seatA.id, gainDb: 10 },
    });
    expect(generic.statusCode).toBe(403);
    for (const route of COMMAND_ROUTES) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/match/${route.path}`,
        headers: bearer(seatA.key),
        payload: {},
      });
      expect(res.statusCode, route.path).toBe(403);
    }
    // The WebSocket's command frame: the same rule (a cough button is the page's own mute, not a command).
    const socket = await ws(seatA.key);
    socket.socket.send(
      JSON.stringify({ type: 'command', id: 'c1', command: { type: 'audio.source', source: seatB.id, muted: true } }),
    );
    const result = await socket.waitFor((f) => f.type === 'result' && f['id'] === 'c1', FRAME_TIMEOUT_MS);
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await app.inject({ url: '/api/events/match/state', headers: admin() })).json().state.revision).toBe(before);
  });

  it('signals only as its own seat, only to receiving pages, sound only', async () => {
    const seat = await ws(seatA.key);
    const other = await ws(seatB.key);
    const cam = await ws(camera.key);
    const director = await ws(keys.director!.key);

    // A receiver asks seat A: only A's socket gets it.
    director.socket.send(
      JSON.stringify({ type: 'media.request', camera: seatA.id, session: SESSION, quality: 'reduced' }),
    );
    const request = await seat.waitFor((f) => f.type === 'media.request', FRAME_TIMEOUT_MS);
    expect(request).toMatchObject({ to: seatA.id, session: SESSION });

    // Its audio offer reaches the director, stamped by the controller with the seat's own id.
    seat.socket.send(
      JSON.stringify({ type: 'media.signal', to: request['from'], session: SESSION, description: AUDIO_OFFER }),
    );
    const offer = await director.waitFor((f) => f.type === 'media.signal', FRAME_TIMEOUT_MS);
    expect(offer).toMatchObject({ from: seatA.id, description: AUDIO_OFFER });

    // A picture is refused: a seat is not a camera.
    seat.socket.send(
      JSON.stringify({ type: 'media.signal', to: request['from'], session: SESSION, description: VIDEO_OFFER }),
    );
    expect((await refusal(seat, '/description/sdp'))['code']).toBe('FORBIDDEN');
    // Nor does it reach another seat or a camera as a publisher, or report a camera's health.
    // (it signals to them only as the receiver of its return, which answers and never offers).
    for (const to of [seatB.id, camera.id]) {
      seat.socket.send(JSON.stringify({ type: 'media.signal', to, session: SESSION, description: AUDIO_OFFER }));
      expect((await refusal(seat, '/description/type'))['code']).toBe('FORBIDDEN');
      seat.frames.splice(0);
    }
    seat.frames.splice(0);
    seat.socket.send(
      JSON.stringify({
        type: 'camera.health',
        health: { peers: 1, width: 1, height: 1, fps: 30, bitrateKbps: 1, packetLossPct: 0, rttMs: null },
      }),
    );
    expect((await refusal(seat, '/type'))['code']).toBe('FORBIDDEN');

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(other.frames.filter((f) => f.type.startsWith('media.') && !MEDIA_BROADCASTS.has(f.type))).toEqual([]);
    expect(cam.frames.filter((f) => f.type === 'media.signal')).toEqual([]);
    expect(director.frames.filter((f) => f.type === 'media.signal')).toHaveLength(1);
  });

  it('receives its return (cameras, other seats) at reduced quality only, as a receiver of its own', async () => {
    const seat = await ws(seatA.key);
    const other = await ws(seatB.key);
    const cam = await ws(camera.key);

    // Full quality is the program renderers': a seat's key may not make a phone encode its picture again.
    seat.socket.send(JSON.stringify({ type: 'media.request', camera: camera.id, session: SESSION, quality: 'full' }));
    expect((await refusal(seat, '/quality'))['code']).toBe('FORBIDDEN');
    seat.frames.splice(0);
    // Its own seat: it hears itself locally.
    seat.socket.send(JSON.stringify({ type: 'media.request', camera: seatA.id, session: SESSION, quality: 'reduced' }));
    expect((await refusal(seat, '/camera'))['code']).toBe('FORBIDDEN');
    seat.frames.splice(0);
    // A camera that is not this event's does not exist for it.
    seat.socket.send(
      JSON.stringify({ type: 'media.request', camera: 'cam-zzzzzz', session: SESSION, quality: 'reduced' }),
    );
    expect((await refusal(seat, '/camera'))['code']).toBe('UNKNOWN_CAMERA');
    seat.frames.splice(0);

    // Reduced: the camera is asked by a receiver id, never by the seat's own id.
    seat.socket.send(
      JSON.stringify({ type: 'media.request', camera: camera.id, session: SESSION, quality: 'reduced' }),
    );
    const request = await cam.waitFor((f) => f.type === 'media.request', FRAME_TIMEOUT_MS);
    expect(request).toMatchObject({ to: camera.id, session: SESSION, quality: 'reduced' });
    const receiver = String(request['from']);
    expect(receiver).toMatch(/^rx-/);
    // The camera's offer reaches the seat's page under that id, and the seat answers as that receiver.
    cam.socket.send(JSON.stringify({ type: 'media.signal', to: receiver, session: SESSION, description: VIDEO_OFFER }));
    expect(await seat.waitFor((f) => f.type === 'media.signal', FRAME_TIMEOUT_MS)).toMatchObject({
      from: camera.id,
      to: receiver,
    });
    const ANSWER = { type: 'answer', sdp: VIDEO_OFFER.sdp };
    seat.socket.send(JSON.stringify({ type: 'media.signal', to: camera.id, session: SESSION, description: ANSWER }));
    expect(await cam.waitFor((f) => f.type === 'media.signal', FRAME_TIMEOUT_MS)).toMatchObject({
      from: receiver,
      description: ANSWER,
    });
    // As a receiver it answers; it never offers a publisher anything.
    seat.socket.send(
      JSON.stringify({ type: 'media.signal', to: camera.id, session: SESSION, description: VIDEO_OFFER }),
    );
    expect((await refusal(seat, '/description/type'))['code']).toBe('FORBIDDEN');

    // Another seat's voice is part of the return too (two commentators hear each other).
    seat.socket.send(JSON.stringify({ type: 'media.request', camera: seatB.id, session: SESSION, quality: 'reduced' }));
    expect(await other.waitFor((f) => f.type === 'media.request', FRAME_TIMEOUT_MS)).toMatchObject({
      to: seatB.id,
      from: receiver,
    });
  });

  it('a removed seat: its key is refused at every door and its sockets close', async () => {
    const socket = await ws(seatA.key);
    const closed = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/commentary/${seatA.id}`,
      headers: bearer(keys.director!.key),
    });
    expect(removed.statusCode).toBe(204);
    const code = await Promise.race([
      closed,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('socket not closed')), CLOSE_TIMEOUT_MS)),
    ]);
    expect(code).toBe(WS_CLOSE.UNAUTHORIZED);
    expect((await app.inject({ url: '/api/me', headers: bearer(seatA.key) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/events/match/state', headers: bearer(seatA.key) })).statusCode).toBe(401);
    const again = await connectWs(host, 'match', seatA.key);
    sockets.push(again);
    const refusedCode = await new Promise<number>((resolve) => {
      if (again.socket.readyState === again.socket.CLOSED) resolve(-1);
      again.socket.once('close', (closeCode) => resolve(closeCode));
    });
    expect(refusedCode).toBe(WS_CLOSE.UNAUTHORIZED);
    // The other seat is untouched.
    expect((await app.inject({ url: '/api/me', headers: bearer(seatB.key) })).json().seatId).toBe(seatB.id);
  });

  it("never shows a seat's key to a role that may not hand it out", async () => {
    const answers: string[] = [];
    for (const key of [
      keys.graphics!.key,
      keys.camera!.key,
      keys.viewer!.key,
      keys.template!.key,
      camera.key,
      seatB.key,
    ]) {
      for (const url of [
        '/api/events/match/commentary',
        `/api/events/match/commentary/${seatA.id}`,
        '/api/events/match/state',
        '/api/events/match/watch',
        '/api/events/match/event-log',
      ]) {
        answers.push((await app.inject({ url, headers: bearer(key) })).body);
      }
    }
    const graphics = await app.inject({ url: '/api/events/match/commentary', headers: bearer(keys.graphics!.key) });
    expect(graphics.statusCode).toBe(200);
    const seats = graphics.json<{ seats: SeatView[] }>().seats;
    expect(seats.map((s) => s.label)).toEqual(['Lead', 'Colour']);
    expect(seats.every((s) => s.url === undefined)).toBe(true);
    for (const body of answers) {
      expect(body).not.toContain(seatA.key);
      expect(body).not.toContain(seatB.key.slice(7));
    }
    // The director and the admin do see the links: they hand them out.
    for (const key of [keys.director!.key, TEST_ADMIN_KEY]) {
      const listed = (await app.inject({ url: '/api/events/match/commentary', headers: bearer(key) })).json();
      expect(JSON.stringify(listed)).toContain(encodeURIComponent(seatA.key));
    }
  });
});
