// The director's remote lens controls against the real controller and Redis: a camera page (a WebSocket
// with the camera's own key) reports its device, only a director or admin key may send it a control, bad
// values and values the device lacks are refused naming the field, only that camera's socket receives the
// control, and the route answers with what the device accepted.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Camera, CameraDevice } from '../../protocol/index.ts';
import {
  bearer,
  connectWs,
  joinCamera,
  listen,
  seedEvent,
  testApp,
  TEST_ADMIN_KEY,
  type FrameCollector,
} from './controller-helpers.ts';

/** Generous: a frame that does arrive arrives long before this. */
const FRAME_TIMEOUT_MS = 15_000;
/** A phone's rear camera as Chrome on Android reports it. */
const PHONE: CameraDevice = {
  capabilities: {
    zoom: { min: 1, max: 5, step: 0.1 },
    torch: true,
    focusModes: ['manual', 'single-shot', 'continuous'],
    width: { min: 1, max: 1920 },
    height: { min: 1, max: 1080 },
    frameRate: { min: 1, max: 30 },
  },
  settings: { zoom: 1, torch: false, focusMode: 'continuous', width: 1280, height: 720, frameRate: 30 },
};

let app: FastifyInstance;
let host: string;
let keys: Record<string, string>;
const sockets: FrameCollector[] = [];

const join = (label: string): Promise<Camera & { key: string }> => joinCamera(app, label);

async function ws(key: string): Promise<FrameCollector> {
  const socket = await connectWs(host, 'match', key);
  sockets.push(socket);
  await socket.waitFor((f) => f.type === 'state', FRAME_TIMEOUT_MS);
  return socket;
}

