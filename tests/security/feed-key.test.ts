// A feed key (issue 24 §2) may post feed packets to its own event and do nothing else: every other route
// refuses it, its event socket is refused, it cannot send commands (not even feed ones), another event's
// feed refuses it, and a replaced feed key stops working at once. The graphics, viewer and other page keys
// cannot post to the feed.
import { describe, expect, it } from 'vitest';
import { WS_CLOSE } from '../../protocol/index.ts';
import { admin, bearer, connectWs, listen, seedEvent } from '../controller/controller-helpers.ts';
import { feedEvent } from '../feeds/feed-helpers.ts';

const FEED_ROUTE = 'POST /api/events/:eventId/feed';

describe('feed key reach', () => {
  it('is refused by every route but the feed push', async () => {
    const event = await feedEvent('fk');
    const failures: string[] = [];
    for (const route of event.app.apiRoutes) {
      if ('public' in route.access) continue;
      const url = route.url.replace(/:(\w+)/g, (_m, name: string) => (name === 'eventId' ? event.eventId : 'x'));
      const payload = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
      const res = await event.app.inject({
        method: route.method as 'GET',
        url,
        headers: bearer(event.feedKey),
        ...(payload === undefined ? {} : { payload }),
      });
      const allowed = `${route.method} ${route.url}` === FEED_ROUTE;
      const ok = allowed ? res.statusCode === 200 : res.statusCode === 403;
      if (!ok) failures.push(`${route.method} ${route.url}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
    // Not even a feed command through the generic endpoint.
    const release = await event.app.inject({
      method: 'POST',
      url: `/api/events/${event.eventId}/commands`,
      headers: bearer(event.feedKey),
      payload: { type: 'feed.release', field: 'home.score' },
    });
    expect(release.statusCode).toBe(403);
    // Its event socket is upgraded only to be closed as forbidden, before any frame.
    const socket = await connectWs(await listen(event.app), event.eventId, event.feedKey);
    const code = await new Promise<number>((resolve) => {
      if (socket.socket.readyState === socket.socket.CLOSED) resolve(-1);
      socket.socket.once('close', (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(WS_CLOSE.FORBIDDEN);
    expect(socket.frames).toEqual([]);
  });

  it('reaches only its own event, and stops working once replaced', async () => {
    const event = await feedEvent('fk1');
    await seedEvent(event.app, 'fk2');
    const other = await event.app.inject({
      method: 'POST',
      url: '/api/events/fk2/feed',
      headers: bearer(event.feedKey),
      payload: { home: { score: 5 } },
    });
    expect(other.statusCode).toBe(403);
    expect((await event.app.program.requireState('fk2')).scorebug.home.score).toBe(0);

    const rotated = await event.app.inject({ method: 'POST', url: '/api/events/fk1/feed/key', headers: admin() });
    expect(rotated.statusCode).toBe(200);
    expect((await event.post({ home: { score: 5 } })).status).toBe(401);
    const fresh = rotated.json<{ key: { key: string } }>().key.key;
    expect((await event.post({ home: { score: 5 } }, fresh)).status).toBe(200);
  });

  it('cannot be posted to with a page key other than the director and admin', async () => {
    const event = await feedEvent('fk3');
    for (const role of ['graphics', 'viewer', 'camera', 'template']) {
      expect((await event.post({ home: { score: 9 } }, event.keys[role])).status, role).toBe(403);
    }
    expect((await event.post({ home: { score: 1 } }, event.keys['director'])).status).toBe(200);
    expect((await event.app.program.requireState('fk3')).feed?.kind).toBe('push');
    // Only the admin makes or sees the feed key.
    for (const role of ['director', 'graphics']) {
      const res = await event.app.inject({
        method: 'GET',
        url: '/api/events/fk3/feed/key',
        headers: bearer(event.keys[role]!),
      });
      expect(res.statusCode, role).toBe(403);
    }
  });
});
