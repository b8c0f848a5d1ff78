// Hole 9 (issue 22): a camera key (on a phone that can be lost) read the crew's camera list — other
// cameras' labels, status and battery — over HTTP, while the same list was kept off camera sockets. The
// HTTP answer now follows the socket's rule (SERVER_MESSAGE_AUDIENCE.cameras) for every role.
import { describe, expect, it } from 'vitest';
import { mayReceive, ROLES } from '../../protocol/index.ts';
import { TEST_ADMIN_KEY, admin, bearer, seedEvent, seedSeat, testApp } from '../controller/controller-helpers.ts';

describe("the crew's camera list", () => {
  it("a joined camera's own key may not read it", async () => {
    const app = await testApp();
    await seedEvent(app);
    const { joinCode } = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
    for (const label of ['Goal cam', 'Lost phone']) {
      const joined = await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode, label } });
      expect(joined.statusCode, joined.body).toBe(200);
    }
    const lost = (
      await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode, label: 'Third' } })
    ).json<{ key: string }>();
    const answer = await app.inject({ url: '/api/events/match/cameras', headers: bearer(lost.key) });
    expect(answer.statusCode).toBe(403);
    expect(answer.body).not.toContain('Goal cam');
  });

  it('answers over HTTP exactly the roles that receive `cameras` frames on the socket', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    for (const role of ROLES) {
      // A commentary key is a seat's own (no event-wide one exists).
      const key =
        role === 'admin' ? TEST_ADMIN_KEY : role === 'commentary' ? (await seedSeat(app)).key : keys[role]!.key;
      const answer = await app.inject({ url: '/api/events/match/cameras', headers: bearer(key) });
      expect({ role, status: answer.statusCode }).toEqual({ role, status: mayReceive(role, 'cameras') ? 200 : 403 });
    }
  });
});
