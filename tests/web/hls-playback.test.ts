// Self-hosted playback end to end: the demo event with an `hls` destination goes live through the real
// controller and the built-in recorder (Chromium + ffmpeg); the playlist /watch names is read by ffprobe
// (H.264 + AAC), by the watch page's player in Chromium (its <video> advances), and is served only to a
// key (or to everyone once the event is public), with HLS cache headers; stopping ends the playlist.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { type WatchInfo } from '../../protocol/index.ts';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../runtime/chromium.ts';
import { RecorderStack } from './recorder-stack.ts';
import { until } from './web-stack.ts';

const run = promisify(execFile);
const ADMIN_KEY = 'psadm_hls-test-admin-key-0123456789';
/** Recorder start (Chromium, template, first keyframe) plus the first whole segment, on a loaded machine. */
const LIVE_TIMEOUT_MS = 90_000;
/** The player's first picture: playlist, init, two segments, decode. */
const PLAY_TIMEOUT_MS = 45_000;
/** Glass-to-player latency sanity bound (the figure itself is bench/hls's). */
const MAX_LATENCY_MS = 30_000;
/** Two recorder starts, two players, ffprobe and a stop, on a machine other suites load too. */
const PLAYBACK_TEST_TIMEOUT_MS = 300_000;

const stack = new RecorderStack('hls', ADMIN_KEY);
let origin: string;
let browser: Browser;

/** The <video>'s currentTime, once it is past `after` (the page's own clock: no fixed sleeps). */
async function waitAdvance(page: Page, after: number): Promise<number> {
  const handle = await page.waitForFunction(
    (t: number) => {
      const v = document.querySelector<HTMLVideoElement>('#pitchside-video');
      return v !== null && v.currentTime > t && v.currentTime;
    },
    { timeout: PLAY_TIMEOUT_MS, polling: 200 },
    after,
  );
  return (await handle.jsonValue()) as number;
}
const keys: Record<string, string> = {};

function api(method: string, path: string, key: string | null, body?: object): Promise<Response> {
  return stack.api(method, path, key, body);
}

async function watchInfo(key: string | null = keys['viewer']!): Promise<WatchInfo> {
  const response = await api('GET', `/api/events/${DEMO_EVENT_ID}/watch`, key);
  expect(response.status).toBe(200);
  return (await response.json()) as WatchInfo;
}

beforeAll(async () => {
  // The worker writes where the controller serves: the same data dir, as docker/compose.yaml shares it.
  await stack.start();
  origin = stack.origin;
  Object.assign(keys, stack.keys);
  browser = await launchChromium({ width: 1280, height: 800 });
});

afterAll(async () => {
  await browser?.close();
  await stack.close();
});

