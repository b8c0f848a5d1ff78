// Issue 22, hole 13: keys in URLs that get logged or cached. Operator links are taken as a person would (the
// console's crew links, a commentary seat's link from the API) and opened in a real Chromium; every request
// the pages make (their frames included) and every WebSocket they open is recorded from the browser's own
// network events, and none carries a key in its URL (the fragment is never sent) or in a Referer header.
// The pages still work (socket online, state in), and the key is gone from the address bar. Downloads go by
// a signed URL that works for its path alone, until it expires or its key is replaced.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import {
  EXPORT_FILES,
  SIGNED_URL_PARAMS,
  SIGNED_URL_TTL_MS,
  type SeatView,
  type SignedUrlAnswer,
} from '../../protocol/index.ts';
import { until } from '../worker/helpers.ts';
import { ADMIN_KEY, EVENT_ID, POLL_MS, useWebStack, waitOnline, waitTemplateIn } from '../web/web-stack.ts';

const suite = useWebStack();
const EXPORT_JOB = 'export-keys-in-urls';
const MP4_BYTES = Buffer.from('not really an mp4, but the bytes of one export file');

interface Wire {
  /** Every request URL as sent (CDP keeps the fragment apart: it never leaves the browser). */
  urls: string[];
  /** page.on('request') URLs, fragment cut off the same way. */
  pageRequests: string[];
  referers: string[];
  sockets: string[];
  socketHeaders: Record<string, string>[];
}

/** Records what the page puts on the wire from now on. */
async function recordWire(page: Page): Promise<Wire> {
  const wire: Wire = { urls: [], pageRequests: [], referers: [], sockets: [], socketHeaders: [] };
  page.on('request', (request) => {
    wire.pageRequests.push(request.url().split('#')[0] ?? '');
    const referer = request.headers()['referer'];
    if (referer !== undefined) wire.referers.push(referer);
  });
  const cdp: CDPSession = await page.createCDPSession();
  cdp.on('Network.requestWillBeSent', (event) => wire.urls.push(event.request.url));
  // The headers as they went out (Referer is added below the page: only this event sees it for sure).
  cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
    const referer = Object.entries(event.headers).find(([name]) => name.toLowerCase() === 'referer')?.[1];
    if (typeof referer === 'string') wire.referers.push(referer);
  });
  cdp.on('Network.webSocketCreated', (event) => wire.sockets.push(event.url));
  cdp.on('Network.webSocketWillSendHandshakeRequest', (event) =>
    wire.socketHeaders.push(event.request.headers as Record<string, string>),
  );
  await cdp.send('Network.enable');
  return wire;
}

/** No URL that left the browser and no Referer holds the key, as written or URL-encoded. */
function expectNoKey(wire: Wire, key: string): void {
  const forms = [key, encodeURIComponent(key)];
  const leaks = (values: string[]): string[] => values.filter((v) => forms.some((form) => v.includes(form)));
  expect(wire.urls.length).toBeGreaterThan(0);
  expect(leaks(wire.urls)).toEqual([]);
  expect(leaks(wire.pageRequests)).toEqual([]);
  expect(leaks(wire.referers)).toEqual([]);
  expect(leaks(wire.sockets)).toEqual([]);
  const referers = wire.socketHeaders.flatMap((h) => Object.entries(h).filter(([n]) => n.toLowerCase() === 'referer'));
  expect(leaks(referers.map(([, v]) => v))).toEqual([]);
}

async function openPage(url: string): Promise<{ page: Page; wire: Wire }> {
  const page = await suite.stack.browser!.newPage();
  await page.setViewport({ width: 1600, height: 900 });
  page.on('pageerror', (error) => console.error('[keys-in-urls pageerror]', error));
  const wire = await recordWire(page);
  await page.goto(url, { waitUntil: 'load' });
  return { page, wire };
}

function api(path: string, key: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${suite.stack.origin}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
  });
}

/** The link as this test's host serves it (the controller's device address may be another). */
function onTestHost(link: string): string {
  const url = new URL(link);
  return `${suite.stack.origin}${url.pathname}${url.search}${url.hash}`;
}

