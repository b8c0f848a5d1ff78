// Hole 10 (issue 22): control and bidi characters in chat names and messages and in camera labels were
// accepted and shown. One schema rule (protocol/user-text.ts) refuses them wherever people type text that
// other people's pages show: an HTTP 400 or a WebSocket error naming the field, and nothing stored.
import { describe, expect, it } from 'vitest';
import { admin, bearer, connectWs, listen, seedEvent, testApp } from '../controller/controller-helpers.ts';

/** Each hides what it holds: an override, an isolate, a mark, a zero-width space, a C1 and a C0 control. */
const LYING = [
  'Reds \u202e1-0\u202c',
  'Camera \u2067A\u2069',
  'Home\u200f',
  'zero\u200bwidth',
  'c1\u0085line',
  'tab\there',
  'line\nbreak',
];

describe('user text', () => {
  it('refuses control and bidi characters in labels and team names, naming the field, and keeps right-to-left letters', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const director = bearer(keys.director!.key);
    const before = (await app.inject({ url: '/api/events/match/state', headers: director })).json().state;
    for (const label of LYING) {
      const add = await app.inject({
        method: 'POST',
        url: '/api/events/match/source/add',
        headers: director,
        payload: { source: { id: 'cam-x', label, kind: 'test' } },
      });
      expect(add.statusCode, JSON.stringify(label)).toBe(400);
      expect(add.json().error.field).toBe('/source/label');
      const rename = await app.inject({
        method: 'POST',
        url: '/api/events/match/commands',
        headers: director,
        payload: { type: 'source.update', id: 'camera-1', label },
      });
      expect(rename.statusCode, JSON.stringify(label)).toBe(400);
      expect(rename.json().error.field).toBe('/label');
      const created = await app.inject({
        method: 'POST',
        url: '/api/events',
        headers: admin(),
        payload: { id: 'cup', name: 'Cup', sport: 'football', home: { name: label }, away: { name: 'B' } },
      });
      expect(created.statusCode, JSON.stringify(label)).toBe(400);
      expect(created.json().error.field).toBe('/home/name');
    }
    expect((await app.inject({ url: '/api/events/match/state', headers: director })).json().state).toEqual(before);
    const arabic = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: director,
      payload: { type: 'source.update', id: 'camera-1', label: 'الكاميرا ١' },
    });
    expect(arabic.statusCode, arabic.body).toBe(200);
  });

  it('refuses them in a camera join label and in chat names and messages', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const { joinCode } = await app.events.require('match');
    for (const label of LYING) {
      const join = await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode, label } });
      expect(join.statusCode, JSON.stringify(label)).toBe(400);
      expect(join.json().error.field).toBe('/label');
    }
    const viewer = await connectWs(await listen(app), 'match', keys.viewer!.key);
    await viewer.waitFor((f) => f.type === 'chat.history');
    for (const [n, text] of LYING.entries()) {
      viewer.socket.send(JSON.stringify({ type: 'chat.send', id: `n${n}`, name: text, text: 'hello' }));
      viewer.socket.send(JSON.stringify({ type: 'chat.send', id: `t${n}`, name: 'Ann', text }));
    }
    const errorsOf = () => viewer.frames.filter((f) => f.type === 'error');
    await viewer.waitFor(() => errorsOf().length >= LYING.length * 2);
    const seen = errorsOf();
    expect(seen.map((f) => f.field).sort()).toEqual([...LYING.map(() => '/name'), ...LYING.map(() => '/text')].sort());
    expect(viewer.frames.filter((f) => f.type === 'chat.message')).toEqual([]);
    await viewer.close();
  });
});
