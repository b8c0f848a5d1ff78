// The producer's event console in real Chromium against the real controller, with a real output worker
// (built-in recorder: Chromium + ffmpeg) and export worker on the test's own queues: create an event with
// two destinations through the form and never see a key again, open the director from its crew card,
// field errors from the API, and record → stop → export → download the MP4 from the page.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_QUEUE, PROGRAM_OUTPUT_QUEUE, testSourceColour, type PitchsideEvent } from '../../protocol/index.ts';
import { findPage } from '../../controller/plugins/static-pages.ts';
import { loadConfig } from '../../runtime/config.ts';
import { BuiltinBackend } from '../../worker/builtin-backend.ts';
import { ExportWorker } from '../../worker/export/export-worker.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { colourDistance, hexToRgb } from '../helpers/template-page.ts';
import { testRedis, testRedisUrl } from '../helpers/redis.ts';
import { ADMIN_KEY, buildPages, EVENT_ID, POLL_MS, until, waitOnline, WebStack } from './web-stack.ts';
import { testLogger } from '../helpers/logger.ts';

const DESKTOP = { width: 1600, height: 1000 };
const YOUTUBE_KEY = 'yt-secret-abcd-efgh-1234-5678';
const TWITCH_KEY = 'live_987654321_TwItChSeCrEtKeY';
/** A still is a scaled JPEG of a solid test source: within a few levels of its colour. */
const STILL_TOLERANCE = 24;
/** Long enough for a recording with two takes and its export to be worth the name. */
const RECORD_MS = 4000;

const recordingsDir = mkdtempSync(join(tmpdir(), 'pitchside-console-rec-'));
const downloadsDir = mkdtempSync(join(tmpdir(), 'pitchside-console-dl-'));
let stack: WebStack;
let outputs: OutputWorker;
let exporter: ExportWorker;
let created: PitchsideEvent | null = null;

beforeAll(async () => {
  // `npm test` builds dist/ before the suite; a lone run of this file builds its own.
  stack = new WebStack(findPage(resolve('dist'), 'console') !== null ? resolve('dist') : await buildPages());
  await stack.start();
  outputs = new OutputWorker({
    log: testLogger('output'),
    redisUrl: testRedisUrl(),
    keys: stack.app!.redisKeys,
    backends: { builtin: new BuiltinBackend({ recordingsDir }) },
  });
  await outputs.start();
  exporter = new ExportWorker({
    log: testLogger('export'),
    redisUrl: testRedisUrl(),
    keys: stack.app!.redisKeys,
    readLog: (id, range) => stack.app!.switchLog.query(id, range),
  });
  await exporter.start();
}, 300_000);

