// What an operator reads during a live match is never cut off: on a 1920×1080 desk screen and on a
// 1366×768 laptop, nothing inside a panel of the director or graphics page sticks out of it (the join
// code once ran past its card's right edge), the page never scrolls sideways, and the director's outputs
// (go live, stop all) are on screen without scrolling; the same for the event console's tabs. On a
// phone, the viewer's score and chat fit.
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, EVENT_ID, POLL_MS, useWebStack } from './web-stack.ts';

const SCREENS = {
  desk: { width: 1920, height: 1080 },
  laptop: { width: 1366, height: 768 },
} as const;
/** Sub-pixel rounding of borders and scaled text. */
const SLACK_PX = 1;

const suite = useWebStack();

beforeAll(async () => {
  // Long names and an on-air lower third: the widest text the panels normally hold.
  await suite.stack.command({
    type: 'scorebug.set',
    visible: true,
    home: { name: 'Northside Rovers Athletic', short: 'NRA', colour: '#c8102e' },
    away: { name: 'Harbour City Wanderers', short: 'HCW', colour: '#0b5cab' },
  });
  await suite.stack.command({ type: 'lowerThird.show', title: 'Welcome to the match', subtitle: 'Live coverage' });
});

/** Every visible element that sticks out of its box's content sideways, and whether the page scrolls sideways. */
async function cutOff(page: Page, boxes = '.panel'): Promise<{ outside: string[]; pageScrollsSideways: boolean }> {
  return page.evaluate(
    (slack, selector) => {
      const outside: string[] = [];
      for (const panel of document.querySelectorAll<HTMLElement>(selector)) {
        const border = panel.getBoundingClientRect();
        if (border.width === 0) continue;
        // Content stays inside the padding: a button that runs into it is already half off the panel's edge.
        const style = getComputedStyle(panel);
        const box = {
          left: border.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
          right: border.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
        };
        for (const element of panel.querySelectorAll<HTMLElement>('*')) {
          const rect = element.getBoundingClientRect();
          if (rect.width <= 1 || rect.height <= 1 || element.closest('.sr-only') !== null) continue;
          const clipped =
            element.scrollWidth > element.clientWidth + slack && getComputedStyle(element).overflowX !== 'auto';
          if (
            rect.right > box.right + slack ||
            rect.left < box.left - slack ||
            (clipped && element.children.length === 0)
          ) {
            const name = `${element.tagName.toLowerCase()}${element.id === '' ? '' : `#${element.id}`}.${element.className}`;
            outside.push(`${name} "${(element.textContent ?? '').trim().slice(0, 30)}" in ${panel.className}`);
          }
        }
      }
      return { outside, pageScrollsSideways: document.documentElement.scrollWidth > innerWidth + slack };
    },
    SLACK_PX,
    boxes,
  );
}

describe.each(Object.entries(SCREENS))('on a %s screen', (_name, size) => {
  it('the director page: the whole join code, nothing cut off, the outputs on screen', async () => {
    const page = await suite.stack.open(suite.stack.pageUrl('director', 'director'), size);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#join-code')?.dataset.code !== undefined, {
      polling: POLL_MS,
    });
    await page.waitForSelector('#output-rows > *', { timeout: 10_000 });
    const code = await page.$eval('#join-code', (element) => {
      const card = element.closest('.join-card')!.getBoundingClientRect();
      const rect = element.getBoundingClientRect();
      return {
        text: element.textContent ?? '',
        code: (element as HTMLElement).dataset.code ?? '',
        fits: element.scrollWidth <= element.clientWidth && rect.right <= card.right && rect.left >= card.left,
      };
    });
    expect(code.text.replace(/\s/g, '')).toBe(code.code);
    expect(code.fits).toBe(true);
    expect(await cutOff(page)).toEqual({ outside: [], pageScrollsSideways: false });
    const outputsBottom = await page.$eval('.outputs-panel', (e) => e.getBoundingClientRect().bottom);
    expect(outputsBottom).toBeLessThanOrEqual(size.height);
    await page.close();
  });

  it('the graphics page: nothing cut off', async () => {
    const page = await suite.stack.open(suite.stack.pageUrl('graphics', 'graphics'), size);
    await page.waitForFunction(() => document.querySelector('.rundown-entry.on-air') !== null, { polling: POLL_MS });
    expect(await cutOff(page)).toEqual({ outside: [], pageScrollsSideways: false });
    await page.close();
  });
});

describe.each(['live', 'setup', 'crew'])('the event console’s %s tab', (tab) => {
  it.each(Object.entries(SCREENS))('nothing cut off on a %s screen', async (_name, size) => {
    const page = await suite.stack.open(
      `${suite.stack.origin}/console?event=${EVENT_ID}&tab=${tab}#key=${ADMIN_KEY}`,
      size,
    );
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { polling: POLL_MS });
    // The crew links arrive after the page is ready: check them once they are all there.
    if (tab === 'crew')
      await page.waitForFunction(
        () => [...document.querySelectorAll('.crew-link')].every((a) => a.textContent !== ''),
        {
          polling: POLL_MS,
        },
      );
    expect(await cutOff(page)).toEqual({ outside: [], pageScrollsSideways: false });
    await page.close();
  });
});

describe('on a phone', () => {
  it('the watch page: the score line and the chat form (name, message, Send) fit', async () => {
    const page = await suite.stack.open(suite.stack.pageUrl('watch', 'viewer'), { width: 390, height: 844 });
    await page.waitForSelector('#chat-form');
    expect(await cutOff(page, '.score-line, .chat-panel')).toEqual({ outside: [], pageScrollsSideways: false });
    await page.close();
  });
});
