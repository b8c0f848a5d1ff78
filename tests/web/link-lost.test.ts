// The director page while the controller is away: the top bar says so where it is seen from the program
// monitor (amber badge), the controls that cannot work are dimmed, and the page's own background reads
// (the replay clip list every 5 s) do not fill the notice list, where the operator's failed actions show.
import type { HTTPRequest } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { POLL_MS, useWebStack } from './web-stack.ts';

/** Two clip-list reads at CLIP_LIST_REFRESH_MS (5 s) fail while the controller is down this long. */
const DOWN_MS = 13_000;
/** The accent colour of theme.css (--accent), the badge's background while reconnecting. */
const ACCENT_RGB = 'rgb(245, 180, 0)';

const suite = useWebStack();

describe('director page, controller away', () => {
  it('shows the lost link in the top bar, dims the controls, and background reads leave no notices', async () => {
    const page = await suite.stack.open(suite.stack.pageUrl('director', 'director'), { width: 1366, height: 768 });
    await page.waitForSelector('#replay-panel');
    let failedClipReads = 0;
    let resolveTwo = (): void => undefined;
    const twoFailed = new Promise<void>((resolve) => (resolveTwo = resolve));
    page.on('requestfailed', (request: HTTPRequest) => {
      if (request.url().includes('/replay/clips') && ++failedClipReads === 2) resolveTwo();
    });

    const restarted = suite.stack.restart(DOWN_MS);
    await page.waitForFunction(() => document.body.dataset.connection === 'reconnecting', { polling: POLL_MS });
    const look = await page.evaluate(() => ({
      badge: getComputedStyle(document.querySelector('.connection')!).backgroundColor,
      replayOpacity: getComputedStyle(document.querySelector('#replay-panel')!).opacity,
      outputsOpacity: getComputedStyle(document.querySelector('.outputs-panel')!).opacity,
    }));
    expect(look.badge).toBe(ACCENT_RGB);
    expect(Number(look.replayOpacity)).toBeLessThan(1);
    expect(Number(look.outputsOpacity)).toBeLessThan(1);

    await twoFailed;
    expect(await page.$$eval('.notice-error', (notices) => notices.map((n) => n.textContent))).toEqual([]);

    await restarted;
    await page.waitForFunction(() => document.body.dataset.connection === 'online', {
      polling: POLL_MS,
      timeout: 20_000,
    });
    await page.close();
  }, 60_000);
});
