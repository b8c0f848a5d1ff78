// The watch page's chat against the real controller in Chromium: two viewers (separate browser profiles)
// exchange messages; markup arrives as text; a director deletes a message (gone for both), blocks a viewer
// session and sets slow mode; the rate limit holds on the viewer WebSocket.
import type { BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CHAT_RATE_LIMIT, type ServerMessage } from '../../protocol/index.ts';
import { EVENT_ID, POLL_MS, WebStack, buildPages, waitOnline } from './web-stack.ts';

const MARKUP = '<img src=x onerror="window.__chatXss=1"><b>bold</b><script>window.__chatXss=2</script>';
const WAIT_MS = 15_000;

let stack: WebStack;
const contexts: BrowserContext[] = [];

/** A watch page in its own browser profile (its own chat secret, as another person's browser). */
async function watchPage(role: 'viewer' | 'director'): Promise<Page> {
  const context = await stack.browser!.createBrowserContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  page.on('pageerror', (error) => console.error('[watch pageerror]', error));
  await page.goto(stack.pageUrl('watch', role), { waitUntil: 'load' });
  await waitOnline(page);
  await page.waitForSelector('#chat-form', { timeout: WAIT_MS });
  return page;
}

async function say(page: Page, name: string, text: string): Promise<void> {
  await page.$eval('#chat-name', (e, v) => ((e as HTMLInputElement).value = v), name);
  await page.$eval('#chat-text', (e, v) => ((e as HTMLInputElement).value = v), text);
  await page.click('#chat-send');
}

/** The chat's messages as [author, text] pairs, as the page shows them. */
async function shown(page: Page): Promise<string[][]> {
  return page.$$eval('#chat-messages li', (items) =>
    items.map((li) => [
      li.querySelector('.chat-author')?.textContent ?? '',
      li.querySelector('.chat-body')?.textContent ?? '',
    ]),
  );
}

async function waitShown(page: Page, text: string, present = true): Promise<void> {
  await page.waitForFunction(
    (t: string, want: boolean) =>
      [...document.querySelectorAll('#chat-messages .chat-body')].some((e) => e.textContent === t) === want,
    { timeout: WAIT_MS, polling: POLL_MS },
    text,
    present,
  );
}

async function waitStatus(page: Page, pattern: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    (source: string) => {
      const text = document.querySelector('#chat-status')?.textContent ?? '';
      return new RegExp(source).test(text) && text;
    },
    { timeout: WAIT_MS, polling: POLL_MS },
    pattern.source,
  );
  return (await handle.jsonValue()) as string;
}

let earlySocket: WebSocket | null = null;
const earlyFrames: ServerMessage[] = [];

beforeAll(async () => {
  stack = new WebStack(await buildPages());
  await stack.start();
  const socket = new WebSocket(
    `${stack.origin.replace('http', 'ws')}/api/events/${EVENT_ID}/ws?key=${encodeURIComponent(stack.keys.viewer)}`,
  );
  socket.on('message', (data) => earlyFrames.push(JSON.parse((data as Buffer).toString('utf8')) as ServerMessage));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  earlySocket = socket;
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await stack?.close();
});

