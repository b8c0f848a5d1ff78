// Driving the program template in real Chromium: open it, wait until it has a picture, and read real
// pixels of the program canvas (a copy through a 2D canvas, so it works for any renderer).
import type { Browser, Frame, Page } from 'puppeteer-core';
import { CHECK_REGION, type FrameInfo, type FrameStats, type ProgramState } from '../../protocol/index.ts';

export type Rgb = [number, number, number];

export interface RegionSample {
  mean: Rgb;
  min: Rgb;
  max: Rgb;
  frame: FrameInfo;
}

/** A normalised rectangle of the output frame. */
export interface NormalisedRect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export async function openTemplate(browser: Browser, url: string, size = { width: 1280, height: 720 }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport(size);
  page.on('pageerror', (error) => console.error('[template pageerror]', error));
  await page.goto(url, { waitUntil: 'load' });
  await waitReady(page);
  return page;
}

export async function waitReady(page: Page | Frame): Promise<void> {
  await page.waitForFunction(() => window.pitchside !== undefined, { timeout: 20_000 });
  await page.evaluate(() => window.pitchside?.ready);
}

/** Mean, min and max colour of a region, with what the frame it came from showed. */
export async function sampleRegion(page: Page | Frame, rect: NormalisedRect = CHECK_REGION): Promise<RegionSample> {
  return page.evaluate((r) => {
    const api = window.pitchside;
    if (api === undefined) throw new Error('no window.pitchside');
    const source = api.canvas;
    const x = Math.round(r.x0 * source.width);
    const y = Math.round(r.y0 * source.height);
    const w = Math.max(1, Math.round((r.x1 - r.x0) * source.width));
    const h = Math.max(1, Math.round((r.y1 - r.y0) * source.height));
    const copy = document.createElement('canvas');
    copy.width = w;
    copy.height = h;
    const g = copy.getContext('2d', { willReadFrequently: true });
    if (g === null) throw new Error('no 2D context');
    g.drawImage(source, x, y, w, h, 0, 0, w, h);
    const data = g.getImageData(0, 0, w, h).data;
    const sum = [0, 0, 0];
    const min = [255, 255, 255];
    const max = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) {
      for (let c = 0; c < 3; c += 1) {
        const v = data[i + c] ?? 0;
        sum[c] = (sum[c] ?? 0) + v;
        min[c] = Math.min(min[c] ?? 255, v);
        max[c] = Math.max(max[c] ?? 0, v);
      }
    }
    const n = data.length / 4;
    return {
      mean: sum.map((s) => Math.round(s / n)),
      min,
      max,
      frame: api.frame(),
    } as unknown as {
      mean: [number, number, number];
      min: [number, number, number];
      max: [number, number, number];
      frame: FrameInfo;
    };
  }, rect);
}

