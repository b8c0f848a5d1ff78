// The director's sound desk and the graphics desk's master meter in real Chromium: strips change the mixer
// state, the relayed meters (fed here by a template-role socket, as the output page sends them) reach both
// pages, a source without sound says so, and the mixer never keeps the switcher's keys.
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { meterReading } from '../controller/audio-helpers.ts';
import { EVENT_ID, POLL_MS, until, useWebStack } from './web-stack.ts';

const DESKTOP = { width: 1920, height: 1080 };
const suite = useWebStack();
const pages: Page[] = [];
const stops: Array<() => void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const page of pages.splice(0)) await page.close();
});

/** A renderer reporting ten times a second: camera-1 peaks at −12 dBFS, camera-2 is silent (audio-helpers.ts). */
async function reportMeters(): Promise<void> {
  const { origin, keys } = suite.stack;
  const socket = new WebSocket(
    `${origin.replace('http', 'ws')}/api/events/${EVENT_ID}/ws?key=${encodeURIComponent(keys.template)}`,
  );
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const timer = setInterval(() => {
    socket.send(
      JSON.stringify({
        type: 'audio.meters',
        eventId: EVENT_ID,
        renderer: 'recorder',
        meters: meterReading(Date.now(), -12),
      }),
    );
  }, 100);
  stops.push(() => {
    clearInterval(timer);
    socket.close();
  });
}

async function open(page: 'director' | 'graphics'): Promise<Page> {
  const opened = await suite.stack.open(suite.stack.pageUrl(page, page), DESKTOP);
  pages.push(opened);
  return opened;
}

const strip = (source: string): string => `.mixer-strip[data-source="${source}"]`;

describe('director mixer', () => {
  it('rides faders, mutes and modes from the strips, shows the program meters, and leaves the hotkeys alone', async () => {
    const director = await open('director');
    await director.waitForSelector(strip('camera-2'));
    await reportMeters();

    // Meters: the source that sounds shows its level, the one that does not says so; the master readout.
    await director.waitForFunction(
      (selector) => document.querySelector(`${selector} .level-bar`)?.getAttribute('aria-valuenow') === '-12.0',
      { polling: POLL_MS },
      strip('camera-1'),
    );
    await director.waitForFunction(
      (selector) => document.querySelector(`${selector} .strip-sound`)?.textContent === 'no sound',
      { polling: POLL_MS },
      strip('camera-2'),
    );
    const integrated = await director.$eval('.master-strip .meter-value.integrated', (e) => ({
      text: e.textContent,
      target: (e as HTMLElement).dataset.target,
    }));
    expect(integrated).toEqual({ text: '−14.5 LUFS', target: 'on' });

    // Buttons change the mixer state.
    await director.click(`${strip('camera-2')} .mode-button[data-mode="on"]`);
    await until(
      'camera-2 always on',
      async () => (await suite.stack.state()).audio?.sources['camera-2']?.mode === 'on',
    );
    await director.click(`${strip('camera-2')} .mute-button`);
    await until('camera-2 muted', async () => (await suite.stack.state()).audio?.sources['camera-2']?.muted === true);
    // A click on a button gives the keyboard back: 3 previews camera-3.
    await director.keyboard.press('Digit3');
    await until('camera-3 on preview', async () => (await suite.stack.state()).preview === 'camera-3');

    // The fader: arrows move it (and send), and with it focused the switcher's digits still work.
    await director.focus(`${strip('camera-1')} .fader`);
    for (let i = 0; i < 4; i += 1) await director.keyboard.press('ArrowLeft');
    await until('camera-1 at −2 dB', async () => (await suite.stack.state()).audio?.sources['camera-1']?.gainDb === -2);
    await director.keyboard.press('Digit4');
    await until('camera-4 on preview', async () => (await suite.stack.state()).preview === 'camera-4');

    // The delay in the detail view: typing digits there is typing, not switching.
    await director.click(`${strip('camera-1')} .strip-detail summary`);
    await director.click(`${strip('camera-1')} .delay-input`, { count: 3 });
    await director.keyboard.type('120');
    await director.keyboard.press('Tab');
    await until(
      'camera-1 delayed 120 ms',
      async () => (await suite.stack.state()).audio?.sources['camera-1']?.delayMs === 120,
    );
    expect((await suite.stack.state()).preview).toBe('camera-4');

    // The master strip: the loudness target.
    await director.select('.master-strip select', '-23');
    await until('target −23', async () => (await suite.stack.state()).audio?.master.loudness.targetLufs === -23);
    await director.waitForFunction(
      () => document.querySelector<HTMLElement>('.master-strip .meter-value.integrated')?.dataset.target === 'loud',
      { polling: POLL_MS },
    );

    // Record international sound: off in a new event; the toggle sets it, and the strip says when it applies.
    expect(await director.$eval('.master-strip .international-toggle', (e) => (e as HTMLInputElement).checked)).toBe(
      false,
    );
    expect(await director.$eval('.master-strip .international-note', (e) => e.textContent)).toMatch(/next recording/);
    await director.click('.master-strip .international-toggle');
    await until('international on', async () => (await suite.stack.state()).audio?.master.international === true);
    // The click gave the keyboard back: 2 previews camera-2.
    await director.keyboard.press('Digit2');
    await until('camera-2 on preview', async () => (await suite.stack.state()).preview === 'camera-2');
  });

  it("shows the program monitor's own meters while no output renderer reports, and says so", async () => {
    const director = await open('director');
    // The director's program monitor mixes the same state itself: its meters stand in, labelled as such.
    await director.waitForSelector('.master-strip .master-meter[data-source="monitor"]', { timeout: 20_000 });
    expect(await director.$eval('.master-strip .meter-status', (e) => e.textContent)).toMatch(
      /No output renderer is running: these are this page’s program monitor meters/,
    );
    await director.waitForFunction(
      () => /LUFS$/.test(document.querySelector('.master-strip .meter-value.integrated')?.textContent ?? ''),
      { polling: POLL_MS, timeout: 20_000 },
    );
    // Once the output's renderer reports, its readings are the ones shown.
    await reportMeters();
    await director.waitForSelector('.master-strip .master-meter[data-source="renderer"]');
    await director.waitForFunction(
      () => document.querySelector('.master-strip .meter-value.integrated')?.textContent === '−14.5 LUFS',
      { polling: POLL_MS },
    );
  });

  it('the graphics desk shows the master meter read-only, and says when no renderer reports', async () => {
    const graphics = await open('graphics');
    await graphics.waitForSelector('.master-meter-panel .master-meter.stale');
    const idle = await graphics.$eval('.master-meter-panel .meter-status', (e) => e.textContent);
    expect(idle).toMatch(/No output renderer is reporting/);
    await reportMeters();
    await graphics.waitForFunction(
      () => document.querySelector('.master-meter-panel .meter-value.integrated')?.textContent === '−14.5 LUFS',
      { polling: POLL_MS },
    );
    expect(await graphics.$$('.master-meter-panel button, .master-meter-panel input')).toHaveLength(0);
  });
});
