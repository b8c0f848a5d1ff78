// Operator pages in real Chromium against the real controller (in-process, real Redis) and the real
// template: what an operator does on a page must change the program's pixels, and every page must live
// through a controller restart without a reload.
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { CHECK_REGION, testSourceColour, type OutputStatusMessage } from '../../protocol/index.ts';
import { publishJobStatus } from '../../outputs/job-status.ts';
import { colourDistance, hexToRgb, steadyPixels } from '../helpers/template-page.ts';
import {
  ADMIN_KEY,
  changedShare,
  EVENT_ID,
  meanRgb,
  POLL_MS,
  screenRegion,
  until,
  waitOnline,
  waitTemplateIn,
  useWebStack,
} from './web-stack.ts';
import { storeClip } from '../replay/stored-clip.ts';

const DESKTOP = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
/** Test sources are solid colours; the screenshot of a scaled iframe is still within a few levels. */
const COLOUR_TOLERANCE = 12;
/** The home score panel of the template's scorebug (template/scene/scorebug-view.ts: x 152–218, y 40–96 at 1080p). */
const HOME_SCORE_REGION = { x0: 152 / 1920, x1: 218 / 1920, y0: 40 / 1080, y1: 96 / 1080 };

const suite = useWebStack();
const pages: Page[] = [];

async function open(url: string, size = DESKTOP): Promise<Page> {
  const page = await suite.stack.open(url, size);
  pages.push(page);
  return page;
}

describe('director panel', () => {
  it('Shift+2 puts camera-2 on program: the state and the program monitor’s pixels', async () => {
    await suite.stack.command({ type: 'program.take', source: 'camera-1', transition: { type: 'cut' } });
    const director = await open(suite.stack.pageUrl('director', 'director'));
    await waitTemplateIn(director, 'Program output');
    await until('camera-1 on the program monitor', async () => {
      const mean = meanRgb(await screenRegion(director, '#program-monitor .template-box', CHECK_REGION));
      return colourDistance(mean, hexToRgb(testSourceColour(1))) <= COLOUR_TOLERANCE;
    });

    await director.keyboard.down('Shift');
    await director.keyboard.press('Digit2');
    await director.keyboard.up('Shift');

    await until('camera-2 on program in the API', async () => (await suite.stack.state()).program === 'camera-2');
    const mean = await until('camera-2 colour in the program monitor', async () => {
      const rgb = meanRgb(await screenRegion(director, '#program-monitor .template-box', CHECK_REGION));
      return colourDistance(rgb, hexToRgb(testSourceColour(2))) <= COLOUR_TOLERANCE ? rgb : null;
    });
    expect(colourDistance(mean, hexToRgb(testSourceColour(2)))).toBeLessThanOrEqual(COLOUR_TOLERANCE);
    // The multiview's tally follows: camera-2 red, and camera-1 no longer red once the take's mix has
    // finished (while it is being mixed out it is still on air, so its tally stays red until then).
    await director.waitForFunction(
      () =>
        document.querySelector('#multiview .source-tile[data-source="camera-2"]')?.getAttribute('data-tally') ===
        'program',
      { polling: POLL_MS },
    );
    await director.waitForFunction(
      () =>
        document.querySelector('#multiview .source-tile[data-source="camera-1"]')?.getAttribute('data-tally') !==
        'program',
      { polling: POLL_MS, timeout: 5000 },
    );
    // The preview monitor is the template's preview view: the preview source full frame, following a change.
    await waitTemplateIn(director, 'Preview');
    for (const n of [3, 4]) {
      await suite.stack.command({ type: 'program.preview', source: `camera-${n}` });
      await until(`camera-${n} on the preview monitor`, async () => {
        const rgb = meanRgb(await screenRegion(director, '#preview-monitor .template-box', CHECK_REGION));
        return colourDistance(rgb, hexToRgb(testSourceColour(n))) <= COLOUR_TOLERANCE;
      });
    }
  }, 120_000);

  it('shows a rejected edit in words, naming the field', async () => {
    const director = pages[0]!;
    await director.select('#transition-type', 'wipe');
    await until('wipe in the state', async () => (await suite.stack.state()).transition.type === 'wipe');
    // Past MAX_TRANSITION_MS: the controller's 400 must reach the operator, naming the field.
    await director.$eval('#transition-duration', (e) => {
      (e as HTMLInputElement).value = '99999';
      e.dispatchEvent(new Event('change'));
    });
    const text = await director.waitForSelector('.notice-error .notice-text', { timeout: 5000 });
    const message = await text!.evaluate((e) => e.textContent ?? '');
    expect(message).toMatch(/Transition/);
    expect(message).toMatch(/durationMs/);
    expect((await suite.stack.state()).transition.durationMs).not.toBe(99999);
  });
});