/** A camera page that has reported its device (seen in the camera list). */
async function reportingCamera(label: string, device: CameraDevice = PHONE) {
  const camera = await join(label);
  const socket = await ws(camera.key);
  socket.socket.send(JSON.stringify({ type: 'camera.device', device }));
  await until(async () => (await app.cameras.get('match', camera.id))?.device !== undefined);
  return { camera, socket };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + FRAME_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function control(cameraId: string, key: string, payload: unknown) {
  return app.inject({
    method: 'POST',
    url: `/api/events/match/cameras/${cameraId}/controls`,
    headers: bearer(key),
    payload: payload as object,
  });
}

beforeEach(async () => {
  app = await testApp();
  keys = Object.fromEntries(Object.entries(await seedEvent(app, 'match')).map(([role, k]) => [role, k.key]));
  host = await listen(app);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
});

describe('camera lens controls', () => {
  it('relays a director control to that camera only and answers with what its device accepted', async () => {
    const { camera, socket } = await reportingCamera('Gantry');
    const { socket: other } = await reportingCamera('Bench');
    const director = await ws(keys['director']!);

    const answer = control(camera.id, keys['director']!, { zoom: 2.5, torch: true });
    const frame = await socket.waitFor((f) => f.type === 'camera.control', FRAME_TIMEOUT_MS);
    expect(frame).toMatchObject({ to: camera.id, control: { zoom: 2.5, torch: true } });
    // The page applies it; the device takes a little less zoom than asked, as real ones round to their step.
    const accepted: CameraDevice = {
      ...PHONE,
      settings: { ...PHONE.settings, zoom: 2.4, torch: true },
      applied: { id: String(frame['id']), ok: true },
    };
    socket.socket.send(JSON.stringify({ type: 'camera.device', device: accepted }));
    const res = await answer;
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'applied', device: { settings: { zoom: 2.4, torch: true } } });
    // The director's camera list carries it.
    await director.waitFor(
      (f) =>
        f.type === 'cameras' &&
        (f['cameras'] as Camera[]).some((c) => c.id === camera.id && c.device?.settings.zoom === 2.4),
      FRAME_TIMEOUT_MS,
    );
    for (const bystander of [other, director])
      expect(bystander.frames.filter((f) => f.type === 'camera.control')).toEqual([]);

    // A device that refuses: the page says so, and so does the route.
    const refused = control(camera.id, TEST_ADMIN_KEY, { size: '1080p' });
    const second = await socket.waitFor((f) => f.type === 'camera.control' && f['id'] !== frame['id']);
    socket.socket.send(
      JSON.stringify({
        type: 'camera.device',
        device: { ...accepted, applied: { id: second['id'], ok: false, message: 'OverconstrainedError' } },
      }),
    );
    const refusal = await refused;
    expect(refusal.statusCode).toBe(422);
    expect(JSON.parse(refusal.body).error).toMatchObject({ code: 'DEVICE_REFUSED' });
  });

  it('lets only the director and admin send controls', async () => {
    const { camera } = await reportingCamera('Gantry');
    const own = await join('Bench');
    for (const key of [keys['graphics']!, keys['viewer']!, keys['camera']!, keys['template']!, camera.key, own.key]) {
      const res = await control(camera.id, key, { zoom: 2 });
      expect(res.statusCode, res.body).toBe(403);
    }
    expect((await control(camera.id, 'psk_not-a-key', { zoom: 2 })).statusCode).toBe(401);
  });

  it('refuses bad values and values the device lacks, naming the field, and sends nothing', async () => {
    const { camera, socket } = await reportingCamera('Gantry');
    const plain = await reportingCamera('Fake device', {
      capabilities: { width: { min: 1, max: 1280 }, height: { min: 1, max: 720 } },
      settings: { width: 1280, height: 720, frameRate: 30 },
    });
    const silent = await join('Never reported');
    const director = keys['director']!;
    const cases: Array<{ id: string; body: unknown; status: number; code: string; field?: string }> = [
      { id: camera.id, body: {}, status: 400, code: 'INVALID' },
      { id: camera.id, body: { zoom: 'wide' }, status: 400, code: 'INVALID', field: '/zoom' },
      { id: camera.id, body: { zoom: -1 }, status: 400, code: 'INVALID', field: '/zoom' },
      { id: camera.id, body: { torch: 'on' }, status: 400, code: 'INVALID', field: '/torch' },
      { id: camera.id, body: { size: '4k' }, status: 400, code: 'INVALID', field: '/size' },
      { id: camera.id, body: { frameRate: 29 }, status: 400, code: 'INVALID', field: '/frameRate' },
      { id: camera.id, body: { zoom: 2, focus: 'locked' }, status: 400, code: 'INVALID', field: '/focus' },
      // Out of the device's range: refused with the range, not clamped.
      { id: camera.id, body: { zoom: 9 }, status: 422, code: 'ZOOM_OUT_OF_RANGE', field: '/zoom' },
      { id: camera.id, body: { frameRate: 60 }, status: 422, code: 'FRAME_RATE_UNSUPPORTED', field: '/frameRate' },
      { id: plain.camera.id, body: { zoom: 2 }, status: 422, code: 'NO_ZOOM', field: '/zoom' },
      { id: plain.camera.id, body: { torch: true }, status: 422, code: 'NO_TORCH', field: '/torch' },
      { id: plain.camera.id, body: { size: '1080p' }, status: 422, code: 'SIZE_UNSUPPORTED', field: '/size' },
      { id: silent.id, body: { zoom: 2 }, status: 409, code: 'NO_CAMERA_PAGE' },
      { id: 'cam-zzzzzz', body: { zoom: 2 }, status: 404, code: 'NOT_FOUND' },
      { id: 'camera-1', body: { zoom: 2 }, status: 400, code: 'INVALID', field: '/params/cameraId' },
    ];
    for (const c of cases) {
      const res = await control(c.id, director, c.body);
      expect(res.statusCode, `${JSON.stringify(c.body)}: ${res.body}`).toBe(c.status);
      const error = (JSON.parse(res.body) as { error: { code: string; field?: string; message: string } }).error;
      expect(error.code).toBe(c.code);
      if (c.field !== undefined) expect(error.field).toBe(c.field);
    }
    const range = await control(camera.id, director, { zoom: 9 });
    expect(JSON.parse(range.body).error.message).toMatch(/1–5/);
    for (const s of [socket, plain.socket]) expect(s.frames.filter((f) => f.type === 'camera.control')).toEqual([]);
  });

  it('stores device reports from a camera socket only, and forgets them when its page goes', async () => {
    const { camera, socket } = await reportingCamera('Gantry');
    const director = await ws(keys['director']!);
    director.socket.send(JSON.stringify({ type: 'camera.device', device: PHONE }));
    const refused = await director.waitFor((f) => f.type === 'error', FRAME_TIMEOUT_MS);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', field: '/type' });
    socket.socket.send(JSON.stringify({ type: 'camera.device', device: { ...PHONE, settings: { width: 'x' } } }));
    const invalid = await socket.waitFor((f) => f.type === 'error', FRAME_TIMEOUT_MS);
    expect(invalid).toMatchObject({ code: 'INVALID' });
    expect(String(invalid['field'])).toMatch(/^\/device\/settings/);

    await socket.close();
    await until(async () => (await app.cameras.get('match', camera.id))?.status === 'disconnected');
    expect((await app.cameras.get('match', camera.id))?.device).toBeUndefined();
    const gone = await control(camera.id, keys['director']!, { zoom: 2 });
    expect(gone.statusCode).toBe(409);
  });
});
