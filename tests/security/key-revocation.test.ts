// Hole 5 (issue 11), the key store's half: two concurrent rotations left an orphan key that survived the
// event's deletion; deletion must revoke every key (role and camera keys), each revocation is published
// for the processes that hold sockets, and LiveKit room tokens live a bounded time.
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyRevocationSchema, LIVEKIT_TOKEN_TTL_MS, parse, type KeyRevocation } from '../../protocol/index.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { testRedis } from '../helpers/redis.ts';
import { admin, bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

const ROTATION_ROUNDS = 10;
/** Issue 11: a revoked key stops working on every controller process within 1 s. */
const REVOCATION_BOUND_MS = 1000;

/** Two controller processes on one Redis prefix, an event with its role keys, and a camera that joined. */
async function twoControllersWithCamera() {
  const first = await testApp();
  const second = await testApp({ keyPrefix: first.redisKeys.prefix });
  const keys = await seedEvent(first);
  const { joinCode } = (await first.inject({ url: '/api/events/match', headers: admin() })).json();
  const camera = (await first.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode } })).json();
  return { first, second, keys, camera };
}

describe('key revocation', () => {
  let stub: LiveKitTwirpStub;
  beforeEach(async () => {
    stub = new LiveKitTwirpStub();
    await stub.start();
  });
  afterEach(async () => stub.close());

  it('concurrent rotations on two controllers leave one working key, and deleting the event revokes every key ever issued', async () => {
    const { first, second, keys, camera } = await twoControllersWithCamera();

    const issued = new Set<string>([...Object.values(keys).map((k) => k.key), camera.key as string]);
    for (let round = 0; round < ROTATION_ROUNDS; round++) {
      const answers = await Promise.all(
        [first, second].map((app) =>
          app.inject({ method: 'POST', url: '/api/events/match/keys/director/rotate', headers: admin() }),
        ),
      );
      for (const answer of answers) {
        expect(answer.statusCode, answer.body).toBe(200);
        issued.add(answer.json().key as string);
      }
    }
    const listed = (await first.inject({ url: '/api/events/match/keys', headers: admin() })).json().keys;
    const current = listed.find((k: { role: string }) => k.role === 'director').key as string;
    const working: string[] = [];
    for (const key of issued) {
      const me = await first.inject({ url: '/api/me', headers: bearer(key) });
      if (me.statusCode === 200 && me.json().role === 'director') working.push(key);
    }
    expect(working).toEqual([current]);

    expect((await first.inject({ method: 'DELETE', url: '/api/events/match', headers: admin() })).statusCode).toBe(204);
    for (const key of issued) {
      expect((await second.inject({ url: '/api/me', headers: bearer(key) })).statusCode, key.slice(0, 6)).toBe(401);
    }
    const redis = testRedis();
    const left = await redis.hvals(first.redisKeys.keyLookup());
    expect(left.filter((v) => v.includes('"match"'))).toEqual([]);
    redis.disconnect();
  });

  it('a key another controller has just used (and keeps cached) stops working there within 1 s of its revocation', async () => {
    const { first, second, keys, camera } = await twoControllersWithCamera();
    const me = (key: string) => second.inject({ url: '/api/me', headers: bearer(key) });
    /** Revokes on the first controller; the second, which used the key a moment ago, refuses it in time. */
    const refusedWithin = async (keys: readonly string[], revoke: () => Promise<unknown>) => {
      for (const key of keys) expect((await me(key)).statusCode).toBe(200);
      const revokedAt = Date.now();
      await revoke();
      for (const key of keys) {
        while ((await me(key)).statusCode !== 401) {
          expect(Date.now() - revokedAt, 'still accepted').toBeLessThan(REVOCATION_BOUND_MS);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };

    await refusedWithin([keys.director!.key], () =>
      first.inject({ method: 'POST', url: '/api/events/match/keys/director/rotate', headers: admin() }),
    );
    await refusedWithin([camera.key as string], () =>
      first.inject({
        method: 'DELETE',
        url: `/api/events/match/cameras/${camera.camera.id}`,
        headers: admin(),
      }),
    );
    await refusedWithin([keys.graphics!.key, keys.viewer!.key], () =>
      first.inject({ method: 'DELETE', url: '/api/events/match', headers: admin() }),
    );
  });

  it('publishes each revocation for every process: a rotated key, a removed camera, a deleted event', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const subscriber = testRedis();
    const heard: KeyRevocation[] = [];
    subscriber.on('message', (_channel: string, message: string) => {
      const parsed = parse(KeyRevocationSchema, JSON.parse(message));
      if (parsed.ok) heard.push(parsed.value);
    });
    await subscriber.subscribe(app.redisKeys.revocationChannel());

    await app.inject({ method: 'POST', url: '/api/events/match/keys/viewer/rotate', headers: admin() });
    const { joinCode } = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
    const camera = (await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode } })).json();
    await app.inject({
      method: 'DELETE',
      url: `/api/events/match/cameras/${camera.camera.id}`,
      headers: bearer(keys.director!.key),
    });
    await app.inject({ method: 'DELETE', url: '/api/events/match', headers: admin() });
    await expect.poll(() => heard.length).toBe(3);
    expect(heard).toEqual([
      { eventId: 'match', keyIds: [keys.viewer!.keyId] },
      { eventId: 'match', keyIds: [camera.camera.id] },
      { eventId: 'match', all: true },
    ]);
    subscriber.disconnect();
  });

  it('hands out LiveKit tokens that expire within the bound, and says when', async () => {
    const app = await testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });
    const keys = await seedEvent(app);
    const before = Date.now();
    const answer = await app.inject({ url: '/api/events/match/livekit-token', headers: bearer(keys.director!.key) });
    expect(answer.statusCode, answer.body).toBe(200);
    const token = answer.json();
    const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(token.token);
    const expSeconds = (claims as unknown as { exp: number }).exp;
    expect(expSeconds * 1000).toBeLessThanOrEqual(Date.now() + LIVEKIT_TOKEN_TTL_MS);
    expect(expSeconds * 1000).toBeGreaterThanOrEqual(before + LIVEKIT_TOKEN_TTL_MS - 1000);
    expect(token.expiresAt).toBeLessThanOrEqual(expSeconds * 1000);
    expect(token.expiresAt).toBeGreaterThan(expSeconds * 1000 - 2000);
    expect(LIVEKIT_TOKEN_TTL_MS).toBeLessThanOrEqual(15 * 60_000);
  });
});