describe('keys stay out of URLs', () => {
  it('operator links carry the key in the fragment only; the pages work and keep it off the wire and the address bar', async () => {
    const { stack } = suite;

    // The producer opens the console's crew links (the admin key in the fragment, as `npm start` prints it).
    const { page: console_, wire: consoleWire } = await openPage(
      `${stack.origin}/console?event=${EVENT_ID}&tab=crew#key=${ADMIN_KEY}`,
    );
    const directorCard = await console_.waitForSelector('[data-card="director"][data-ready="true"] a.crew-link');
    const directorLink = await directorCard!.evaluate((a) => a.href);
    expect(new URL(directorLink).search).not.toContain(stack.keys.director);
    expect(new URLSearchParams(new URL(directorLink).hash.slice(1)).get('key')).toBe(stack.keys.director);
    expect(console_.url()).not.toContain(ADMIN_KEY);
    expectNoKey(consoleWire, ADMIN_KEY);
    await console_.close();

    // The director opens that link: the page and its program/preview templates connect, state arrives.
    const { page: director, wire: directorWire } = await openPage(directorLink);
    await waitOnline(director);
    await waitTemplateIn(director, 'Program output');
    await waitTemplateIn(director, 'Preview');
    expect(director.url()).toBe(`${stack.origin}/director?event=${EVENT_ID}`);
    // The page's own socket and one per template, each authenticated without the key in its URL.
    await until(() => directorWire.sockets.length >= 3, 15_000, 'the director page and its templates connect');
    expectNoKey(directorWire, stack.keys.director);
    // A reload (the key is no longer in the address bar) still works: this tab kept it.
    await director.reload({ waitUntil: 'load' });
    await waitOnline(director);
    expectNoKey(directorWire, stack.keys.director);
    await director.close();

    // A commentary seat's link, from the API as the director's Commentary card shows it.
    const created = await api(`/api/events/${EVENT_ID}/commentary`, stack.keys.director, {
      method: 'POST',
      body: JSON.stringify({ label: 'Booth one' }),
    });
    expect(created.status).toBe(201);
    const seat = ((await created.json()) as { seat: SeatView }).seat;
    const seatKey = new URLSearchParams(new URL(seat.url ?? '').hash.slice(1)).get('key') ?? '';
    expect(seatKey).toMatch(/^psseat_/);
    expect(new URL(seat.url ?? '').search).toBe(`?event=${EVENT_ID}`);
    const { page: booth, wire: boothWire } = await openPage(onTestHost(seat.url ?? ''));
    await waitOnline(booth);
    await booth.waitForFunction(() => document.querySelector('#seat-label')?.textContent === 'Booth one', {
      timeout: 15_000,
      polling: POLL_MS,
    });
    expect(booth.url()).toBe(`${stack.origin}/commentary?event=${EVENT_ID}`);
    expectNoKey(boothWire, seatKey);
    await booth.close();
  });

  it('an older ?key= link still opens, leaves the address bar at once and leaks into no Referer', async () => {
    const { stack } = suite;
    const { page, wire } = await openPage(
      `${stack.origin}/graphics?event=${EVENT_ID}&key=${encodeURIComponent(stack.keys.graphics)}`,
    );
    await waitOnline(page);
    expect(page.url()).toBe(`${stack.origin}/graphics?event=${EVENT_ID}`);
    // The link itself was asked for with the key (that is what an old link is); nothing after it was.
    expectNoKey({ ...wire, urls: wire.urls.slice(1), pageRequests: wire.pageRequests.slice(1) }, stack.keys.graphics);
    await page.close();
    const response = await fetch(`${stack.origin}/graphics?event=${EVENT_ID}`);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('a download goes by a signed URL that works for its path until it expires or its key is replaced', async () => {
    const { stack } = suite;
    const exportDir = join(stack.dataDir, 'exports', EVENT_ID, EXPORT_JOB);
    mkdirSync(exportDir, { recursive: true });
    writeFileSync(join(exportDir, EXPORT_FILES.video), MP4_BYTES);
    const path = `/api/events/${EVENT_ID}/exports/${EXPORT_JOB}/${EXPORT_FILES.video}`;

    // The console's download link: a click asks for a signed URL and the browser downloads from it.
    const downloads = mkdtempSync(join(tmpdir(), 'pitchside-downloads-'));
    const browserCdp = await stack.browser!.target().createCDPSession();
    const begun: { guid: string; url: string }[] = [];
    const done = new Set<string>();
    browserCdp.on('Browser.downloadWillBegin', (event) => begun.push({ guid: event.guid, url: event.url }));
    browserCdp.on('Browser.downloadProgress', (event) => {
      if (event.state === 'completed') done.add(event.guid);
    });
    await browserCdp.send('Browser.setDownloadBehavior', {
      behavior: 'allowAndName',
      downloadPath: downloads,
      eventsEnabled: true,
    });
    const { page, wire } = await openPage(`${stack.origin}/console?event=${EVENT_ID}&tab=live#key=${ADMIN_KEY}`);
    const link = await page.waitForSelector(`[data-export="${EXPORT_JOB}"] a[data-download="mp4"]`);
    expect(await link!.evaluate((a) => a.href)).toBe(`${stack.origin}${path}`);
    await link!.click();
    await until(() => begun.length === 1 && done.has(begun[0]!.guid), 15_000, 'the download completes');
    const signedUrl = begun[0]!.url;
    expect(readFileSync(join(downloads, begun[0]!.guid))).toEqual(MP4_BYTES);
    expect(new URL(signedUrl).pathname).toBe(path);
    expectNoKey(wire, ADMIN_KEY);
    await page.close();
    await browserCdp.detach();

    // The same URL from anywhere, without a key: the file.
    const fetched = await fetch(signedUrl);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(MP4_BYTES);

    const refused = async (url: string, code: string): Promise<void> => {
      const response = await fetch(url);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    };
    // Altered: the signature, the expiry or the path.
    const altered = new URL(signedUrl);
    const signature = altered.searchParams.get(SIGNED_URL_PARAMS.signature)!;
    altered.searchParams.set(SIGNED_URL_PARAMS.signature, `${signature.slice(0, -2)}AA`);
    await refused(altered.toString(), 'SIGNED_URL_INVALID');
    const later = new URL(signedUrl);
    later.searchParams.set(SIGNED_URL_PARAMS.expires, String(Date.now() + 10 * SIGNED_URL_TTL_MS));
    await refused(later.toString(), 'SIGNED_URL_INVALID');
    const elsewhere = new URL(signedUrl);
    elsewhere.pathname = `/api/events/${EVENT_ID}/exports/${EXPORT_JOB}/${EXPORT_FILES.poster}`;
    await refused(elsewhere.toString(), 'SIGNED_URL_INVALID');
    // Good for reading only.
    expect((await fetch(signedUrl, { method: 'DELETE' })).status).toBeGreaterThanOrEqual(400);

    // Expired: as the controller signed it, only past its time.
    const expired = await stack.app!.apiKeys.signUrl(
      { role: 'admin', eventId: null, keyId: 'admin' },
      path,
      Date.now() - 1,
    );
    await refused(`${stack.origin}${expired}`, 'SIGNED_URL_EXPIRED');

    // Signed by the director's key through the API; a new director key voids it.
    const signed = await api('/api/signed-urls', stack.keys.director, {
      method: 'POST',
      body: JSON.stringify({ path }),
    });
    expect(signed.status).toBe(200);
    const answer = (await signed.json()) as SignedUrlAnswer;
    expect(answer.expiresAt - Date.now()).toBeLessThanOrEqual(SIGNED_URL_TTL_MS);
    expect((await fetch(`${stack.origin}${answer.url}`)).status).toBe(200);
    const bad = await api('/api/signed-urls', stack.keys.director, {
      method: 'POST',
      body: JSON.stringify({ path: 'https://elsewhere.example/api/x' }),
    });
    expect(bad.status).toBe(400);
    const rotated = await api(`/api/events/${EVENT_ID}/keys/director/rotate`, ADMIN_KEY, { method: 'POST' });
    expect(rotated.status).toBe(200);
    stack.keys.director = ((await rotated.json()) as { key: string }).key;
    await refused(`${stack.origin}${answer.url}`, 'SIGNED_URL_INVALID');
  });
});
