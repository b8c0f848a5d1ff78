// Hole 9 (issue 11): a director could add a media source at http://127.0.0.1:6379/ or the cloud metadata
// address, loaded by the worker's Chromium, by Egress and by operators' browsers, and point an RTMP
// destination anywhere. Loopback, link-local and metadata addresses are refused (names resolved
// first), private networks only where ALLOW_PRIVATE_NETWORKS says, with a 400 naming the field; the
// recorder's Chromium checks every request again when it is made.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardOutboundRequests, launchChromium } from '../../runtime/chromium.ts';
import { loadConfig } from '../../runtime/config.ts';
import { OutboundPolicy } from '../../runtime/outbound-policy.ts';
import { admin, bearer, connectWs, listen, seedEvent, testApp } from '../controller/controller-helpers.ts';

const REFUSED_MEDIA = [
  'http://127.0.0.1:6379/',
  'http://localhost:6379/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://[::1]:8080/',
  'http://[::ffff:127.0.0.1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://0.0.0.0:8080/',
  'http://192.168.1.10/clip.mp4',
  'http://10.0.0.8/clip.mp4',
  'http://[fe80::1]/',
  // Issue 22 hole 11: IPv6 forms that carry an IPv4 address are judged by that address.
  'http://[::ffff:0:7f00:1]/',
  'http://[::ffff:0:127.0.0.1]/',
  'http://[::127.0.0.1]/',
  'http://[::a9fe:a9fe]/',
  'http://[64:ff9b:1::a00:8]/',
  'http://[2002:7f00:1::]/',
  'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
];

const strictApp = (allow = '') => testApp({ config: loadConfig({ PORT: 0, ALLOW_PRIVATE_NETWORKS: allow }, {}) });

const media = (id: string, url: string) => ({ source: { id, label: 'Clip', kind: 'media', url } });

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: Parameters<typeof createServer>[1], host = '127.0.0.1'): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

