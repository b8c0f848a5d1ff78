// Issue 20's meter check end to end: the demo event's test sources mixed (camera-1 on program, camera-2
// always on at −6 dB) and recorded by the real built-in recorder; the director's panel, fed by the meters the
// recorder's page reports through the controller, shows an integrated loudness after 20 s of program that
// agrees with ffmpeg's ebur128 on the recording of the same 20 s within ±1 LU. Heavy (a recorder and a
// director page at once): solo-listed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { type Command } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { ebur128 } from '../helpers/audio-checks.ts';
import { RecorderStack } from './recorder-stack.ts';
import { POLL_MS, until } from './web-stack.ts';

const PROGRAM_S = 20;
/** The bound for the panel's integrated loudness against ffmpeg's. */
const LOUDNESS_TOLERANCE_LU = 1;
/** Recorder start (Chromium, template, first keyframe) on a loaded machine. */
const LIVE_TIMEOUT_MS = 90_000;

const stack = new RecorderStack('loudness');
const keys = stack.keys;
const api = stack.api.bind(stack);
let browser: Browser;

async function command(body: Command): Promise<void> {
  const answer = await api('POST', `/api/events/${DEMO_EVENT_ID}/commands`, keys['director']!, body);
  expect(answer.status, await answer.clone().text()).toBe(200);
}

/** "−14.5 LUFS" as the panel writes it (a real minus sign) → −14.5. */
function parseLufs(text: string): number {
  return Number(text.replace('−', '-').replace(/\s*LUFS$/, ''));
}

/** The event's outputs as the director reads them. */
async function outputs(): Promise<{
  statuses: Array<{ recordingStartedAt?: number | null }>;
  recordings: unknown[];
  plan: unknown;
}> {
  return (await (await api('GET', `/api/events/${DEMO_EVENT_ID}/outputs`, keys['director']!)).json()) as never;
}

beforeAll(async () => {
  await stack.start();
  browser = await launchChromium({ width: 1920, height: 1080 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack.close();
});

describe("the director's loudness meter", () => {
  it('reads, after 20 s of program, the integrated loudness ffmpeg measures on the recording', async () => {
    await command({ type: 'program.take', source: 'camera-1', transition: { type: 'cut' } });
    await command({ type: 'audio.source', source: 'camera-2', mode: 'on', gainDb: -6 });
    const record = await api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/record`, keys['director']!, {
      video: { width: 1280, height: 720, fps: 30 },
    });
    expect(record.status, await record.clone().text()).toBe(200);
    const startedAt = await until(
      'the recording live',
      async () =>
        (await outputs()).statuses.find((s) => typeof s.recordingStartedAt === 'number')?.recordingStartedAt ?? null,
      LIVE_TIMEOUT_MS,
    );

    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('[director pageerror]', error));
    await page.goto(`${stack.origin}/director?event=${DEMO_EVENT_ID}&key=${encodeURIComponent(keys['director']!)}`);
    const selector = '.master-strip .meter-value.integrated';
    // The relayed meters reach the panel (a value, not the "no renderer" dash).
    await page.waitForFunction(
      (s: string) => /LUFS$/.test(document.querySelector(s)?.textContent ?? ''),
      {
        timeout: 30_000,
        polling: POLL_MS,
      },
      selector,
    );
    // The panel as it reads 20 s into the recording: the last value it shows by then.
    const readings: Array<{ at: number; text: string }> = [];
    while (Date.now() < startedAt + PROGRAM_S * 1000) {
      readings.push({ at: Date.now(), text: await page.$eval(selector, (e) => e.textContent ?? '') });
      await new Promise((r) => setTimeout(r, 250));
    }
    const last = readings.at(-1);
    if (last === undefined) throw new Error('no reading');
    const panelLufs = parseLufs(last.text);
    await page.close();

    const stop = await api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/stop`, keys['director']!, {});
    expect(stop.status).toBe(200);
    const eventDir = join(stack.dataDir, 'recordings', DEMO_EVENT_ID);
    const file = await until(
      'the recording finished',
      async () => {
        const { recordings, plan } = await outputs();
        if (recordings.length === 0 || plan !== null) return null;
        const mp4 = readdirSync(eventDir).find((f) => f.endsWith('.mp4') && !f.endsWith('.frag.mp4'));
        return mp4 === undefined ? null : join(eventDir, mp4);
      },
      60_000,
    );
    const reference = ebur128(file, 0, (last.at - startedAt) / 1000);
    console.info(
      `program loudness: director panel ${panelLufs} LUFS, ffmpeg ${reference.integratedLufs} LUFS over ${((last.at - startedAt) / 1000).toFixed(1)} s`,
    );
    expect(Number.isFinite(panelLufs), last.text).toBe(true);
    expect(
      Math.abs(panelLufs - reference.integratedLufs),
      `panel ${panelLufs} LUFS, ffmpeg ${reference.integratedLufs} LUFS`,
    ).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
  }, 240_000);
});
