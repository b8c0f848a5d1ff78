// A data feed end to end in real Chromium (issue 24 §2): packets pushed with the event's feed key drive the
// score and clock the program template renders (its pixels and its frame's clock), the graphics desk shows the
// feed live, takes a field back by hand and releases it, and shows the feed stale once it stops.
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { clockValueMs, formatClock, type FeedPacket, type FeedState } from '../../protocol/index.ts';
import {
  openTemplate,
  pageFrame,
  steadyPixels,
  waitForRevision,
  type NormalisedRect,
} from '../helpers/template-page.ts';
import { ADMIN_KEY, EVENT_ID, POLL_MS, useWebStack } from '../web/web-stack.ts';

const SIZE = { width: 1280, height: 720 };
const SCOREBUG: NormalisedRect = { x0: 0.02, x1: 0.3, y0: 0.03, y1: 0.1 };
/** The template's estimate of server time on one machine is within a few frames; the clock within that. */
const CLOCK_SLACK_MS = 250;

describe('data feed on program and on the graphics desk', () => {
  const suite = useWebStack();

  it('drives the rendered score and clock; the desk takes a field back, releases it, and shows the feed stale', async () => {
    const { stack } = suite;
    const app = stack.app!;
    // Made as the console's Data feed card makes it.
    const made = await fetch(`${stack.origin}/api/events/${EVENT_ID}/feed/key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const feedKey = ((await made.json()) as { key: { key: string } }).key.key;
    const post = async (packet: FeedPacket) => {
      const response = await fetch(`${stack.origin}/api/events/${EVENT_ID}/feed`, {
        method: 'POST',
        headers: { authorization: `Bearer ${feedKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(packet),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { revision: number; feed: FeedState };
    };
    const template = await openTemplate(
      stack.browser!,
      `${stack.origin}/template/?event=${EVENT_ID}&key=${encodeURIComponent(stack.keys.template)}&width=${SIZE.width}&height=${SIZE.height}&fps=30`,
      SIZE,
    );
    const shot = () =>
      template.screenshot({
        clip: {
          x: SCOREBUG.x0 * SIZE.width,
          y: SCOREBUG.y0 * SIZE.height,
          width: (SCOREBUG.x1 - SCOREBUG.x0) * SIZE.width,
          height: (SCOREBUG.y1 - SCOREBUG.y0) * SIZE.height,
        },
        encoding: 'base64',
      });
    // The scorebug shows the clock too: the pixel checks run with the feed's clock stopped at 05:00.
    const shown = await stack.command({ type: 'scorebug.set', visible: true });
    await waitForRevision(template, shown.revision);
    let answer = await post({ clock: { ms: 300_000, running: false } });
    await waitForRevision(template, answer.revision);
    const nilNil = await steadyPixels(template, shot);

    // The feed scores: the template draws it.
    answer = await post({ home: { score: 3 }, away: { score: 1 } });
    await waitForRevision(template, answer.revision);
    const threeOne = await steadyPixels(template, shot);
    expect(threeOne).not.toEqual(nilNil);

    // The graphics desk: the feed is live and drives the home score; the operator takes it back.
    const desk = await stack.open(stack.pageUrl('graphics', 'graphics'), { width: 1600, height: 1000 });
    await waitText(desk, '#feed-status', 'LIVE');
    await waitText(desk, '#feed-field-home-score .feed-owner', 'feed');
    await desk.click('#feed-field-home-score .feed-toggle');
    await waitText(desk, '#feed-field-home-score .feed-owner', 'by hand');
    answer = await post({ home: { score: 5 } });
    // A page in the background draws no frames: the template is brought to the front to be read.
    await template.bringToFront();
    await waitForRevision(template, answer.revision);
    // Held: the program still shows 3–1, the desk shows the feed's 5 beside it.
    expect(await steadyPixels(template, shot)).toEqual(threeOne);
    await waitText(desk, '#feed-field-home-score .feed-value', '5');
    await desk.bringToFront();
    await desk.click('#feed-field-home-score .feed-toggle');
    await waitText(desk, '#feed-field-home-score .feed-owner', 'feed');
    expect((await stack.state()).scorebug.home.score).toBe(5);

    // Back to 0–0 from the feed: the same pixels as before, so the difference was the score.
    answer = await post({ home: { score: 0 }, away: { score: 0 } });
    await template.bringToFront();
    await waitForRevision(template, answer.revision);
    expect(await steadyPixels(template, shot)).toEqual(nilNil);

    // The feed starts the clock: it runs on the template from 05:00 at the packet's server time.
    answer = await post({ clock: { running: true } });
    await waitForRevision(template, answer.revision);
    const frame = await pageFrame(template);
    const state = await stack.state();
    expect(Math.abs(frame.clockMs - clockValueMs(state.clock, frame.serverNow))).toBeLessThanOrEqual(CLOCK_SLACK_MS);
    expect(Math.abs(frame.clockMs - (300_000 + frame.serverNow - answer.feed.lastPacketAt!))).toBeLessThanOrEqual(
      CLOCK_SLACK_MS,
    );
    expect(frame.clockText).toBe(formatClock(frame.clockMs, state.clock.direction));

    // The feed stops: flagged stale on the desk within its second (and a generous margin), the clock running on.
    await app.dataFeed.configure(EVENT_ID, { staleAfterSeconds: 1 }, { role: 'admin', keyId: 'test' });
    const last = await post({ period: '2nd' });
    await waitText(desk, '#feed-status', 'STALE', 4000);
    const stale = await stack.state();
    expect(stale.feed?.stale).toBe(true);
    expect(stale.updatedAt - last.feed.lastPacketAt!).toBeGreaterThanOrEqual(1000);
    expect(stale.clock.running).toBe(true);
    const later = await pageFrame(template);
    expect(later.clockMs).toBeGreaterThan(frame.clockMs);
    await desk.close();
    await template.close();
  });
});

async function waitText(page: Page, selector: string, text: string, timeoutMs = 5000): Promise<void> {
  await page.waitForFunction(
    (s, t) => document.querySelector(s)?.textContent?.includes(t) === true,
    { timeout: timeoutMs, polling: POLL_MS },
    selector,
    text,
  );
}
