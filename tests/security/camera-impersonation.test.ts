// Hole 1 (issue 11): a camera operator with the event's camera key could mint a LiveKit token with the
// on-air camera's identity and replace its picture on program. Each camera now gets a key bound to it at
// join, acts only as itself, and join codes are long, rotatable and guessed no faster than the limit.
import QRCode from 'qrcode';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../../protocol/index.ts';
import { JOIN_ATTEMPT_LIMIT } from '../../controller/routes/cameras.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { TEST_ADMIN_KEY, admin, bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

interface Joined {
  camera: { id: string };
  key: string;
}

describe('camera impersonation', () => {
  let stub: LiveKitTwirpStub;
  beforeEach(async () => {
    stub = new LiveKitTwirpStub();
    await stub.start();
  });
  afterEach(async () => stub.close());

  const liveApp = () => testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });

  async function join(app: Awaited<ReturnType<typeof testApp>>, code: string, label: string): Promise<Joined> {
    const answer = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label } });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json<Joined>();
  }

  it("a camera's key mints a LiveKit token for its own identity only; never for another camera", async () => {
    const app = await liveApp();
    const keys = await seedEvent(app);
    const { joinCode } = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
    const onAir = await join(app, joinCode, 'On air');
    const intruder = await join(app, joinCode, 'Intruder');
    expect(intruder.key).not.toBe(onAir.key);

    const tokenFor = (cameraId: string, key: string) =>
      app.inject({ method: 'POST', url: `/api/events/match/cameras/${cameraId}/token`, headers: bearer(key) });

    const stolen = await tokenFor(onAir.camera.id, intruder.key);
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error).toMatchObject({ code: 'FORBIDDEN', field: '/cameraId' });
    expect(stolen.body).not.toMatch(/token"/);
    // The event's shared camera key is bound to no camera at all.
    expect((await tokenFor(onAir.camera.id, keys.camera!.key)).statusCode).toBe(403);

    const own = await tokenFor(intruder.camera.id, intruder.key);
    expect(own.statusCode, own.body).toBe(200);
    const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(own.json().token);
    expect(claims.sub).toBe(intruder.camera.id);
    // Operators still act for any camera.
    expect((await tokenFor(onAir.camera.id, TEST_ADMIN_KEY)).statusCode).toBe(200);

    // A removed camera's key stops working at once.
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/cameras/${intruder.camera.id}`,
      headers: bearer(keys.director!.key),
    });
    expect(removed.statusCode).toBe(204);
    expect((await tokenFor(intruder.camera.id, intruder.key)).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/me', headers: bearer(onAir.key) })).json()).toMatchObject({
      role: 'camera',
      cameraId: onAir.camera.id,
    });
  });

  it('join codes are long enough, and director or admin can rotate one: the old stops admitting, the QR follows', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const before = (await app.inject({ url: '/api/events/match/join', headers: bearer(keys.director!.key) })).json();
    expect(before.code).toHaveLength(JOIN_CODE_LENGTH);
    expect([...before.code].every((c) => JOIN_CODE_ALPHABET.includes(c))).toBe(true);
    const joinedBefore = await join(app, before.code, 'Early');

    for (const key of [keys.graphics!.key, keys.camera!.key, joinedBefore.key]) {
      const refused = await app.inject({ method: 'POST', url: '/api/events/match/join/rotate', headers: bearer(key) });
      expect(refused.statusCode).toBe(403);
    }
    const rotated = await app.inject({
      method: 'POST',
      url: '/api/events/match/join/rotate',
      headers: bearer(keys.director!.key),
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const after = rotated.json();
    expect(after.code).not.toBe(before.code);
    expect(after.code).toHaveLength(JOIN_CODE_LENGTH);
    expect(after.url).toContain(`code=${after.code}`);

    const stale = await app.inject({ method: 'POST', url: '/api/join', payload: { code: before.code } });
    expect(stale.statusCode).toBe(404);
    await join(app, after.code, 'Late');
    // A camera that joined with the old code keeps working.
    expect((await app.inject({ url: '/api/me', headers: bearer(joinedBefore.key) })).statusCode).toBe(200);

    const event = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
    expect(event.joinCode).toBe(after.code);
    const svg = await app.inject({ url: '/api/events/match/join-qr.svg', headers: bearer(keys.director!.key) });
    expect(svg.body).toBe(await QRCode.toString(after.url, { type: 'svg', margin: 2 }));

    // Two rotations at once, on two controller processes: one code wins, and only it admits.
    const other = await testApp({ keyPrefix: app.redisKeys.prefix });
    const racing = await Promise.all(
      [app, other].map((a) =>
        a.inject({ method: 'POST', url: '/api/events/match/join/rotate', headers: bearer(keys.director!.key) }),
      ),
    );
    const final = (await app.inject({ url: '/api/events/match', headers: admin() })).json().joinCode;
    for (const answer of racing) {
      const code = answer.json().code as string;
      const status = (await app.inject({ method: 'POST', url: '/api/join', payload: { code } })).statusCode;
      expect(status).toBe(code === final ? 200 : 404);
    }
  });

  it('counts join guesses per client, an IPv6 /64 as one client, so rotating addresses does not help', async () => {
    const app = await testApp();
    await seedEvent(app);
    const guess = (n: number) =>
      app.inject({
        method: 'POST',
        url: '/api/join',
        payload: { code: 'ZZZZZZZZZZ' },
        remoteAddress: `2001:db8:1:2:${n.toString(16)}::1`,
      });
    for (let n = 0; n < JOIN_ATTEMPT_LIMIT; n++) expect((await guess(n)).statusCode).toBe(404);
    expect((await guess(JOIN_ATTEMPT_LIMIT)).statusCode).toBe(429);
    // Another /64 is another client.
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: 'ZZZZZZZZZZ' },
      remoteAddress: '2001:db8:1:3::1',
    });
    expect(elsewhere.statusCode).toBe(404);
  });
});