describe('watch page chat', () => {
  it('two viewers talk; markup stays text; a deleted message goes for both; block and slow mode hold', async () => {
    const ana = await watchPage('viewer');
    const ben = await watchPage('viewer');
    const director = await watchPage('director');

    await say(ana, 'Ana', 'Kick-off soon?');
    await waitShown(ben, 'Kick-off soon?');
    await say(ben, 'Ben', 'Two minutes');
    await waitShown(ana, 'Two minutes');
    expect(await shown(ana)).toEqual([
      ['Ana', 'Kick-off soon?'],
      ['Ben', 'Two minutes'],
    ]);

    // Markup arrives as the characters typed: no element made, no script run.
    await say(ana, '<i>Ana</i>', MARKUP);
    await waitShown(ben, MARKUP);
    expect((await shown(ben)).at(-1)).toEqual(['<i>Ana</i>', MARKUP]);
    expect(
      await ben.$$eval(
        '#chat-messages img, #chat-messages b, #chat-messages i, #chat-messages script',
        (e) => e.length,
      ),
    ).toBe(0);
    expect(await ben.evaluate(() => (window as { __chatXss?: number }).__chatXss)).toBeUndefined();

    // The director deletes Ana's first message: it disappears on both viewers' pages.
    await waitShown(director, 'Kick-off soon?');
    await director.evaluate(() => {
      const item = [...document.querySelectorAll('#chat-messages li')].find(
        (li) => li.querySelector('.chat-body')?.textContent === 'Kick-off soon?',
      );
      item?.querySelector<HTMLButtonElement>('.chat-delete')?.click();
    });
    await waitShown(ana, 'Kick-off soon?', false);
    await waitShown(ben, 'Kick-off soon?', false);
    expect(await ben.$$('.chat-delete')).toHaveLength(0); // viewers get no moderation

    // Blocking Ben removes what he said and refuses what he says next, also after a reload.
    await director.evaluate(() => {
      const item = [...document.querySelectorAll('#chat-messages li')].find(
        (li) => li.querySelector('.chat-body')?.textContent === 'Two minutes',
      );
      item?.querySelector<HTMLButtonElement>('.chat-block')?.click();
    });
    await waitShown(ana, 'Two minutes', false);
    await ben.reload({ waitUntil: 'load' });
    await waitOnline(ben);
    await ben.waitForSelector('#chat-form');
    await say(ben, 'Ben', 'Let me back in');
    expect(await waitStatus(ben, /blocked/)).toMatch(/blocked/);
    await waitShown(ana, 'Let me back in', false);

    // Slow mode: Ana's second message within the window is refused, and she is told how long to wait.
    await director.select('#chat-slow-mode', '30');
    await ana.waitForFunction(() => /30 s/.test(document.querySelector('#chat-slow')?.textContent ?? ''), {
      timeout: WAIT_MS,
      polling: POLL_MS,
    });
    await say(ana, 'Ana', 'First in slow mode');
    await waitShown(ana, 'First in slow mode');
    await say(ana, 'Ana', 'Second too soon');
    expect(await waitStatus(ana, /Slow mode/)).toMatch(/wait \d+ s/);
    await director.select('#chat-slow-mode', '0');
  });

  it('the rate limit holds on the viewer WebSocket, and malformed chat frames are refused naming the field', async () => {
    // Opened before the first test's block: a session issued afterwards on this (shared) address is blocked.
    const socket = earlySocket!;
    earlyFrames.length = 0;
    const frames = earlyFrames;
    const attempts = CHAT_RATE_LIMIT * 2;
    for (let i = 0; i < attempts; i++)
      socket.send(JSON.stringify({ type: 'chat.send', id: `r${i}`, name: 'Flood', text: `message ${i}` }));
    socket.send(JSON.stringify({ type: 'chat.send', id: 'long', name: 'Flood', text: 'x'.repeat(301) }));
    socket.send(JSON.stringify({ type: 'chat.send', id: 'nl', name: 'Flood', text: 'two\nlines' }));
    socket.send(JSON.stringify({ type: 'chat.delete', id: 'mod', message: '1-0' }));
    const results = () => frames.filter((f) => f.type === 'result');
    const deadline = Date.now() + WAIT_MS;
    while (results().length < attempts + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const byId = new Map(results().map((r) => [r.type === 'result' ? r.id : '', r]));
    const sent = [...Array(attempts).keys()].map((i) => byId.get(`r${i}`));
    expect(sent.filter((r) => r?.type === 'result' && r.ok)).toHaveLength(CHAT_RATE_LIMIT);
    expect(sent.filter((r) => r?.type === 'result' && !r.ok).map((r) => r?.type === 'result' && r.error?.code)).toEqual(
      Array(attempts - CHAT_RATE_LIMIT).fill('CHAT_RATE_LIMITED'),
    );
    // A viewer may not moderate.
    expect(byId.get('mod')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Too long and multi-line frames never reach the chat: an error naming the field.
    const errors = frames.filter((f) => f.type === 'error');
    expect(errors.map((e) => e.type === 'error' && e.field)).toEqual(['/text', '/text']);
    expect(frames.filter((f) => f.type === 'chat.message')).toHaveLength(CHAT_RATE_LIMIT);
    socket.close();
  });
});
