// The embedded start's demo event: `demo`, with test sources camera-1..camera-4, so a newcomer can click
// around at once. Idempotent: an existing demo event (and its keys) is kept as it is.
import { testSources, type RoleKey } from '../../protocol/index.ts';
import type { EventStore } from './event-store.ts';
import type { KeyStore } from './key-store.ts';

export const DEMO_EVENT_ID = 'demo';
export const DEMO_SOURCE_COUNT = 4;

export async function ensureDemoEvent(events: EventStore, keys: KeyStore): Promise<RoleKey[]> {
  if ((await events.get(DEMO_EVENT_ID)) === null) {
    await events.create(
      {
        id: DEMO_EVENT_ID,
        name: 'Demo match',
        sport: 'football',
        home: { name: 'Home', short: 'HOM' },
        away: { name: 'Away', short: 'AWY' },
      },
      { sources: testSources(DEMO_SOURCE_COUNT) },
    );
  }
  return keys.ensureEventKeys(DEMO_EVENT_ID);
}