describe('self-hosted HLS playback', () => {
  it('refuses a key or server on an hls destination, naming the field, and changes nothing', async () => {
    const path = `/api/events/${DEMO_EVENT_ID}`;
    for (const [field, extra] of [
      ['streamKey', { streamKey: 'abc' }],
      ['serverUrl', { serverUrl: 'rtmp://example.org/live' }],
    ] as const) {
      const response = await api('PATCH', path, ADMIN_KEY, { destinations: [{ kind: 'hls', ...extra }] });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { field: string } }).error.field).toBe(`/destinations/0/${field}`);
    }
    const event = (await (await api('GET', path, ADMIN_KEY)).json()) as { destinations: unknown[] };
    expect(event.destinations).toEqual([]);
  });

  it(
    'goes live, is read by ffprobe from the playlist /watch names, and ends the playlist on stop',
    async () => {
      const saved = await api('PATCH', `/api/events/${DEMO_EVENT_ID}`, ADMIN_KEY, {
        destinations: [{ id: 'site', kind: 'hls', label: 'Club site', dvrWindowSeconds: 60 }],
      });
      expect(saved.status, await saved.clone().text()).toBe(200);
      expect(((await saved.json()) as { destinations: unknown[] }).destinations).toEqual([
        { id: 'site', kind: 'hls', label: 'Club site', dvrWindowSeconds: 60 },
      ]);
      expect((await watchInfo()).playlist).toBeUndefined();

      const live = await api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/stream`, keys['director']!, {
        video: { width: 1280, height: 720, fps: 30 },
      });
      expect(live.status, await live.clone().text()).toBe(200);
      const info = await until(
        'the watch info to name a live playlist',
        async () => {
          const watch = await watchInfo();
          return watch.status === 'live' && watch.playlist !== undefined ? watch : null;
        },
        LIVE_TIMEOUT_MS,
      );
      expect(info.playlist).toBe(`/api/events/${DEMO_EVENT_ID}/hls/site/index.m3u8`);
      const playlistUrl = `${origin}${info.playlist}?key=${encodeURIComponent(keys['viewer']!)}`;

      // Two whole segments, so the player and ffprobe have something to read.
      const playlist = await until(
        'two segments in the playlist',
        async () => {
          const response = await fetch(playlistUrl);
          if (!response.ok) return null;
          const text = await response.text();
          return (text.match(/^#EXTINF:/gm) ?? []).length >= 2 ? { text, response } : null;
        },
        LIVE_TIMEOUT_MS,
      );
      expect(playlist.response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      // It echoes the key onto its URIs: nobody's cache may keep it (issue 22 hole 13).
      expect(playlist.response.headers.get('cache-control')).toBe('private, no-store');
      expect(playlist.text).toContain('#EXT-X-PROGRAM-DATE-TIME:');
      expect(playlist.text).not.toContain('#EXT-X-ENDLIST');
      for (const duration of [...playlist.text.matchAll(/^#EXTINF:([\d.]+)/gm)].map((m) => Number(m[1])))
        expect(duration).toBeCloseTo(2, 1);

      // Segment URIs carry the key the playlist was fetched with; segments are immutable, typed fMP4.
      const segment = playlist.text.split('\n').find((line) => line.startsWith('seg-'))!;
      expect(segment).toMatch(/\?key=/);
      const segmentResponse = await fetch(new URL(segment, playlistUrl));
      expect(segmentResponse.status).toBe(200);
      expect(segmentResponse.headers.get('content-type')).toBe('video/iso.segment');
      expect(segmentResponse.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');

      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_type,codec_name,width,height',
        '-of',
        'json',
        playlistUrl,
      ]);
      const streams = (JSON.parse(stdout) as { streams: { codec_type: string; codec_name: string; width?: number }[] })
        .streams;
      expect(streams).toContainEqual(expect.objectContaining({ codec_type: 'video', codec_name: 'h264', width: 1280 }));
      expect(streams).toContainEqual(expect.objectContaining({ codec_type: 'audio', codec_name: 'aac' }));

      // The watch page plays it in Chromium: hls.js by default, the browser's own HLS when asked for.
      for (const engine of ['hlsjs', 'native'] as const) {
        const page = await browser.newPage();
        page.on('pageerror', (error) => console.error('[watch pageerror]', error));
        await page.goto(
          `${origin}/watch?event=${DEMO_EVENT_ID}&key=${encodeURIComponent(keys['viewer']!)}${engine === 'native' ? '&player=native' : ''}`,
        );
        // The player says which engine it chose once hls.js (loaded on demand) has been asked.
        await page.waitForSelector('.pitchside-player[data-engine]', { timeout: 30_000 });
        const tabs = await page.$$eval('.platform-tabs [role=tab]', (t) => t.map((e) => e.textContent));
        expect(tabs).toEqual(['Pitchside player']);
        expect(await page.$eval('.pitchside-player', (e) => (e as HTMLElement).dataset['engine'])).toBe(engine);
        const first = await waitAdvance(page, 0);
        await waitAdvance(page, first + 1);
        if (engine === 'hlsjs') {
          // Glass to player from the program date-times: positive, and within a generous bound.
          const latencyMs = Number(
            await page
              .waitForFunction(() => document.querySelector<HTMLElement>('#player-latency')?.dataset['latencyMs'], {
                timeout: 30_000,
                polling: 200,
              })
              .then((h) => h.jsonValue()),
          );
          expect(latencyMs).toBeGreaterThan(0);
          expect(latencyMs).toBeLessThan(MAX_LATENCY_MS);
        }
        await page.close();
      }

      // No key: 401 while the event is private; the same URL plays without one once it is public.
      const bare = `${origin}${info.playlist}`;
      expect((await fetch(bare)).status).toBe(401);
      expect((await api('GET', `/api/events/${DEMO_EVENT_ID}/watch`, null)).status).toBe(401);
      const opened = await api('PATCH', `/api/events/${DEMO_EVENT_ID}`, ADMIN_KEY, { publicPlayback: true });
      expect(opened.status).toBe(200);
      const open = await fetch(bare);
      expect(open.status).toBe(200);
      expect(open.headers.get('cache-control')).toBe('public, no-cache');
      expect(await open.text()).not.toContain('?key=');
      // A public playlist asked for with a key is still that client's alone: the key must not be cached.
      const keyed = await fetch(playlistUrl);
      expect(keyed.headers.get('cache-control')).toBe('private, no-store');
      expect(await keyed.text()).toContain('?key=');
      expect((await watchInfo(null)).playlist).toBe(info.playlist);

      // Only the HLS layout's names, only inside the destination's directory.
      for (const path of [
        `/api/events/${DEMO_EVENT_ID}/hls/site/..%2F..%2Frecordings`,
        `/api/events/${DEMO_EVENT_ID}/hls/site/%2E%2E%2Findex.m3u8`,
        `/api/events/${DEMO_EVENT_ID}/hls/..%2Fsite/index.m3u8`,
        `/api/events/${DEMO_EVENT_ID}/hls/site/index.m3u8.tmp`,
      ])
        expect((await fetch(`${origin}${path}`)).status, path).toBe(400);
      expect((await fetch(`${origin}/api/events/${DEMO_EVENT_ID}/hls/other/index.m3u8`)).status).toBe(404);

      // A page that stays open across a stop and a new start (half time) plays the new run by itself.
      const viewer = await browser.newPage();
      await viewer.goto(`${origin}/watch?event=${DEMO_EVENT_ID}&key=${encodeURIComponent(keys['viewer']!)}`);
      await viewer.waitForSelector('.pitchside-player[data-engine]', { timeout: 30_000 });
      await viewer.$eval('.pitchside-player', (e) => e.setAttribute('data-first-run', ''));

      const stop = await api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/stop`, keys['director']!, {});
      expect(stop.status).toBe(200);
      const ended = await until(
        'the playlist to end',
        async () => {
          const text = await (await fetch(bare)).text();
          return text.includes('#EXT-X-ENDLIST') ? text : null;
        },
        LIVE_TIMEOUT_MS,
      );
      expect(ended).toMatch(/^#EXTINF:/m);
      await until(
        'the watch info to drop the playlist',
        async () => {
          const watch = await watchInfo(null);
          return watch.playlist === undefined && watch.status === 'ended';
        },
        LIVE_TIMEOUT_MS,
      );
      const again = await api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/stream`, keys['director']!, {
        video: { width: 1280, height: 720, fps: 30 },
      });
      expect(again.status).toBe(200);
      await viewer.waitForFunction(
        () => {
          const player = document.querySelector('.pitchside-player:not([data-first-run])');
          const video = player?.querySelector('video');
          return video !== null && video !== undefined && video.currentTime > 0.5;
        },
        { timeout: LIVE_TIMEOUT_MS, polling: 200 },
      );
      await viewer.close();
      await api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/stop`, keys['director']!, {});
    },
    PLAYBACK_TEST_TIMEOUT_MS,
  );
});
