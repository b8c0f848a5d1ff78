// Against a real LiveKit + Egress, only when LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET are set
// (no LiveKit server runs on the build machines). Starts a recording egress through the backend, checks
// LiveKit lists it as ours, and stops it. LIVE_TEMPLATE_URL must be a template URL Egress can reach.
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisKeys, eventRoom } from '../../protocol/index.ts';
import { EgressBackend } from '../../worker/egress-backend.ts';
import { testLogger } from '../helpers/logger.ts';
import { freshPrefix, testRedisUrl } from '../helpers/redis.ts';

const url = process.env.LIVEKIT_URL ?? '';
const apiKey = process.env.LIVEKIT_API_KEY ?? '';
const apiSecret = process.env.LIVEKIT_API_SECRET ?? '';
const templateUrl = process.env.LIVE_TEMPLATE_URL ?? 'http://localhost:8080/template/?event=live-suite&key=unset';

describe.skipIf(url === '' || apiKey === '' || apiSecret === '')(
  'EgressBackend against a real LiveKit (LIVEKIT_URL set)',
  () => {
    it('starts a recording egress for the event room and stops it', async () => {
      const backend = new EgressBackend({ url, apiKey, apiSecret });
      const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
      const session = await backend.open(
        {
          eventId: 'live-suite',
          templateUrl,
          video: { width: 1280, height: 720, fps: 30 },
          record: true,
          destinations: [],
          stop: false,
          revision: 1,
        },
        {
          onChange: () => undefined,
          onFailure: () => undefined,
          log: testLogger('egress'),
          redis,
          keys: createRedisKeys(freshPrefix('live')),
        },
      );
      try {
        const active = await backend.client.listEgress({ roomName: eventRoom('live-suite'), active: true });
        expect(active.length).toBeGreaterThanOrEqual(1);
      } finally {
        await session.stop();
        redis.disconnect();
      }
    }, 60_000);
  },
);