afterAll(async () => {
  await exporter?.close();
  await outputs?.close();
  await stack?.close();
  for (const name of stack?.app === null || stack === undefined ? [] : [PROGRAM_OUTPUT_QUEUE, EXPORT_QUEUE]) {
    const queue = new Queue(name, { connection: testRedis(), prefix: stack.app!.redisKeys.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  const dataDir = resolve(loadConfig().PITCHSIDE_DATA_DIR);
  for (const id of [EVENT_ID, created?.id ?? EVENT_ID])
    for (const what of ['exports', 'frames']) rmSync(join(dataDir, what, id), { recursive: true, force: true });
  rmSync(recordingsDir, { recursive: true, force: true });
  rmSync(downloadsDir, { recursive: true, force: true });
}, 60_000);

async function openConsole(query: string): Promise<Page> {
  const page = await stack.browser!.newPage();
  await page.setViewport(DESKTOP);
  page.on('pageerror', (error) => console.error('[pageerror admin]', error));
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${stack.origin}/console${query}#key=${ADMIN_KEY}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 20_000, polling: POLL_MS });
  return page;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.origin}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** Everything a page can show or hold: its markup plus the live values of its inputs. */
async function pageText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      document.documentElement.outerHTML +
      [...document.querySelectorAll('input, textarea, select')].map((e) => (e as HTMLInputElement).value).join('\n'),
  );
}

/** Types into an input, replacing what it held. */
async function fill(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  if (text !== '') await page.type(selector, text);
}

describe('event console', () => {
  it('creates an event with two destinations through the form; no key comes back; the director card opens the director', async () => {
    const bodies: string[] = [];
    const page = await stack.browser!.newPage();
    await page.setViewport(DESKTOP);
    page.on('response', (response: HTTPResponse) => {
      // Every answer the page gets, bundles included: a key must be in none of them.
      if (response.request().method() !== 'OPTIONS')
        void response.text().then(
          (t) => bodies.push(t),
          () => {},
        );
    });
    await page.goto(`${stack.origin}/console?new#key=${ADMIN_KEY}`, { waitUntil: 'load' });
    await page.waitForSelector('#event-form');
    // The key left the address bar for the tab's session.
    expect(page.url()).not.toContain(ADMIN_KEY);

    await page.type('#event-name-input', 'Derby day');
    await page.select('#event-sport', 'basketball');
    await page.type('#home-name', 'Reds');
    await fill(page, '#home-colour', '#aa0000');
    await page.type('#away-name', 'Blues');
    await page.type('#away-short', 'blu');
    await page.click('#add-destination');
    await page.click('#add-destination');
    const rows = await page.$$('.destination-row');
    expect(rows).toHaveLength(2);
    await (await rows[0]!.$('.dest-key'))!.type(YOUTUBE_KEY);
    await (await rows[1]!.$('.dest-service'))!.select('twitch');
    await (await rows[1]!.$('.dest-server'))!.select('rtmp://fra05.contribute.live-video.net/app');
    await (await rows[1]!.$('.dest-key'))!.type(TWITCH_KEY);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { polling: POLL_MS });
    await waitOnline(page);

    const eventId = new URL(page.url()).searchParams.get('event');
    expect(eventId).toMatch(/^derby-day-/);
    created = await api<PitchsideEvent>(`/api/events/${eventId}`);
    expect(created.rules.scoreSteps).toEqual([1, 2, 3]);
    expect(created.home).toEqual({ name: 'Reds', colour: '#aa0000' });
    expect(created.away.short).toBe('BLU');
    expect(created.destinations).toMatchObject([
      { id: 'youtube', kind: 'youtube', label: 'YouTube' },
      { id: 'twitch', kind: 'twitch', label: 'Twitch', serverUrl: 'rtmp://fra05.contribute.live-video.net/app' },
    ]);
    for (const [d, key] of created.destinations.map((d, i) => [d, [YOUTUBE_KEY, TWITCH_KEY][i]!] as const))
      expect(d.streamKeyMasked).not.toContain(key.slice(-4));

    // The crew tab is where a new event lands; its director card has the link, a QR code and copy.
    const link = await page.waitForSelector('.crew-card[data-card="director"][data-ready="true"] a.crew-link');
    const href = await link!.evaluate((a) => a.href);
    expect(new URL(href).searchParams.get('event')).toBe(eventId);
    await page.waitForFunction(
      () =>
        (document.querySelector<HTMLImageElement>('.crew-card[data-card="director"] img.crew-qr')?.naturalWidth ?? 0) >
        0,
      { polling: POLL_MS },
    );
    // Setup and Live tabs too, so every answer the console gets for this event is captured.
    await page.click('#tab-setup');
    await page.waitForSelector('.destination-row .dest-key');
    await page.click('#tab-live');
    await page.waitForSelector('.output-row[data-output="twitch"]');
    for (const key of [YOUTUBE_KEY, TWITCH_KEY]) {
      expect(await pageText(page)).not.toContain(key);
      expect(bodies.some((b) => b.includes(key))).toBe(false);
    }
    expect(bodies.length).toBeGreaterThan(10);

    const opened = new Promise<Page>((resolvePage) =>
      stack.browser!.once('targetcreated', (target) => void target.page().then((p) => resolvePage(p!))),
    );
    await page.click('#tab-crew');
    await page.click('.crew-card[data-card="director"] a.crew-link');
    const director = await opened;
    await waitOnline(director);
    expect(new URL(director.url()).pathname).toBe('/director');
    await director.waitForFunction(
      (name) => document.querySelector('#event-name')?.textContent === name,
      {
        polling: POLL_MS,
      },
      'Derby day',
    );
    await director.close();
    await page.close();
  }, 120_000);

  it('shows the API’s refusal next to the field it names, and a refused save changes nothing', async () => {
    expect(created).not.toBeNull();
    const page = await openConsole(`?event=${created!.id}&tab=setup`);
    await fill(page, '#home-colour', '#12345');
    await page.click('#save-event');
    await page.waitForSelector('.field[data-field="/home/colour"][data-error]');
    const message = await page.$eval('.field[data-field="/home/colour"] .field-message', (e) => e.textContent ?? '');
    expect(message).not.toBe('');
    // The focus is on the field to fix.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('home-colour');
    expect((await api<PitchsideEvent>(`/api/events/${created!.id}`)).home.colour).toBe('#aa0000');

    await fill(page, '#home-colour', '#00aa00');
    await page.click('#add-destination');
    await page.click('#save-event');
    await page.waitForSelector('.field[data-field="/destinations/2/streamKey"][data-error]');
    expect(await page.$('.field[data-field="/home/colour"][data-error]')).toBeNull();
    const after = await api<PitchsideEvent>(`/api/events/${created!.id}`);
    expect(after.destinations).toHaveLength(2);
    expect(after.home.colour).toBe('#aa0000');
    await page.close();
  }, 60_000);

  it('a new director key or join code: the card shows the new link and the old one stops working', async () => {
    expect(created).not.toBeNull();
    const page = await openConsole(`?event=${created!.id}&tab=crew`);
    const linkOf = (card: string) => page.$eval(`.crew-card[data-card="${card}"] a.crew-link`, (a) => a.href);
    await page.waitForSelector('.crew-card[data-card="director"][data-ready="true"]');
    await page.waitForSelector('.crew-card[data-card="camera"][data-ready="true"]');
    const [oldDirector, oldJoin] = [await linkOf('director'), await linkOf('camera')];
    const oldKey = new URLSearchParams(new URL(oldDirector).hash.slice(1)).get('key')!;

    await page.click('.crew-card[data-card="director"] button.rotate');
    await page.waitForFunction(
      (old) =>
        (document.querySelector('.crew-card[data-card="director"] a.crew-link') as HTMLAnchorElement).href !== old,
      { polling: POLL_MS },
      oldDirector,
    );
    const newKey = new URLSearchParams(new URL(await linkOf('director')).hash.slice(1)).get('key')!;
    const me = (key: string) =>
      fetch(`${stack.origin}/api/me`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await me(oldKey)).toBe(401);
    expect(await me(newKey)).toBe(200);

    await page.click('.crew-card[data-card="camera"] button.rotate');
    await page.waitForFunction(
      (old) => (document.querySelector('.crew-card[data-card="camera"] a.crew-link') as HTMLAnchorElement).href !== old,
      { polling: POLL_MS },
      oldJoin,
    );
    const join = (code: string) =>
      fetch(`${stack.origin}/api/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      }).then((r) => r.status);
    expect(await join(new URL(oldJoin).searchParams.get('code')!)).toBeGreaterThanOrEqual(400);
    expect(await join(new URL(await linkOf('camera')).searchParams.get('code')!)).toBe(200);
    await page.close();
  }, 60_000);

  it('records, stops, exports and downloads the MP4 from the page; the switch log shows stills of the takes', async () => {
    await stack.command({ type: 'program.take', source: 'camera-1', transition: { type: 'cut' } });
    const page = await openConsole(`?event=${EVENT_ID}&tab=live`);
    await waitOnline(page);
    await clickNow(page, '.output-row[data-output="recording"] button.go');
    await page.waitForSelector('.output-row[data-output="recording"][data-state="live"]', { timeout: 60_000 });
    const liveAt = Date.now();
    await stack.command({ type: 'program.take', source: 'camera-2', transition: { type: 'cut' } });
    await until('the recording to run a while', async () => Date.now() - liveAt >= RECORD_MS, RECORD_MS + 5000);
    await clickNow(page, '.output-row[data-output="recording"] button.danger');
    await page.waitForSelector('#recording-list .recording-item', { timeout: 60_000 });

    await page.click('#recording-list .export-button');
    // The export runs niced (live outputs keep their cores): beside another browser test on two cores it can
    // take minutes, so the wait is generous; a stuck export still fails it.
    const mp4 = await page.waitForSelector('a.download[data-download="mp4"]', { timeout: 180_000 });
    for (const file of ['poster', 'thumbnails', 'edl', 'chapters'])
      expect(await page.$(`a.download[data-download="${file}"]`), file).not.toBeNull();

    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloadsDir });
    await mp4!.click();
    const file = await until(
      'the MP4 download',
      async () => {
        const done = readdirSync(downloadsDir).find((f) => f.endsWith('.mp4'));
        return done !== undefined && !existsSync(join(downloadsDir, `${done}.crdownload`)) ? done : null;
      },
      30_000,
    );
    expect(statSync(join(downloadsDir, file)).size).toBeGreaterThan(10_000);
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        join(downloadsDir, file),
      ]).toString(),
    ) as { format: { duration: string }; streams: { codec_type: string }[] };
    expect(probe.streams.some((s) => s.codec_type === 'video')).toBe(true);
    expect(Number(probe.format.duration)).toBeGreaterThan(2);

    // The take to camera-2 falls inside the recording: its still shows camera-2's colour.
    const still = await page.waitForSelector('#take-strip .take[data-source="camera-2"] .take-still img', {
      timeout: 30_000,
    });
    await still!.evaluate((img) => img.decode());
    const rgb = await still!.evaluate((img) => {
      const image = img;
      const canvas = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
      const g = canvas.getContext('2d')!;
      g.drawImage(image, 0, 0);
      // The left-centre of the frame: clear of the scorebug, PiP and lower third.
      const d = g.getImageData(Math.round(image.naturalWidth * 0.1), Math.round(image.naturalHeight * 0.5), 8, 8).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c += 1) sum[c]! += d[i + c]!;
      return sum.map((v) => Math.round(v / (d.length / 4))) as [number, number, number];
    });
    expect(colourDistance(rgb, hexToRgb(testSourceColour(2)))).toBeLessThanOrEqual(STILL_TOLERANCE);
    await page.close();
  }, 360_000);
});

/**
 * Clicks in one step inside the page: the outputs list is redrawn on every outputs frame, so a handle found by
 * one CDP call can be detached by the time a second one clicks it.
 */
async function clickNow(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector, { timeout: 20_000 });
  await page.$eval(selector, (button) => (button as HTMLButtonElement).click());
}
