// Which frames each role's socket receives: public keys (viewer link, camera code, template URL) must never
// see destinations (hosts, key tails), the event log, job status (paths, encoder errors) or the camera list.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Role, type ProgramState } from '../../protocol/index.ts';
import { publishJobStatus } from '../../outputs/job-status.ts';
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
} from './controller-helpers.ts';

/**
 * Written out here, not read from protocol: the test states the rule the code must follow. A feed key opens no
 * socket at all (tests/security/feed-key.test.ts).
 */
const EXPECTED: Record<Exclude<Role, 'feed'>, string[]> = {
  admin: [
    'cameras',
    'chat.history',
    'chat.message',
    'destinations',
    'job.export',
    'job.output',
    'job.rerender',
    'log',
    'media.camera',
    'media.config',
    'presence',
    'state',
    'watch',
  ],
  director: [
    'cameras',
    'chat.history',
    'chat.message',
    'destinations',
    'job.export',
    'job.output',
    'job.rerender',
    'log',
    'media.camera',
    'media.config',
    'presence',
    'state',
    'watch',
  ],
  // media.config: the transport and ICE servers, for pages that send or show camera media; media.camera:
  // the commentary seat's page (connected last) came online, for the pages that receive it.
  graphics: ['media.camera', 'media.config', 'presence', 'state'],
  camera: ['media.config', 'state'],
  // Chat: the people watching and those who moderate them.
  viewer: ['chat.history', 'chat.message', 'presence', 'state', 'watch'],
  template: ['media.camera', 'media.config', 'state'],
  // A commentary seat: the program it talks over, the transport for its microphone, and its own page's
  // media.camera (it receives the other seats for its program return).
  commentary: ['media.camera', 'media.config', 'state'],
};
const SECRET_HOST = 'rtmp://secret-ingest.example.org/live';

describe('realtime frames by role', () => {
  it('sends each role only its frame types, on connect and live', async () => {
    const app = await testApp();
    // A fresh event id: job status channels are shared by every test on this Redis.
    const eventId = `roles-${randomBytes(4).toString('hex')}`;
    const keys = await seedEvent(app, eventId);
    const seat = await seedSeat(app, eventId);
    const host = await listen(app);
    const sockets = new Map<keyof typeof EXPECTED, FrameCollector>();
    for (const role of Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]) {
      const key = role === 'admin' ? TEST_ADMIN_KEY : role === 'commentary' ? seat.key : keys[role]!.key;
      const socket = await connectWs(host, eventId, key);
      await socket.waitFor((f) => f.type === 'state');
      sockets.set(role, socket);
    }
    // The last socket's presence reaches the operators once everyone has joined.
    await sockets.get('director')!.waitFor((f) => f.type === 'presence' && JSON.stringify(f).includes('"template":1'));

    await app.cameras.register(eventId, 'Goal cam');
    await app.eventLog.append(eventId, { level: 'error', kind: 'stream.failed', message: `${SECRET_HOST} refused` });
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/events/${eventId}`,
      headers: admin(),
      payload: { destinations: [{ id: 'main', kind: 'rtmp', serverUrl: SECRET_HOST, streamKey: 'sk-live-1234' }] },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const at = Date.now();
    await publishJobStatus(app.redis, app.redisKeys, {
      type: 'job.output',
      eventId,
      jobId: 'job-1',
      backend: 'builtin',
      state: 'running',
      outputs: [{ id: 'main', kind: 'rtmp', label: 'Main', target: `${SECRET_HOST}/****`, state: 'live' }],
      recordingStartedAt: null,
      message: 'ffmpeg: /var/lib/pitchside/out.mp4',
      at,
    });
    await publishJobStatus(app.redis, app.redisKeys, {
      type: 'job.export',
      eventId,
      jobId: 'job-2',
      state: 'running',
      progress: 0.5,
      message: 'exporting /var/lib/pitchside/vod.mp4',
      result: null,
      at,
    });
    await publishJobStatus(app.redis, app.redisKeys, {
      type: 'job.rerender',
      eventId,
      jobId: 'job-3',
      state: 'running',
      progress: 0.5,
      message: 'rendering /var/lib/pitchside/iso',
      result: null,
      at,
    });
    const fan = {
      session: '0123456789abcdef',
      issuedAt: Date.now(),
      addressTag: 'fan',
      keyId: 'viewer',
      role: 'viewer',
    } as const;
    await app.chat.send(eventId, fan, 'Fan', 'Come on!');
    // A take last: once every socket has its state, every frame published before it has been relayed.
    const take = await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/program/take`,
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-2' },
    });
    expect(take.statusCode, take.body).toBe(200);
    const revision = take.json<{ revision: number }>().revision;

    for (const [role, socket] of sockets) {
      await socket.waitFor((f) => f.type === 'state' && (f.state as ProgramState).revision === revision);
      const types = [...new Set(socket.frames.map((f) => f.type))].sort();
      expect(types, role).toEqual(EXPECTED[role]);
      if (!EXPECTED[role].includes('destinations')) {
        const text = JSON.stringify(socket.frames);
        expect(text, role).not.toContain('secret-ingest');
        expect(text, role).not.toContain('/var/lib');
      }
    }
    // The viewer still learns the event went live, from the output status it may not see.
    await sockets.get('viewer')!.waitFor((f) => f.type === 'watch' && JSON.stringify(f).includes('"status":"live"'));
    for (const socket of sockets.values()) await socket.close();
  });
});
