// A program page that stops drawing without crashing (its ticker stalled, a script waiting for ever, a GPU
// readback that never returns) sends no more frames while it still answers CDP, so no puppeteer event and no
// failed stats call reports it: the recorder's capture must notice the silence itself (FRAME_STALL_MS) and
// report it like a crash, so that the output restarts instead of holding a frozen picture for the match.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserCapture, FRAME_STALL_MS } from '../../worker/recorder/browser-capture.ts';

/** How long the page draws before it stops: longer than the watchdog, so a false alarm would show. */
const DRAW_MS = FRAME_STALL_MS + 2000;
/** Generous bound on two loaded cores for the watchdog's report after the last frame. */
const REPORT_BOUND_MS = FRAME_STALL_MS + 10_000;

// The capture contract (worker/recorder/README.md) on a 2D canvas, drawing for DRAW_MS and then never again.
const PAGE = `<!doctype html><canvas width="320" height="180"></canvas><script>
const canvas = document.querySelector('canvas');
const g = canvas.getContext('2d');
const listeners = new Set();
const stopAt = performance.now() + ${DRAW_MS};
let index = 0;
const tick = (now) => {
  if (now < stopAt) requestAnimationFrame(tick);
  g.fillStyle = index % 2 ? '#203040' : '#405060';
  g.fillRect(0, 0, 320, 180);
  index += 1;
  for (const listener of listeners) listener(index, now);
};
requestAnimationFrame(tick);
window.pitchside = { capture: { canvas, onFrame: (cb) => { listeners.add(cb); return () => listeners.delete(cb); } } };
</script>`;

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the capture of a page that stops drawing', () => {
  it('reports the page as lost once no frame came for FRAME_STALL_MS, and not before', async () => {
    let lastVideoAt = 0;
    const lost: { reason: string; at: number }[] = [];
    const capture = new BrowserCapture({
      url,
      width: 320,
      height: 180,
      fps: 30,
      onVideo: () => void (lastVideoAt = Date.now()),
      onAudio: () => undefined,
      onCrash: (reason) => void lost.push({ reason, at: Date.now() }),
    });
    try {
      await capture.start();
      await expect.poll(() => lastVideoAt, { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => lost.length, { timeout: DRAW_MS + REPORT_BOUND_MS, interval: 200 }).toBe(1);
      // Not a false alarm while the page drew, and the page was alive all along (not a crash).
      expect(lost[0]!.reason).toMatch(/no program frame for \d+ s/);
      expect(lost[0]!.at - lastVideoAt).toBeGreaterThanOrEqual(FRAME_STALL_MS);
      expect(lost[0]!.at - lastVideoAt).toBeLessThan(REPORT_BOUND_MS);
    } finally {
      await capture.close();
    }
  }, 90_000);
});
