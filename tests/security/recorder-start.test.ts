// Issue 11, hole 3. A recorder start that fails (the page does not load, or the page's capture cannot
// start) must close the Chromium and the capture server it opened: the job layer retries with a fresh
// recorder, and each failed attempt leaked one browser and one listening socket. And the API accepts
// only the formats the template renders (it accepted 25/50 fps and any size, so such a request could
// never record and leaked a browser per retry): one schema in protocol/ serves both.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OUTPUT_FRAME_RATES,
  OUTPUT_SIZES,
  parseVideoFormat,
  type OutputPlan,
  type VideoFormat,
} from '../../protocol/index.ts';
import { parseTemplateQuery } from '../../template/config/template-query.ts';
import { freePort } from '../../runtime/free-port.ts';
import { Recorder } from '../../worker/recorder/recorder.ts';
import { templatePageUrl } from '../../worker/template-url.ts';
import { bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

const FAILED_STARTS = 3;
/** A page that offers the capture contract: it loads, and its capture fails when asked for frames. */
const CONTRACT_PAGE = `<!doctype html><canvas width="320" height="180"></canvas><script>
  window.pitchside = { capture: { canvas: document.querySelector('canvas'), fps: 30, onFrame: () => { throw new Error('no frames'); } } };
</script>`;

let page: Server;
let pageUrl: string;
beforeAll(async () => {
  page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(CONTRACT_PAGE));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => page.close(() => resolve())));

/** Chromium processes launched with this test's marker flag (the browser keeps unknown switches). */
function chromiumWith(marker: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', marker], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Servers of this process still listening (a capture server is one). */
function listeningServers(): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof NetServer && h.listening).length;
}

describe('recorder start failures', () => {
  const cases: [string, () => Promise<{ url: string }>][] = [
    ['the page does not load', async () => ({ url: `http://127.0.0.1:${await freePort()}/template/` })],
    ['the page capture cannot start', async () => ({ url: pageUrl })],
  ];
  for (const [what, target] of cases) {
    it(`${what}: ${FAILED_STARTS} failed starts leave no Chromium and no listening socket`, async () => {
      const marker = `--pitchside-test=${randomUUID()}`;
      const servers = listeningServers();
      for (let i = 0; i < FAILED_STARTS; i++) {
        const recorder = new Recorder({
          ...(await target()),
          width: 320,
          height: 180,
          fps: 30,
          outputs: [{ id: 'rtmp', kind: 'rtmp', url: 'rtmp://127.0.0.1:1/live/k' }],
          extraArgs: [marker],
        });
        await expect(recorder.start()).rejects.toThrow();
      }
      expect(chromiumWith(marker)).toEqual([]);
      expect(listeningServers()).toBe(servers);
    });
  }
});

describe('one output format for the API and the template', () => {
  it('every format the API accepts, the template renders as asked', () => {
    const accepted: VideoFormat[] = [];
    for (const width of [640, 1280, 1920, 3840])
      for (const height of [360, 720, 1080, 2160])
        for (const fps of [24, 25, 30, 50, 60]) {
          const parsed = parseVideoFormat({ width, height, fps });
          if (parsed.ok) accepted.push(parsed.value);
        }
    expect(accepted).toHaveLength(OUTPUT_SIZES.length * OUTPUT_FRAME_RATES.length);
    for (const video of accepted) {
      const plan = { templateUrl: 'http://127.0.0.1:8080/template/?event=final&key=k', video } as OutputPlan;
      const query = parseTemplateQuery(new URL(templatePageUrl(plan)).search, { windowWidth: 0, windowHeight: 0 });
      expect(query.ok && [query.config.width, query.config.height, query.config.fps]).toEqual([
        video.width,
        video.height,
        video.fps,
      ]);
    }
  });

  it('the output routes refuse a format the template cannot render, naming the field, and start nothing', async () => {
    const app = await testApp();
    const eventId = `fmt-${randomUUID().slice(0, 8)}`;
    const keys = await seedEvent(app, eventId);
    const director = bearer(keys['director']?.key ?? '');
    const refused: [VideoFormat | Record<string, number>, string][] = [
      [{ width: 1920, height: 1080, fps: 25 }, '/video/fps'],
      [{ width: 1920, height: 1080, fps: 50 }, '/video/fps'],
      [{ width: 1280, height: 1080, fps: 30 }, '/video/height'],
      [{ width: 3840, height: 1080, fps: 30 }, '/video/width'],
      [{ width: 640, height: 360, fps: 30 }, '/video/'],
    ];
    for (const [video, field] of refused) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${eventId}/outputs/record`,
        headers: director,
        payload: { video },
      });
      expect(res.statusCode, JSON.stringify(video)).toBe(400);
      expect(JSON.stringify(res.json()), JSON.stringify(video)).toContain(field);
    }
    const status = await app.inject({ method: 'GET', url: `/api/events/${eventId}/outputs`, headers: director });
    expect(status.json().plan).toBeNull();
  });
});
