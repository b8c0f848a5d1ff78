// Hole 5 (issue 11), token half: room tokens are bounded (LIVEKIT_TOKEN_TTL_MS) so a revoked camera or
// key stops being admitted soon; the pages keep a fresh one (web/src/lib/livekit-token-keeper.ts, used by
// the camera page and the director's camera pictures) by fetching the next before theirs runs out.
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LIVEKIT_TOKEN_REFRESH_BEFORE_MS,
  LIVEKIT_TOKEN_TTL_MS,
  livekitTokenRefreshDelay,
  type LiveKitToken,
} from '../../protocol/index.ts';
import { LiveKitTokenKeeper } from '../../web/src/lib/livekit-token-keeper.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

describe('LiveKit token refresh in the pages', () => {
  let stub: LiveKitTwirpStub;
  beforeEach(async () => {
    stub = new LiveKitTwirpStub();
    await stub.start();
  });
  afterEach(async () => stub.close());

  it('uses a token with life left, replaces a nearly expired one, and fetches the next before expiry', async () => {
    const app = await testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });
    const keys = await seedEvent(app);
    const fetched: LiveKitToken[] = [];
    const fetchToken = async (): Promise<LiveKitToken> => {
      const answer = await app.inject({ url: '/api/events/match/livekit-token', headers: bearer(keys.director!.key) });
      expect(answer.statusCode, answer.body).toBe(200);
      fetched.push(answer.json());
      return answer.json();
    };
    const initial = await fetchToken();
    fetched.length = 0;

    const fresh = new LiveKitTokenKeeper({ fetch: fetchToken });
    expect(await fresh.start(initial)).toBe(initial);
    expect(fetched).toEqual([]);
    // Next fetch planned for REFRESH_BEFORE ahead of expiry: well inside the token's life.
    const delay = livekitTokenRefreshDelay(initial, Date.now());
    expect(delay).toBeLessThan(LIVEKIT_TOKEN_TTL_MS - LIVEKIT_TOKEN_REFRESH_BEFORE_MS + 1000);
    expect(Date.now() + delay).toBeLessThan(initial.expiresAt);
    fresh.close();

    // A page whose clock is where the token is about to run out (a saved join reloaded much later).
    const nearExpiry = initial.expiresAt - LIVEKIT_TOKEN_REFRESH_BEFORE_MS + 1000;
    const stale = new LiveKitTokenKeeper({ fetch: fetchToken, now: () => nearExpiry });
    const started = await stale.start(initial);
    expect(started).not.toBe(initial);
    expect(fetched).toHaveLength(1);
    // Still near expiry by its clock: it fetches the next one soon, by itself.
    await expect.poll(() => fetched.length, { timeout: 15_000, interval: 100 }).toBe(2);
    stale.close();
    const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(stale.current.token);
    expect(claims.video?.room).toBe('pitchside-match');
  });
});