describe('graphics panel', () => {
  it('+1 changes the scorebug’s pixels on the template', async () => {
    await suite.stack.command({ type: 'scorebug.set', visible: true }, 'graphics');
    const graphics = await open(suite.stack.pageUrl('graphics', 'graphics'));
    await waitTemplateIn(graphics, 'PiP placement');
    const before = (await suite.stack.state()).scorebug.home.score;
    const frame = await (await graphics.$('.pip-stage iframe'))!.contentFrame();
    const sample = () =>
      frame.evaluate((r) => {
        const canvas = window.pitchside!.canvas;
        const copy = new OffscreenCanvas(
          Math.round((r.x1 - r.x0) * canvas.width),
          Math.round((r.y1 - r.y0) * canvas.height),
        );
        const g = copy.getContext('2d')!;
        g.drawImage(
          canvas,
          r.x0 * canvas.width,
          r.y0 * canvas.height,
          copy.width,
          copy.height,
          0,
          0,
          copy.width,
          copy.height,
        );
        return Array.from(g.getImageData(0, 0, copy.width, copy.height).data);
      }, HOME_SCORE_REGION);
    // Sampled once the scorebug's fade-in has ended: the region holds across the template's frames.
    const pixelsBefore = await steadyPixels(frame, sample);

    await graphics.click('#home-plus');
    await until('home score +1 in the API', async () => (await suite.stack.state()).scorebug.home.score === before + 1);
    await graphics.waitForFunction(
      (n) => document.querySelector('#home-score')?.textContent === String(n),
      { polling: POLL_MS },
      before + 1,
    );
    // Once the score flash has ended and the region holds again, the digit itself differs.
    expect(changedShare(pixelsBefore, await steadyPixels(frame, sample))).toBeGreaterThan(0.02);
  });

  it('two panels edit the same field: one wins, the other shows the current value and a message', async () => {
    // Two cores run every template iframe: the panel from the test above is A, a second one is B.
    const a = pages.find((p) => p.url().includes('/graphics'))!;
    const b = await suite.stack.open(suite.stack.pageUrl('graphics', 'graphics'), DESKTOP);
    const original = (await suite.stack.state()).scorebug.home.name;
    // Both start editing from the same state. A browser has one keyboard focus, and moving it between
    // pages blurs (and so commits) the other page's field, so each operator's typing is replayed as the
    // input events a keyboard makes, in the order two people at two screens would make them.
    const typeInto = (page: Page, value: string) =>
      page.$eval(
        '#home-name',
        (e, v) => {
          const input = e as HTMLInputElement;
          input.focus();
          input.value = v;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        },
        value,
      );
    const commit = (page: Page) =>
      page.$eval('#home-name', (e) => e.dispatchEvent(new Event('change', { bubbles: true })));
    await typeInto(a, 'Lions');
    await typeInto(b, 'Tigers');
    await commit(a); // A commits first and wins
    await until('Lions in the state', async () => (await suite.stack.state()).scorebug.home.name === 'Lions');
    await commit(b);

    await b.waitForFunction(
      () =>
        document.querySelector('#home-name-message')?.textContent !== '' &&
        document.querySelector('#home-name-message')?.textContent !== 'Sending…',
      { timeout: 5000, polling: POLL_MS },
    );
    expect(await b.$eval('#home-name', (e) => (e as HTMLInputElement).value)).toBe('Lions');
    expect(await b.$eval('#home-name-message', (e) => e.textContent)).toMatch(
      /another operator.*"Lions".*"Tigers".*not applied/,
    );
    expect(await b.$eval('.notice-warning .notice-text', (e) => e.textContent)).toMatch(/Home name.*"Lions"/);
    expect(await a.$eval('#home-name-message', (e) => e.textContent)).toBe('');
    expect((await suite.stack.state()).scorebug.home.name).toBe('Lions');
    expect(original).not.toBe('Lions');
    await b.close();
  }, 120_000);
});

