// The embedded stack for operator-page tests: the pages built once per run into a private dist, the real
// controller app listening on a fixed port (so a "restart" is a new app on the same address and Redis
// prefix), one event with test sources camera-1..camera-4 and its role keys, and real Chromium.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../controller/app.ts';
import type { LiveKitSettings } from '../../controller/services/livekit-bridge.ts';
import { testSources, type EventRole, type ProgramState } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { loadConfig } from '../../runtime/config.ts';
import { freePort } from '../../runtime/free-port.ts';
import { freshPrefix, testRedisUrl } from '../helpers/redis.ts';

export const EVENT_ID = 'web-match';
/**
 * waitForFunction polls by requestAnimationFrame by default, and a page that is not in front gets no
 * animation frames: poll on a timer so that pages in the background are checked too.
 */
export const POLL_MS = 100;
export const ADMIN_KEY = 'psadm_web-test-admin-key-0123456789';

/** Builds every page (template + operator pages) into a fresh directory, as `vite build` does for dist/. */
export async function buildPages(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'pitchside-web-'));
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** The test file's stack, started before its tests and closed after them: `suite.stack` inside a test. */
export function useWebStack(): { readonly stack: WebStack } {
  let stack: WebStack | undefined;
  beforeAll(async () => {
    stack = new WebStack(await buildPages());
    await stack.start();
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });
  return {
    get stack(): WebStack {
      if (stack === undefined) throw new Error('The web stack is used before beforeAll started it.');
      return stack;
    },
  };
}

export class WebStack {
  app: FastifyInstance | null = null;
  keys = {} as Record<EventRole, string>;
  browser: Browser | null = null;
  readonly #prefix = freshPrefix('web');
  /** Files the controller keeps (logos): a temp dir per stack. */
  readonly dataDir = mkdtempSync(join(tmpdir(), 'pitchside-web-data-'));
  #port = 0;

  constructor(
    private readonly distDir: string,
    /** LiveKit for the controller (tests point it at the Twirp stub); none by default. */
    private readonly livekit: LiveKitSettings | null = null,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    this.#port = await freePort();
    await this.#listen();
    const app = this.app!;
    await app.events.create(
      {
        id: EVENT_ID,
        name: 'Web test match',
        sport: 'football',
        home: { name: 'Home Town' },
        away: { name: 'Away United' },
      },
      { sources: testSources(4) },
    );
    for (const key of await app.apiKeys.ensureEventKeys(EVENT_ID)) this.keys[key.role] = key.key;
    this.browser = await launchChromium({ width: 1920, height: 1080 });
  }

  /** Stops the controller, then starts a new one on the same address and Redis prefix. */
  async restart(downMs = 500): Promise<void> {
    await this.app?.close();
    this.app = null;
    await new Promise((r) => setTimeout(r, downMs));
    await this.#listen();
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await this.app?.close();
  }

  pageUrl(page: 'director' | 'graphics' | 'watch', role: EventRole, extra = ''): string {
    return `${this.origin}/${page}?event=${EVENT_ID}&key=${encodeURIComponent(this.keys[role])}${extra}`;
  }

  async open(url: string, size: { width: number; height: number }): Promise<Page> {
    const page = await this.browser!.newPage();
    await page.setViewport(size);
    page.on('pageerror', (error) => console.error(`[pageerror ${url.split('?')[0]}]`, error));
    await page.goto(url, { waitUntil: 'load' });
    await waitOnline(page);
    return page;
  }

  async command(body: object, role: EventRole = 'director'): Promise<ProgramState> {
    const response = await fetch(`${this.origin}/api/events/${EVENT_ID}/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.keys[role]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { state: ProgramState };
    if (!response.ok)
      throw new Error(`command ${JSON.stringify(body)}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json.state;
  }

  async state(): Promise<ProgramState> {
    const response = await fetch(`${this.origin}/api/events/${EVENT_ID}/state`, {
      headers: { authorization: `Bearer ${this.keys.director}` },
    });
    return ((await response.json()) as { state: ProgramState }).state;
  }

  async #listen(): Promise<void> {
    const app = await buildApp({
      config: loadConfig({ PORT: this.#port, LOG_LEVEL: 'silent', PITCHSIDE_DATA_DIR: this.dataDir }, {}),
      redisUrl: testRedisUrl(),
      adminKey: ADMIN_KEY,
      keyPrefix: this.#prefix,
      distDir: this.distDir,
      livekit: this.livekit,
      logger: false,
      authFailureLimit: 10_000,
    });
    await app.listen({ port: this.#port, host: '127.0.0.1' });
    this.app = app;
  }
}

/** The page's own connection badge says it is live (the snapshot has arrived). */
export async function waitOnline(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.connection === 'online', {
    timeout: timeoutMs,
    polling: POLL_MS,
  });
}

/** Waits until the template inside an iframe of the page has rendered. */
export async function waitTemplateIn(page: Page, titlePart: string): Promise<void> {
  const handle = await page.waitForSelector(`iframe[title*="${titlePart}"]`);
  const frame = await handle!.contentFrame();
  await frame.waitForFunction(() => window.pitchside !== undefined, { timeout: 20_000, polling: POLL_MS });
  await frame.evaluate(() => window.pitchside?.ready);
}

export type Rgba = Uint8ClampedArray;

/** Pixels of a normalised region of an element as Chromium composites it on screen (a real screenshot). */
export async function screenRegion(
  page: Page,
  selector: string,
  rect: { x0: number; x1: number; y0: number; y1: number },
): Promise<number[]> {
  const element = await page.$(selector);
  const box = await element?.boundingBox();
  if (box === null || box === undefined) throw new Error(`no box for ${selector}`);
  const clip = {
    x: box.x + rect.x0 * box.width,
    y: box.y + rect.y0 * box.height,
    width: Math.max(1, (rect.x1 - rect.x0) * box.width),
    height: Math.max(1, (rect.y1 - rect.y0) * box.height),
  };
  const png = await page.screenshot({ clip, encoding: 'base64' });
  return page.evaluate(async (b64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${b64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const g = canvas.getContext('2d')!;
    g.drawImage(image, 0, 0);
    return Array.from(g.getImageData(0, 0, image.width, image.height).data);
  }, png);
}

export function meanRgb(pixels: number[]): [number, number, number] {
  const sum = [0, 0, 0];
  for (let i = 0; i < pixels.length; i += 4) for (let c = 0; c < 3; c += 1) sum[c]! += pixels[i + c]!;
  const n = pixels.length / 4;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n].map(Math.round) as [number, number, number];
}

/** Share of pixels whose colour moved by more than `threshold` on any channel. */
export function changedShare(a: number[], b: number[], threshold = 40): number {
  let changed = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i += 4) {
    if (Math.max(Math.abs(a[i]! - b[i]!), Math.abs(a[i + 1]! - b[i + 1]!), Math.abs(a[i + 2]! - b[i + 2]!)) > threshold)
      changed += 1;
  }
  return changed / (a.length / 4);
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out waiting for ${what}${last === null ? '' : `: ${last instanceof Error ? last.message : JSON.stringify(last)}`}`,
  );
}
