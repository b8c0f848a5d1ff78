// Destination kinds at the API: each kind validates its own fields, an unknown kind is refused (never taken
// for RTMP), an SRT destination's stream id and passphrase never show in answers or logs, and its host
// goes through the outbound policy like an RTMP server's.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { admin, testApp } from '../controller/controller-helpers.ts';
import { createLogger } from '../../runtime/logger.ts';

const STREAM_ID = 'srt-stream-id-Secret-7781';
const PASSPHRASE = 'pass phrase+Secret&9134';

async function appWithLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const app = await testApp({ logger: createLogger({ level: 'trace', stream: sink }) });
  const send = (method: 'POST' | 'PATCH', destinations: object[], url = '/api/events') =>
    app.inject({
      method,
      url,
      headers: admin(),
      payload:
        method === 'POST'
          ? { id: 'cup', name: 'Cup', sport: 'football', home: { name: 'A' }, away: { name: 'B' }, destinations }
          : { destinations },
    });
  return { app, lines, send };
}

describe('destination kinds', () => {
  it('refuses an unknown kind and fields a kind does not have, naming the field, and stores nothing', async () => {
    const { app, send } = await appWithLog();
    const refused = [
      [{ kind: 'ftp', serverUrl: 'rtmp://203.0.113.10/live', streamKey: 'k' }, '/destinations/0/kind'],
      [{ kind: 'srt', serverUrl: 'rtmp://203.0.113.10/live' }, '/destinations/0/serverUrl'],
      [{ kind: 'srt', serverUrl: 'srt://203.0.113.10:9000?passphrase=inline-secret' }, '/destinations/0/serverUrl'],
      [{ kind: 'srt' }, '/destinations/0/serverUrl'],
      [{ kind: 'srt', serverUrl: 'srt://203.0.113.10:9000', passphrase: 'short' }, '/destinations/0/passphrase'],
      [{ kind: 'srt', serverUrl: 'srt://203.0.113.10:9000', dvrWindowSeconds: 60 }, '/destinations/0/dvrWindowSeconds'],
      [{ kind: 'rtmp', serverUrl: 'srt://203.0.113.10:9000', streamKey: 'k' }, '/destinations/0/serverUrl'],
      [{ kind: 'youtube', streamKey: 'k', passphrase: 'long-enough-pass' }, '/destinations/0/passphrase'],
      [{ kind: 'hls', passphrase: 'long-enough-pass' }, '/destinations/0/passphrase'],
    ] as const;
    for (const [destination, field] of refused) {
      const res = await send('POST', [destination]);
      expect(res.statusCode, JSON.stringify(destination)).toBe(400);
      expect(res.json().error.field, JSON.stringify(destination)).toBe(field);
    }
    expect((await app.inject({ url: '/api/events/cup', headers: admin() })).statusCode).toBe(404);
  });

  it("keeps an SRT destination's stream id and passphrase out of answers and logs", async () => {
    const { app, lines, send } = await appWithLog();
    const created = await send('POST', [
      { id: 'venue', kind: 'srt', serverUrl: 'srt://203.0.113.20:9000', streamKey: STREAM_ID, passphrase: PASSPHRASE },
    ]);
    expect(created.statusCode, created.body).toBe(201);
    const got = await app.inject({ url: '/api/events/cup', headers: admin() });
    const view = got.json().destinations[0];
    expect(view).toMatchObject({ id: 'venue', kind: 'srt', serverUrl: 'srt://203.0.113.20:9000' });
    expect(view.streamKeyMasked).toMatch(/^•••• #[0-9a-f]{4}$/);
    expect(view.passphraseMasked).toMatch(/^•••• #[0-9a-f]{4}$/);
    const stored = async () => (await app.events.getDestinationsWithSecrets('cup'))[0];
    expect(await stored()).toMatchObject({ streamKey: STREAM_ID, passphrase: PASSPHRASE });

    // Same server, secrets left out: both stay. Another server: neither follows it there.
    const kept = await send(
      'PATCH',
      [{ id: 'venue', kind: 'srt', serverUrl: 'srt://203.0.113.20:9000' }],
      '/api/events/cup',
    );
    expect(kept.statusCode, kept.body).toBe(200);
    expect(await stored()).toMatchObject({ streamKey: STREAM_ID, passphrase: PASSPHRASE });
    const moved = await send(
      'PATCH',
      [{ id: 'venue', kind: 'srt', serverUrl: 'srt://203.0.113.99:9000' }],
      '/api/events/cup',
    );
    expect(moved.statusCode, moved.body).toBe(200);
    const after = await stored();
    expect(after).not.toHaveProperty('streamKey');
    expect(after).not.toHaveProperty('passphrase');

    const seen = [created.body, got.body, kept.body, moved.body, ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [STREAM_ID, PASSPHRASE, encodeURIComponent(PASSPHRASE)]) expect(seen).not.toContain(secret);
  });

  it("checks an SRT server's address against the outbound policy", async () => {
    const { send } = await appWithLog();
    const res = await send('POST', [{ kind: 'srt', serverUrl: 'srt://169.254.169.254:9000' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'ADDRESS_NOT_ALLOWED', field: '/destinations/0/serverUrl' });
  });
});
