// Talkback's relay rules against the real controller and Redis: a talker's call reaches only the crew pages
// it names, signals pass only between a talker and a crew page, and no talkback frame ever reaches the
// program renderer (template) or a viewer, so the voice cannot enter the program, a recording or the HLS
// output. A camera key cannot start talkback; bad frames get an error naming the field.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Camera } from '../../protocol/index.ts';
import {
  bearer,
  connectWs,
  joinCamera,
  listen,
  seedEvent,
  seedSeat,
  testApp,
  type FrameCollector,
} from '../controller/controller-helpers.ts';

type Frame = { type: string; [k: string]: unknown };

const FRAME_TIMEOUT_MS = 15_000;
const AUDIO_OFFER = { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\n' } as const;
const VIDEO_OFFER = {
  type: 'offer',
  sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n',
} as const;
const ANSWER = { type: 'answer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n' } as const;

let app: FastifyInstance;
let host: string;
let keys: Record<string, string>;
const sockets: FrameCollector[] = [];

const join = (label: string): Promise<Camera & { key: string }> => joinCamera(app, label);

async function ws(key: string, eventId = 'match'): Promise<FrameCollector> {
  const socket = await connectWs(host, eventId, key);
  sockets.push(socket);
  await socket.waitFor((f) => f.type === 'state', FRAME_TIMEOUT_MS);
  return socket;
}

function send(socket: FrameCollector, frame: Frame): void {
  socket.socket.send(JSON.stringify(frame));
}

/** Sends a frame and resolves with the error frame it gets back. */
async function refusal(socket: FrameCollector, frame: Frame): Promise<Frame> {
  const errors = (): Frame[] => socket.frames.filter((f) => f.type === 'error');
  const before = errors().length;
  send(socket, frame);
  await socket.waitFor(() => errors().length > before, FRAME_TIMEOUT_MS);
  return errors()[before]!;
}

const isTalkback = (f: Frame): boolean => f.type.startsWith('talkback.') || f.type === 'crew.call';

beforeEach(async () => {
  app = await testApp();
  keys = Object.fromEntries(Object.entries(await seedEvent(app, 'match')).map(([role, k]) => [role, k.key]));
  await seedEvent(app, 'other');
  host = await listen(app);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
  await app.close();
});

describe('talkback relay', () => {
  it('carries a call and its signals between the talker and the crew it names, never to a renderer or viewer', async () => {
    const [a, b] = [await join('North'), await join('South')];
    const seat = await seedSeat(app);
    const camA = await ws(a.key);
    const camB = await ws(b.key);
    const booth = await ws(seat.key);
    const director = await ws(keys['director']!);
    const graphics = await ws(keys['graphics']!);
    const template = await ws(keys['template']!);
    const viewer = await ws(keys['viewer']!);

    // One camera: only that camera's page is called, with the talker's receiver id stamped as `from`.
    send(director, { type: 'talkback.call', target: a.id, session: 'talk-0001' });
    const call = await camA.waitFor((f) => f.type === 'talkback.call', FRAME_TIMEOUT_MS);
    expect(call).toMatchObject({ talker: 'director', target: a.id, session: 'talk-0001' });
    expect(String(call['from'])).toMatch(/^rx-[a-f0-9]{16}$/);

    // The crew page offers to hear; the talker answers with its microphone.
    send(camA, { type: 'talkback.signal', to: call['from'], session: 'talk-0001', description: AUDIO_OFFER });
    const offer = await director.waitFor((f) => f.type === 'talkback.signal', FRAME_TIMEOUT_MS);
    expect(offer).toMatchObject({ from: a.id, session: 'talk-0001', description: AUDIO_OFFER });
    send(director, { type: 'talkback.signal', to: a.id, session: 'talk-0001', description: ANSWER });
    const answer = await camA.waitFor((f) => f.type === 'talkback.signal', FRAME_TIMEOUT_MS);
    expect(answer).toMatchObject({ from: call['from'], description: ANSWER });
    send(director, { type: 'talkback.end', target: a.id, session: 'talk-0001' });
    await camA.waitFor((f) => f.type === 'talkback.end', FRAME_TIMEOUT_MS);

    // All crew, from the graphics desk: every camera and seat page.
    send(graphics, { type: 'talkback.call', target: 'all', session: 'talk-0002' });
    for (const crew of [camA, camB, booth])
      expect(
        await crew.waitFor((f) => f.type === 'talkback.call' && f['session'] === 'talk-0002', FRAME_TIMEOUT_MS),
      ).toMatchObject({ talker: 'graphics', target: 'all' });
    // The first call was camera A's alone (frames of one channel arrive in order: B had its chance).
    expect(camB.frames.filter((f) => f['session'] === 'talk-0001')).toEqual([]);
    expect(booth.frames.filter((f) => f['session'] === 'talk-0001')).toEqual([]);

    // Camera A calls the director; a second press straight after is refused, not relayed again.
    send(camA, { type: 'crew.call' });
    expect(await director.waitFor((f) => f.type === 'crew.call', FRAME_TIMEOUT_MS)).toMatchObject({ from: a.id });
    send(camA, { type: 'crew.call' });
    expect(await camA.waitFor((f) => f.type === 'error', FRAME_TIMEOUT_MS)).toMatchObject({ field: '/type' });

    // The graphics desk's tab closes while it still holds Talk: every page it called hears the end.
    await graphics.close();
    for (const crew of [camA, camB, booth])
      await crew.waitFor((f) => f.type === 'talkback.end' && f['session'] === 'talk-0002', FRAME_TIMEOUT_MS);

    // A state change published after all of the above reaches the renderer and the viewer: nothing of
    // talkback came before it.
    const res = await app.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys['director']!),
      payload: { source: 'camera-1', transition: { type: 'cut', durationMs: 0 } },
    });
    expect(res.statusCode, res.body).toBe(200);
    for (const socket of [template, viewer]) {
      await socket.waitFor(
        (f) => f.type === 'state' && (f['state'] as { program?: string }).program === 'camera-1',
        FRAME_TIMEOUT_MS,
      );
      expect(socket.frames.filter(isTalkback)).toEqual([]);
    }
    expect(graphics.frames.filter((f) => f.type === 'crew.call')).toEqual([]);
    expect(director.frames.filter((f) => f.type === 'crew.call')).toHaveLength(1);
  });

  it('refuses talkback to a camera key, the renderer and the viewer, and names the field of a bad frame', async () => {
    const [a, b] = [await join('North'), await join('South')];
    const seat = await seedSeat(app);
    const camA = await ws(a.key);
    const booth = await ws(seat.key);
    const director = await ws(keys['director']!);
    const template = await ws(keys['template']!);
    const viewer = await ws(keys['viewer']!);
    const rx = 'rx-0123456789abcdef';

    for (const [socket, frame, field] of [
      // Only a talker starts talkback.
      [camA, { type: 'talkback.call', target: 'all', session: 'talk-0001' }, '/type'],
      [booth, { type: 'talkback.call', target: 'all', session: 'talk-0001' }, '/type'],
      [template, { type: 'talkback.call', target: 'all', session: 'talk-0001' }, '/type'],
      [viewer, { type: 'talkback.end', target: 'all', session: 'talk-0001' }, '/type'],
      [template, { type: 'talkback.signal', to: a.id, session: 'talk-0001', description: ANSWER }, '/type'],
      // A target that is not one of this event's crew, or not a target at all.
      [director, { type: 'talkback.call', target: 'cam-zzzzzz', session: 'talk-0001' }, '/target'],
      [director, { type: 'talkback.call', target: 'everyone', session: 'talk-0001' }, '/target'],
      // The crew page offers, the talker answers; sound only; a talker signals to crew, crew to a talker.
      [
        director,
        { type: 'talkback.signal', to: a.id, session: 'talk-0001', description: AUDIO_OFFER },
        '/description/type',
      ],
      [director, { type: 'talkback.signal', to: rx, session: 'talk-0001', description: ANSWER }, '/to'],
      [camA, { type: 'talkback.signal', to: rx, session: 'talk-0001', description: ANSWER }, '/description/type'],
      [camA, { type: 'talkback.signal', to: rx, session: 'talk-0001', description: VIDEO_OFFER }, '/description/sdp'],
      [camA, { type: 'talkback.signal', to: b.id, session: 'talk-0001', description: AUDIO_OFFER }, '/to'],
      [camA, { type: 'talkback.signal', to: rx, session: 'talk-0001' }, '/description'],
      // Only a camera page calls the director.
      [booth, { type: 'crew.call' }, '/type'],
      [director, { type: 'crew.call' }, '/type'],
    ] as const) {
      const error = await refusal(socket, frame);
      expect(error, JSON.stringify(frame)).toMatchObject({ field });
    }
    const unknown = await refusal(director, { type: 'talkback.call', target: 'cam-zzzzzz', session: 'talk-0001' });
    expect(unknown).toMatchObject({ code: 'UNKNOWN_CAMERA' });
  });
});
