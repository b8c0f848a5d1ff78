// The Commentary card in real Chromium against the real controller: the console adds a seat and shows its link
// and QR code; the director's card lists it, the mixer has its strip (on, ducking) and the multiview no tile;
// removing it from the director's card revokes its key and empties both cards. A commentator who joins by the
// event's code with the "Commentary" choice lands on their seat's page, and the seat is listed, online while
// that page is open and offline once it closes.
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, EVENT_ID, POLL_MS, useWebStack, waitOnline } from './web-stack.ts';

const DESKTOP = { width: 1600, height: 1000 };
const suite = useWebStack();
const pages: Page[] = [];
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
});

async function seatLinks(page: Page): Promise<string[]> {
  return page.$$eval('.seat-row a.seat-link', (links) => links.map((a) => a.href));
}

describe('the Commentary card', () => {
  it('adds a seat from the console, shows it at the director (mixer strip, no tile), removes it there', async () => {
    const { stack } = suite;
    const consolePage = await stack.browser!.newPage();
    pages.push(consolePage);
    await consolePage.setViewport(DESKTOP);
    consolePage.on('dialog', (dialog) => void dialog.accept());
    await consolePage.goto(`${stack.origin}/console?event=${EVENT_ID}&tab=crew#key=${ADMIN_KEY}`, {
      waitUntil: 'load',
    });
    await consolePage.waitForFunction(() => document.body.dataset.ready === 'true', {
      timeout: 20_000,
      polling: POLL_MS,
    });
    await consolePage.type('#commentary-card .seat-new-label', 'Lead commentator');
    await consolePage.click('#commentary-card .seat-add button[type="submit"]');
    await consolePage.waitForSelector('#commentary-card .seat-row', { timeout: 10_000 });
    const [link] = await seatLinks(consolePage);
    const url = new URL(link!);
    expect(url.pathname).toBe('/commentary');
    const seatKey = new URLSearchParams(url.hash.slice(1)).get('key')!;
    const me = (key: string) => fetch(`${stack.origin}/api/me`, { headers: { authorization: `Bearer ${key}` } });
    const who = (await (await me(seatKey)).json()) as { role: string; seatId: string };
    expect(who.role).toBe('commentary');
    await consolePage.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('#commentary-card img.seat-qr')?.naturalWidth ?? 0) > 0,
      { polling: POLL_MS, timeout: 10_000 },
    );

    const director = await stack.browser!.newPage();
    pages.push(director);
    await director.setViewport(DESKTOP);
    director.on('dialog', (dialog) => void dialog.accept());
    await director.goto(stack.pageUrl('director', 'director'), { waitUntil: 'load' });
    await waitOnline(director);
    await director.waitForSelector(`#commentary-card .seat-row[data-seat="${who.seatId}"]`, { timeout: 10_000 });
    expect(await seatLinks(director)).toEqual([link]);
    const strip = await director.waitForSelector(`.mixer-strip[data-source="${who.seatId}"]`, { timeout: 10_000 });
    expect(await strip!.evaluate((e) => (e as HTMLElement).dataset.mode)).toBe('on');
    expect(await director.$(`.multiview-cell[data-source="${who.seatId}"]`)).toBeNull();
    expect(await director.$$('.multiview-cell')).toHaveLength(4);

    await director.click(`#commentary-card .seat-row[data-seat="${who.seatId}"] button.seat-remove`);
    await director.waitForFunction(() => document.querySelector('#commentary-card .seat-row[data-seat]') === null, {
      polling: POLL_MS,
      timeout: 10_000,
    });
    // The console hears of it through the state's sources.
    await consolePage.waitForFunction(() => document.querySelector('#commentary-card .seat-row[data-seat]') === null, {
      polling: POLL_MS,
      timeout: 10_000,
    });
    expect((await me(seatKey)).status).toBe(401);
  }, 120_000);

  it('joins by code as commentary: the join page offers the choice and opens the seat page', async () => {
    const { stack } = suite;
    const directorKey = { authorization: `Bearer ${stack.keys.director}` };
    const { code } = (await (
      await fetch(`${stack.origin}/api/events/${EVENT_ID}/join`, { headers: directorKey })
    ).json()) as {
      code: string;
    };
    const phone = await stack.browser!.newPage();
    pages.push(phone);
    await phone.setViewport({ width: 390, height: 844 });
    await phone.goto(`${stack.origin}/camera?code=${code}`, { waitUntil: 'load' });
    await phone.waitForSelector('#join-as-commentary');
    expect(await phone.$eval('#join-as-camera', (e) => (e as HTMLInputElement).checked)).toBe(true);
    await phone.click('#join-as-commentary');
    expect(await phone.$eval('#join-button', (e) => e.textContent)).toBe('Join as commentator');
    await phone.type('#join-label', 'Clubhouse');
    await Promise.all([phone.waitForNavigation({ waitUntil: 'load' }), phone.click('#join-button')]);
    const url = new URL(phone.url());
    expect(url.pathname).toBe('/commentary');
    await phone.waitForSelector('#join-button', { timeout: 10_000 });
    expect(await phone.$eval('#seat-label', (e) => e.textContent)).toBe('Clubhouse');
    // The seat's key came in the link's fragment; the page keeps it in the tab, off the address bar.
    expect(phone.url()).toBe(`${stack.origin}/commentary?event=${EVENT_ID}`);
    const seatKey = await phone.evaluate(
      (storageKey) => sessionStorage.getItem(storageKey),
      `pitchside:key:/commentary:${EVENT_ID}`,
    );
    const who = (await (
      await fetch(`${stack.origin}/api/me`, { headers: { authorization: `Bearer ${seatKey}` } })
    ).json()) as { role: string; seatId: string };
    expect(who.role).toBe('commentary');
    // A seat like any other: the director's list has it, and no camera was made.
    const seats = (await (
      await fetch(`${stack.origin}/api/events/${EVENT_ID}/commentary`, { headers: directorKey })
    ).json()) as {
      seats: { id: string; label: string }[];
    };
    expect(seats.seats.find((seat) => seat.id === who.seatId)?.label).toBe('Clubhouse');
    const cameras = (await (
      await fetch(`${stack.origin}/api/events/${EVENT_ID}/cameras`, { headers: directorKey })
    ).json()) as {
      cameras: unknown[];
    };
    expect(cameras.cameras).toHaveLength(0);

    // Its page is connected: the director's card says so, and says so again when the page closes.
    const director = await stack.browser!.newPage();
    pages.push(director);
    await director.setViewport(DESKTOP);
    await director.goto(stack.pageUrl('director', 'director'), { waitUntil: 'load' });
    await waitOnline(director);
    const row = `#commentary-card .seat-row[data-seat="${who.seatId}"]`;
    await director.waitForSelector(`${row}[data-online="true"]`, { timeout: 10_000 });
    expect(await director.$eval(`${row} .seat-status`, (e) => e.textContent)).toBe('Online');
    await phone.close();
    pages.splice(pages.indexOf(phone), 1);
    await director.waitForSelector(`${row}[data-online="false"]`, { timeout: 10_000 });
    expect(await director.$eval(`${row} .seat-status`, (e) => e.textContent)).toBe('Offline');
  }, 60_000);
});