describe('outbound addresses', () => {
  it('refuses media sources on loopback, link-local, metadata and private addresses, naming the field, by HTTP and WebSocket', async () => {
    const app = await strictApp();
    const keys = await seedEvent(app);
    const director = bearer(keys.director!.key);
    const before = (await app.inject({ url: '/api/events/match/state', headers: director })).json().state;
    for (const [n, url] of REFUSED_MEDIA.entries()) {
      const answer = await app.inject({
        method: 'POST',
        url: '/api/events/match/source/add',
        headers: director,
        payload: media(`clip-${n}`, url),
      });
      expect(answer.statusCode, url).toBe(400);
      expect(answer.json().error, url).toMatchObject({ code: 'ADDRESS_NOT_ALLOWED', field: '/source/url' });
    }
    const socket = await connectWs(await listen(app), 'match', keys.director!.key);
    socket.socket.send(
      JSON.stringify({
        type: 'command',
        id: 'ws-1',
        command: { type: 'source.add', ...media('ws', REFUSED_MEDIA[0]!) },
      }),
    );
    const result = await socket.waitFor((f) => f.type === 'result' && f.id === 'ws-1');
    expect(result).toMatchObject({ ok: false, error: { code: 'ADDRESS_NOT_ALLOWED', field: '/source/url' } });
    await socket.close();
    const after = (await app.inject({ url: '/api/events/match/state', headers: director })).json().state;
    expect(after).toEqual(before);

    const fine = await app.inject({
      method: 'POST',
      url: '/api/events/match/source/add',
      headers: director,
      payload: media('public-clip', 'https://93.184.215.14/clip.mp4'),
    });
    expect(fine.statusCode, fine.body).toBe(200);
  });

  it('lets ALLOW_PRIVATE_NETWORKS open a private network, never the metadata service', async () => {
    const app = await strictApp('192.168.1.0/24,169.254.0.0/16');
    const keys = await seedEvent(app);
    const add = (id: string, url: string) =>
      app.inject({
        method: 'POST',
        url: '/api/events/match/source/add',
        headers: bearer(keys.director!.key),
        payload: media(id, url),
      });
    expect((await add('lan', 'http://192.168.1.10/clip.mp4')).statusCode).toBe(200);
    expect((await add('other-lan', 'http://192.168.2.10/clip.mp4')).statusCode).toBe(400);
    expect((await add('meta', 'http://169.254.169.254/latest/')).statusCode).toBe(400);
    expect((await add('loop', 'http://127.0.0.1/')).statusCode).toBe(400);
  });

  it('refuses such RTMP destinations when saved, and checks the stored ones again when going live', async () => {
    const app = await strictApp();
    await seedEvent(app);
    for (const serverUrl of ['rtmp://127.0.0.1:1935/live', 'rtmp://localhost/live', 'rtmps://169.254.169.254/app']) {
      const answer = await app.inject({
        method: 'PATCH',
        url: '/api/events/match',
        headers: admin(),
        payload: {
          destinations: [
            { kind: 'youtube', streamKey: 'yt-key' },
            { kind: 'rtmp', serverUrl, streamKey: 'k' },
          ],
        },
      });
      expect(answer.statusCode, serverUrl).toBe(400);
      expect(answer.json().error.field).toBe('/destinations/1/serverUrl');
    }
    const created = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: admin(),
      payload: {
        name: 'Cup',
        sport: 'football',
        home: { name: 'A' },
        away: { name: 'B' },
        destinations: [{ kind: 'rtmp', serverUrl: 'rtmp://10.1.2.3/live', streamKey: 'k' }],
      },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.field).toBe('/destinations/0/serverUrl');

    // Saved where the venue LAN was allowed, started where it is not: refused at going live.
    const lenient = await testApp({
      keyPrefix: app.redisKeys.prefix,
      config: loadConfig({ PORT: 0, ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8' }, {}),
    });
    const saved = await lenient.inject({
      method: 'PATCH',
      url: '/api/events/match',
      headers: admin(),
      payload: {
        destinations: [{ id: 'venue', kind: 'rtmp', serverUrl: 'rtmp://127.0.0.1:1935/live', streamKey: 'k' }],
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const live = await app.inject({
      method: 'POST',
      url: '/api/events/match/outputs/stream',
      headers: admin(),
      payload: {},
    });
    expect(live.statusCode, live.body).toBe(400);
    expect(live.json().error.code).toBe('ADDRESS_NOT_ALLOWED');
  });

  it("the recorder's Chromium refuses a page's requests to loopback at request time, and loads its own origin", async () => {
    let secretHits = 0;
    const secret = await serve((_req, res) => {
      secretHits++;
      res.end('redis-or-metadata');
    }, '127.0.0.2');
    const page = await serve((req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<img src="/own.png"><script>
          window.done = fetch(${JSON.stringify(`${secret}/steal`)}, { mode: "no-cors" }).then(() => 'loaded', () => 'refused');
        </script>`,
      );
    });
    const browser = await launchChromium();
    try {
      const run = async (guarded: boolean): Promise<{ outcome: string; refused: string[] }> => {
        const tab = await browser.newPage();
        const refused: string[] = [];
        if (guarded)
          await guardOutboundRequests(tab, {
            policy: new OutboundPolicy(),
            trustedOrigins: [page],
            onRefused: (url) => refused.push(url),
          });
        await tab.goto(page, { waitUntil: 'load' });
        const outcome = (await tab.evaluate('window.done')) as string;
        await tab.close();
        return { outcome, refused };
      };
      // Unguarded, the page reaches the other loopback server: the guard is what stops it.
      expect((await run(false)).outcome).toBe('loaded');
      expect(secretHits).toBe(1);
      const guarded = await run(true);
      expect(guarded).toEqual({ outcome: 'refused', refused: [`${secret}/steal`] });
      expect(secretHits).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