export function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** Sample until the region is uniformly `hex` (within tolerance); returns the frames it took. */
export async function waitForRegionColour(
  page: Page | Frame,
  hex: string,
  rect: NormalisedRect = CHECK_REGION,
  timeoutMs = 5000,
  tolerance = 3,
): Promise<RegionSample> {
  const want = hexToRgb(hex);
  const deadline = Date.now() + timeoutMs;
  let last: RegionSample | null = null;
  while (Date.now() < deadline) {
    last = await sampleRegion(page, rect);
    if (colourDistance(last.min, want) <= tolerance && colourDistance(last.max, want) <= tolerance) return last;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(
    `region never became ${hex}: last mean ${JSON.stringify(last?.mean)} min ${JSON.stringify(last?.min)} max ${JSON.stringify(last?.max)}`,
  );
}

export async function pageStats(page: Page): Promise<FrameStats> {
  return page.evaluate(() => {
    if (window.pitchside === undefined) throw new Error('no window.pitchside');
    return window.pitchside.stats();
  });
}

export async function pageFrame(page: Page | Frame): Promise<FrameInfo> {
  return page.evaluate(() => {
    if (window.pitchside === undefined) throw new Error('no window.pitchside');
    return window.pitchside.frame();
  });
}

/** Wait until the page shows at least this revision. */
export async function waitForRevision(page: Page, revision: number, timeoutMs = 5000): Promise<FrameInfo> {
  await page.waitForFunction(
    (r) => (window.pitchside?.frame().revision ?? -1) >= r,
    { timeout: timeoutMs, polling: 'raf' },
    revision,
  );
  return pageFrame(page);
}

/** Wait until the page has drawn a frame for at least this server time (a point in a transition). */
export async function waitForServerTime(page: Page, serverTime: number, timeoutMs = 10_000): Promise<FrameInfo> {
  await page.waitForFunction(
    (t) => (window.pitchside?.frame().serverNow ?? 0) >= t,
    { timeout: timeoutMs, polling: 'raf' },
    serverTime,
  );
  return pageFrame(page);
}

/** Wait until the page has rendered `count` more frames than now. */
export async function waitForFrames(page: Page | Frame, count: number, timeoutMs = 10_000): Promise<FrameInfo> {
  const start = (await pageFrame(page)).index;
  await page.waitForFunction(
    (target) => (window.pitchside?.frame().index ?? -1) >= target,
    { timeout: timeoutMs, polling: 'raf' },
    start + count,
  );
  return pageFrame(page);
}

/**
 * The region's pixels once they stop changing (an animation such as a fade or a score flash has ended):
 * equal across a few rendered frames. `capture` reads the pixels (a screenshot, a canvas copy).
 */
export async function steadyPixels<T>(page: Page | Frame, capture: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let previous = await capture();
  while (Date.now() < deadline) {
    await waitForFrames(page, STEADY_FRAMES);
    const next = await capture();
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
  throw new Error(`pixels still changing after ${timeoutMs} ms`);
}
/** Frames a region must stay the same to count as steady (a 30 fps animation moves every frame). */
const STEADY_FRAMES = 4;

export interface ProgramSpectrum {
  /** dB per FFT bin of the program audio (window.pitchside.capture.audio) over ~400 ms. */
  bins: number[];
  /** Width of one bin in Hz. */
  binHz: number;
}

/** Bins at or below this are silence. */
export const SPECTRUM_FLOOR_DB = -1000;

/** The program audio's spectrum, read with an AnalyserNode tapped onto the page's capture node. */
export async function programSpectrum(page: Page, fftSize = 8192): Promise<ProgramSpectrum> {
  return page.evaluate(
    async (size, floorDb) => {
      const node = window.pitchside?.capture.audio;
      if (node === undefined) throw new Error('no page api');
      const analyser = new AnalyserNode(node.context, { fftSize: size });
      node.connect(analyser);
      await new Promise((r) => setTimeout(r, 400));
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      node.disconnect(analyser);
      // Silence reads -Infinity dB, which does not survive the trip out of the page: floor it.
      return { bins: Array.from(bins, (v) => Math.max(v, floorDb)), binHz: node.context.sampleRate / size };
    },
    fftSize,
    SPECTRUM_FLOOR_DB,
  );
}

/** One frame the page drew: the server time it drew for and the colour at a point (the check region's centre). */
export interface DrawnFrame {
  serverNow: number;
  rgb: Rgb;
}

declare global {
  interface Window {
    __drawn?: DrawnFrame[];
  }
}

/**
 * Records, in the page, every newly drawn frame's server time and the colour at the centre of `rect` (polled
 * on requestAnimationFrame, so no frame is missed); read them with drawnFrames. A second call starts afresh.
 */
export async function recordDrawnFrames(page: Page, rect: NormalisedRect = CHECK_REGION): Promise<void> {
  await page.evaluate((region) => {
    const api = window.pitchside;
    if (api === undefined) throw new Error('no window.pitchside');
    const drawn: DrawnFrame[] = [];
    window.__drawn = drawn;
    const probe = document.createElement('canvas');
    probe.width = 1;
    probe.height = 1;
    const g = probe.getContext('2d', { willReadFrequently: true });
    let last = -1;
    const tick = (): void => {
      if (window.__drawn !== drawn) return;
      const frame = api.frame();
      if (frame.index !== last && g !== null) {
        last = frame.index;
        const source = api.canvas;
        const x = Math.round(((region.x0 + region.x1) / 2) * source.width);
        const y = Math.round(((region.y0 + region.y1) / 2) * source.height);
        g.drawImage(source, x, y, 1, 1, 0, 0, 1, 1);
        const d = g.getImageData(0, 0, 1, 1).data;
        drawn.push({ serverNow: frame.serverNow, rgb: [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0] });
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, rect);
}

export async function drawnFrames(page: Page): Promise<DrawnFrame[]> {
  return page.evaluate(() => window.__drawn ?? []);
}

export type { ProgramState };
