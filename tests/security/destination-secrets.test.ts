// Hole 10 (issue 11): a PATCH that moved a destination to another server kept its stored key, so the
// YouTube key followed the destination to a server the editor chose; and masking showed a key's last
// four characters, or more of a key holding quotes or '&' in log lines.
import { describe, expect, it } from 'vitest';
import { destinationKind, rtmpPublishUrl, maskSecrets, type Destination } from '../../protocol/index.ts';
import { admin, bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

const YOUTUBE_KEY = 'abcd-efgh-ijkl-mnop-qrst';

/** Keys of odd characters and lengths; each tail is made of characters a hex fingerprint never holds. */
const ODD_KEYS = [
  'Z',
  'xyz',
  'live_Quote"Tail',
  "it's-a-Key'Zz",
  'amp&key=val&Tail',
  'per%cent%2FTail',
  'back\\slash\\Tail',
  'ключ-трансляции-Кз',
  'emoji-key-🎥🎬',
  'colon:semi;Tail',
  `${'k'.repeat(500)}Tail`,
];

async function eventWith(destinations: object[], app?: Awaited<ReturnType<typeof testApp>>, id = 'cup') {
  const target = app ?? (await testApp());
  const created = await target.inject({
    method: 'POST',
    url: '/api/events',
    headers: admin(),
    payload: { id, name: 'Cup', sport: 'football', home: { name: 'A' }, away: { name: 'B' }, destinations },
  });
  expect(created.statusCode, created.body).toBe(201);
  return target;
}

describe('destination secrets', () => {
  it('asks for the key again when a destination changes kind or server, and changes nothing without it', async () => {
    const app = await eventWith([
      { id: 'main', kind: 'youtube', streamKey: YOUTUBE_KEY },
      { id: 'club', kind: 'rtmp', serverUrl: 'rtmp://203.0.113.10/live', streamKey: 'club-key-1234' },
    ]);
    const patch = (destinations: object[]) =>
      app.inject({ method: 'PATCH', url: '/api/events/cup', headers: admin(), payload: { destinations } });
    const stored = async () => (await app.events.getDestinationsWithSecrets('cup')).map((d) => ({ ...d }));
    const before = await stored();

    const moved = await patch([
      { id: 'main', kind: 'rtmp', serverUrl: 'rtmp://203.0.113.99/steal' },
      { id: 'club', kind: 'rtmp', serverUrl: 'rtmp://203.0.113.10/live' },
    ]);
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.field).toBe('/destinations/0/streamKey');
    const redirected = await patch([
      { id: 'main', kind: 'youtube' },
      { id: 'club', kind: 'rtmp', serverUrl: 'rtmp://203.0.113.99/live' },
    ]);
    expect(redirected.statusCode).toBe(400);
    expect(redirected.json().error.field).toBe('/destinations/1/streamKey');
    expect(await stored()).toEqual(before);

    // Same place: the key stays. A new place with its key: accepted.
    const kept = await patch([
      { id: 'main', kind: 'youtube', label: 'YouTube' },
      { id: 'club', kind: 'rtmp', serverUrl: 'rtmp://203.0.113.99/live', streamKey: 'new-club-key' },
    ]);
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await stored()).map((d) => ('streamKey' in d ? d.streamKey : null))).toEqual([YOUTUBE_KEY, 'new-club-key']);
  });

  // Issue 22 hole 7: a server URL's `user:password@` was returned in clear to the graphics key.
  it('keeps a server login write-only: no role sees it, `****@` keeps it, the encoder gets it', async () => {
    const app = await testApp();
    await eventWith(
      [{ id: 'club', kind: 'rtmp', serverUrl: 'rtmp://relay:S3cret-pw@203.0.113.10/live', streamKey: 'club-key-1234' }],
      app,
    );
    const keys = Object.fromEntries((await app.apiKeys.ensureEventKeys('cup')).map((k) => [k.role, k.key]));
    for (const headers of [admin(), bearer(keys['graphics']!), bearer(keys['director']!)]) {
      const answer = await app.inject({ url: '/api/events/cup', headers });
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain('S3cret');
      expect(answer.body).not.toContain('relay:');
      expect(answer.json().destinations[0].serverUrl).toBe('rtmp://****@203.0.113.10/live');
    }
    const [stored] = await app.events.getDestinationsWithSecrets('cup');
    expect(rtmpPublishUrl(stored as Destination & { kind: 'rtmp' })).toBe(
      'rtmp://relay:S3cret-pw@203.0.113.10/live/club-key-1234',
    );
    const target = destinationKind(stored!.kind).target(stored as never, 'cup');
    expect(target).toBe('rtmp://****@203.0.113.10/live/****');
    expect(maskSecrets(`Cannot open rtmp://relay:S3cret-pw@203.0.113.10/live/club-key-1234: refused`)).not.toContain(
      'S3cret',
    );

    const patch = (destinations: object[]) =>
      app.inject({ method: 'PATCH', url: '/api/events/cup', headers: admin(), payload: { destinations } });
    // The form sends back what it was shown: the login and the key stay.
    const same = await patch([{ id: 'club', kind: 'rtmp', serverUrl: 'rtmp://****@203.0.113.10/live' }]);
    expect(same.statusCode, same.body).toBe(200);
    expect(rtmpPublishUrl((await app.events.getDestinationsWithSecrets('cup'))[0] as never)).toContain(
      'relay:S3cret-pw@',
    );
    // `****@` for another server is not a login anyone wrote: refused, nothing changed.
    const elsewhere = await patch([
      { id: 'club', kind: 'rtmp', serverUrl: 'rtmp://****@203.0.113.99/live', streamKey: 'k-2' },
    ]);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.field).toBe('/destinations/0/serverUrl');
  });

  it('refuses a media source URL that carries a login, naming the field', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const answer = await app.inject({
      method: 'POST',
      url: '/api/events/match/source/add',
      headers: bearer(keys.director!.key),
      payload: { source: { id: 'clip', label: 'Clip', kind: 'media', url: 'https://user:pw@cdn.example.org/a.mp4' } },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.field).toBe('/source/url');
  });

  it('shows no character of any key in answers, whatever it holds', async () => {
    const app = await testApp();
    const masks: string[] = [];
    // At most MAX_DESTINATIONS per event: the keys go into events of a few each.
    for (let start = 0; start < ODD_KEYS.length; start += 4) {
      const id = `cup-${start}`;
      const keys = ODD_KEYS.slice(start, start + 4);
      await eventWith(
        keys.map((streamKey, n) => ({ id: `d${n}`, kind: 'rtmp', serverUrl: 'rtmp://203.0.113.10/live', streamKey })),
        app,
        id,
      );
      const event = (await app.inject({ url: `/api/events/${id}`, headers: admin() })).json();
      masks.push(...event.destinations.map((d: { streamKeyMasked: string }) => d.streamKeyMasked));
    }
    ODD_KEYS.forEach((key, n) => {
      const mask = masks[n] as string;
      expect(mask).toMatch(/^•••• #[0-9a-f]{4}$/);
      for (const tail of [key.slice(-4), key.slice(-2)])
        if (!/^[0-9a-f]+$/.test(tail)) expect(mask).not.toContain(tail);
    });
    expect(new Set(masks).size).toBe(ODD_KEYS.length);
  });

  it('masks a key in log text however it is quoted, escaped or followed', () => {
    for (const streamKey of ODD_KEYS) {
      const destination: Destination = { id: 'd', kind: 'rtmp', serverUrl: 'rtmp://203.0.113.10/live', streamKey };
      const url = rtmpPublishUrl(destination);
      const lines = [
        `[rtmp @ 0x55] Cannot open connection ${url}: Connection refused`,
        `Error opening output '${url}': I/O error`,
        `"${url}"`,
        JSON.stringify({ msg: `publish to ${url} failed`, url }),
        `${url}?key=${streamKey}&x=1`,
      ];
      for (const line of lines) {
        for (const masked of [maskSecrets(line), maskSecrets(line, [streamKey])]) {
          expect(masked, line).toContain('rtmp://203.0.113.10/live/****');
          if (streamKey.length >= 4) {
            expect(masked, line).not.toContain(streamKey.slice(-4));
            expect(masked, line).not.toContain(JSON.stringify(streamKey).slice(-5, -1));
          }
        }
      }
      // A key quoted on its own (no URL) is masked when the caller knows it.
      expect(maskSecrets(`playpath "${streamKey}" refused`, [streamKey])).toBe('playpath "****" refused');
    }
  });
});