describe('viewer page', () => {
  it('embeds the event’s channels and shows its status, also to a viewer who arrives mid-stream', async () => {
    const setChannels = async (channels: object) => {
      const response = await fetch(`${suite.stack.origin}/api/events/${EVENT_ID}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channels, destinations: [{ kind: 'twitch', streamKey: 'live_secret_stream_key_42' }] }),
      });
      expect(response.status).toBe(200);
    };
    const output = (stream: 'live' | 'stopped'): OutputStatusMessage => ({
      type: 'job.output',
      eventId: EVENT_ID,
      jobId: `program-output-${EVENT_ID}`,
      backend: 'builtin',
      state: stream === 'live' ? 'running' : 'completed',
      outputs: [
        { id: 'twitch', kind: 'rtmp', label: 'Twitch', target: 'rtmp://live.twitch.tv/app/****', state: stream },
      ],
      recordingStartedAt: null,
      message: '',
      at: Date.now(),
    });
    const statusOf = (page: Page) => page.$eval('#event-status', (e) => (e as HTMLElement).dataset.status);
    const tabsOf = (page: Page) => page.$$eval('.platform-tabs [role=tab]', (tabs) => tabs.map((t) => t.textContent));

    await setChannels({ youtube: 'dQw4w9WgXcQ', twitch: 'pitchside_demo' });
    const early = await open(suite.stack.pageUrl('watch', 'viewer'), PHONE);
    await until(
      'both players offered',
      async () => JSON.stringify(await tabsOf(early)) === JSON.stringify(['YouTube', 'Twitch']),
    );
    expect(await statusOf(early)).toBe('upcoming');

    await publishJobStatus(suite.stack.app!.redis, suite.stack.app!.redisKeys, output('live'));
    await until('LIVE pushed to the open page', async () => (await statusOf(early)) === 'live');
    const late = await open(suite.stack.pageUrl('watch', 'viewer'), PHONE);
    await until('LIVE on a page opened mid-stream', async () => (await statusOf(late)) === 'live');
    expect(await late.$eval('#event-status', (e) => e.textContent)).toBe('LIVE');

    await setChannels({ twitch: 'other_channel' });
    await until(
      'the channel edit on the open page',
      async () => JSON.stringify(await tabsOf(early)) === JSON.stringify(['Twitch']),
    );
    await publishJobStatus(suite.stack.app!.redis, suite.stack.app!.redisKeys, output('stopped'));
    await until('Ended', async () => (await statusOf(early)) === 'ended');
    for (const page of [early, late]) expect(await page.content()).not.toContain('live_secret_stream_key_42');
    await late.close();
    pages.splice(pages.indexOf(late), 1);
  }, 120_000);

  it('shows a viewer count that changes as pages connect', async () => {
    const first = await open(suite.stack.pageUrl('watch', 'viewer'), PHONE);
    const count = (page: Page) => page.$eval('#viewer-count', (e) => Number((e as HTMLElement).dataset.count ?? 'NaN'));
    // Every viewer socket on this event is one of this file's open watch pages; a page the previous test
    // closed leaves within the presence debounce, so wait for the count to settle on the open ones before
    // measuring a change (otherwise a leave and a join inside one debounce cancel out).
    const initial = pages.filter((p) => p.url().includes('/watch')).length;
    await until('the viewer count to settle', async () => (await count(first)) === initial);
    const second = await open(suite.stack.pageUrl('watch', 'viewer'), PHONE);
    await until('the count to rise on the first page', async () => (await count(first)) === initial + 1);
    await second.close();
    pages.splice(pages.indexOf(second), 1);
    await until('the count to fall back', async () => (await count(first)) === initial);
    // The viewer page holds a viewer key only, and no stream key ever appears in it.
    const html = await first.content();
    expect(html).not.toContain(suite.stack.keys.director);
    expect(html).not.toMatch(/streamKey/);
  });
});

describe('camera page', () => {
  it('joins by code without LiveKit, says when it has no camera, and shows red tally when taken', async () => {
    const join = (await (
      await fetch(`${suite.stack.origin}/api/events/${EVENT_ID}/join`, {
        headers: { authorization: `Bearer ${suite.stack.keys.director}` },
      })
    ).json()) as { code: string };
    const phone = await suite.stack.browser!.newPage();
    await phone.setViewport(PHONE);
    await phone.goto(`${suite.stack.origin}/camera?code=${join.code}`, { waitUntil: 'load' });
    await phone.type('#join-label', 'North stand');
    await phone.click('#join-button');
    await waitOnline(phone);
    pages.push(phone);
    // This browser has no camera device: the page says so (tests/cameras drives one with a fake camera).
    await until('the no-camera message', async () =>
      /No camera/.test((await phone.$eval('#media-status', (e) => e.textContent)) ?? ''),
    );
    const cameraId = await phone.$eval('#camera-id', (e) => e.textContent ?? '');
    const source = (await suite.stack.state()).sources.find((s) => s.id === cameraId);
    expect(source?.label).toBe('North stand');
    expect(await phone.evaluate(() => document.body.dataset.tally)).toBe('none');

    await suite.stack.command({ type: 'program.preview', source: cameraId });
    await phone.waitForFunction(() => document.body.dataset.tally === 'preview', { timeout: 5000, polling: POLL_MS });
    await suite.stack.command({ type: 'program.take', source: cameraId, transition: { type: 'cut' } });
    await phone.waitForFunction(() => document.body.dataset.tally === 'program', { timeout: 5000, polling: POLL_MS });
    expect(await phone.$eval('#tally-word', (e) => e.textContent)).toBe('ON AIR');
    // The whole screen turns tally red (after the 120 ms colour transition).
    await until(
      'a red screen',
      async () => (await phone.evaluate(() => getComputedStyle(document.body).backgroundColor)) === 'rgb(224, 36, 27)',
      3000,
    );
    await suite.stack.command({ type: 'program.take', source: 'camera-1', transition: { type: 'cut' } });
    await phone.waitForFunction(() => document.body.dataset.tally !== 'program', { timeout: 5000, polling: POLL_MS });

    // A replay of this camera on air: its recorded picture, not its live one, so amber "REPLAY", never red
    // (unless the camera is on preview: green says "you are next", which matters more).
    await suite.stack.command({ type: 'program.preview', source: 'camera-2' });
    const now = Date.now();
    const clip = {
      id: 'abcd1234',
      source: cameraId,
      fromMs: now - 3000,
      toMs: now,
      mediaOffsetMs: 0,
      media: 'abcd1234-1.webm',
    };
    await storeClip(suite.stack.app!, EVENT_ID, clip);
    await suite.stack.command({ type: 'replay.play', clip, speed: 1, return: false });
    await phone.waitForFunction(() => document.body.dataset.tally === 'replay', { timeout: 5000, polling: POLL_MS });
    expect(await phone.$eval('#tally-word', (e) => e.textContent)).toBe('REPLAY');
    await until(
      'an amber screen',
      async () => (await phone.evaluate(() => getComputedStyle(document.body).backgroundColor)) === 'rgb(217, 140, 0)',
      3000,
    );
    await suite.stack.command({ type: 'replay.stop' });
    await phone.waitForFunction(() => document.body.dataset.tally === 'none', { timeout: 5000, polling: POLL_MS });
  }, 120_000);
});

describe('controller restart', () => {
  it('every page reconnects by itself, without a reload, and shows the new state', async () => {
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const page of pages)
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await suite.stack.restart();
    const offline: string[] = [];
    for (const page of pages) {
      await waitOnline(page, 20_000).catch(async () => {
        offline.push(
          `${page.url().split('?')[0]}: ${await page.evaluate(() => document.querySelector('.connection')?.getAttribute('title'))}`,
        );
      });
    }
    expect(offline).toEqual([]);

    await suite.stack.command({ type: 'program.take', source: 'camera-3', transition: { type: 'cut' } });
    await suite.stack.command({ type: 'score.set', team: 'away', score: 7 }, 'graphics');
    for (const page of pages) {
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      const url = page.url();
      if (url.includes('/director')) {
        await page.waitForFunction(
          () =>
            document.querySelector('#multiview .source-tile[data-source="camera-3"]')?.getAttribute('data-tally') ===
            'program',
          { timeout: 10_000, polling: POLL_MS },
        );
      } else if (url.includes('/graphics')) {
        await page.waitForFunction(() => document.querySelector('#away-score')?.textContent === '7', {
          timeout: 10_000,
          polling: POLL_MS,
        });
      } else if (url.includes('/camera')) {
        await page.waitForFunction(
          () => document.body.dataset.tally === 'none' || document.body.dataset.tally === 'preview',
          { timeout: 10_000, polling: POLL_MS },
        );
      } else if (url.includes('/watch')) {
        await page.waitForFunction(
          () => document.querySelector('#score-line .score')?.textContent?.endsWith('7') === true,
          { timeout: 10_000, polling: POLL_MS },
        );
      }
    }
  }, 120_000);
});
