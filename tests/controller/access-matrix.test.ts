// Every registered /api route × every role (plus no key and another event's key), generated from the
// app's own route table: a new route is walked the moment it exists.
import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../protocol/index.ts';
import { TEST_ADMIN_KEY, seedEvent, seedSeat, testApp } from './controller-helpers.ts';

const PARAM_VALUES: Record<string, string> = {
  cameraId: 'cam-aaaaaa',
  role: 'director',
  destinationId: 'youtube',
  jobId: 'job-1',
  file: 'video.mp4',
};

describe('endpoint × role matrix', () => {
  it('answers 401 without a key, 403 for a role or event the route does not allow, and lets the declared roles through', async () => {
    const app = await testApp();
    const routes = app.apiRoutes;
    expect(routes.length).toBeGreaterThan(30);
    await seedEvent(app, 'other');
    const otherKeys = await app.apiKeys.ensureEventKeys('other');
    const failures: string[] = [];
    let checked = 0;

    for (const [index, route] of routes.entries()) {
      // A fresh event per route: a DELETE or a key rotation cannot disturb the next route's checks.
      const eventId = `m${index}`;
      const keys = await seedEvent(app, eventId);
      // A seat's key is its own (no event-wide commentary key): routes about a seat name this one.
      const seat = await seedSeat(app, eventId);
      const url = route.url.replace(/:(\w+)/g, (_m, name: string) =>
        name === 'eventId' ? eventId : name === 'seatId' ? seat.id : (PARAM_VALUES[name] ?? 'x'),
      );
      const payload = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
      const call = async (key: string | null) =>
        app.inject({
          method: route.method as 'GET',
          url,
          headers: key === null ? {} : { authorization: `Bearer ${key}` },
          ...(payload === undefined ? {} : { payload }),
        });
      const expectStatus = (who: string, status: number, allowed: boolean, noKey = false) => {
        checked++;
        const ok = allowed ? status !== 401 && status !== 403 : status === (noKey ? 401 : 403);
        if (!ok) failures.push(`${route.method} ${route.url} as ${who}: ${status} (allowed: ${allowed})`);
      };
      const isPublic = 'public' in route.access;
      // The event's shared camera key is bound to no camera: it may not act as one (its own key may, see
      // tests/security/camera-impersonation.test.ts).
      const ownCamera = 'roles' in route.access && route.access.ownCamera === true;
      const allows = (role: Role) =>
        isPublic || ('roles' in route.access && route.access.roles.includes(role) && !(ownCamera && role === 'camera'));

      expectStatus('no key', (await call(null)).statusCode, isPublic, true);
      // Admin last: it may delete the event.
      // The seat's own key first: a director may remove its seat.
      const order: Role[] = ['commentary', ...ROLES.filter((r) => r !== 'admin' && r !== 'commentary'), 'admin'];
      for (const role of order) {
        const key = role === 'admin' ? TEST_ADMIN_KEY : role === 'commentary' ? seat.key : keys[role]!.key;
        expectStatus(role, (await call(key)).statusCode, allows(role));
      }
      if (route.url.includes(':eventId') && !isPublic) {
        expectStatus(
          "another event's director",
          (await call(otherKeys.find((k) => k.role === 'director')!.key)).statusCode,
          false,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(routes.length * ROLES.length);
  });

  it('refuses to register an /api route that declares no access', async () => {
    const app = await testApp({ ready: false });
    expect(() => app.get('/api/forgotten', async () => 'oops')).toThrow(/declares no config.access/);
  });
});
