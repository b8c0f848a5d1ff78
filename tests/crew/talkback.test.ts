// Issue 21 §4's talkback end to end: a fake-device phone (colour, tone X) on program, the built-in
// recorder, and a director whose Chromium has a fake microphone playing tone T. The director holds Talk to
// that camera: the phone's page plays T (tapped inside the page) and says "Director talking"; released, it
// stops; pressed again, the page resumes the connection it kept (no new one). The recording carries X and not T: the talker's voice never reaches the program renderer (the
// relay rule itself: tests/security/talkback.test.ts). The phone's "Call director" flashes on the
// director's tile until clicked. Heavy (three Chromiums and the recorder): solo-listed.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { fakeCaptureArgs, launchChromium } from '../../runtime/chromium.ts';
import { decodePcm, PCM_RATE, soundingToneDb, toneDb } from '../helpers/audio-checks.ts';
import { until } from '../worker/helpers.ts';
import { CAMERA_TONE_HZ, DirectCameraStack, makeCameraMedia } from '../cameras/direct-camera-stack.ts';

/** The director's voice: a tone the camera, the test sources and the slates never play. */
const TALK_TONE_HZ = 3750;
/** Heard in the page: a −6 dBFS tone through Opus arrives well above this. */
const HEARD_ABOVE_DB = -30;
/** Gone from the page once released: the tap reads silence. */
const SILENT_BELOW_DB = -70;
/** How long the director holds Talk once the phone hears it: the recording's stretch to measure. */
const HOLD_MS = 4000;
/** The recording: T absent, far under the camera's own X (Goertzel leakage between them is below this). */
const ABSENT_BELOW_X_DB = 40;

const stack = new DirectCameraStack();
let talkerBrowser: Browser;
beforeAll(async () => {
  await stack.start();
  const voice = makeCameraMedia(stack.dir, { colour: '#808080', toneHz: TALK_TONE_HZ }, 'talker');
  talkerBrowser = await launchChromium({ width: 1920, height: 1080, args: fakeCaptureArgs(voice.video, voice.audio) });
}, 180_000);
afterAll(async () => {
  await talkerBrowser?.close();
  await stack.close();
}, 60_000);

/** What the phone's page plays as talkback: T's level in its tap (−200 before anything played). */
async function talkbackDb(page: Page): Promise<number> {
  const samples = await page.evaluate(() => window.pitchsideTalkback?.samples() ?? null);
  return samples === null ? -200 : toneDb(Float32Array.from(samples), TALK_TONE_HZ);
}

/** What the phone's page says about talkback, for a failure's message. */
async function phoneState(page: Page): Promise<string> {
  const hook = await page.evaluate(() => ({
    talker: window.pitchsideTalkback?.talker() ?? null,
    sampleRate: window.pitchsideTalkback?.sampleRate() ?? null,
  }));
  return JSON.stringify({ ...hook, indicator: await indicator(page), levelDb: await talkbackDb(page) });
}

async function indicator(page: Page): Promise<string | null> {
  return page.$eval('#talkback-indicator', (el) => ((el as HTMLElement).hidden ? null : el.textContent));
}

describe('talkback (direct, built-in recorder)', () => {
  it('plays the director on the camera page, never in the recording; the camera calls the director', async () => {
    const { page: phone, camera } = await stack.joinCamera('Camera A');
    await stack.take(camera.id);
    const status = stack.statusListener();
    await status.start(DEMO_EVENT_ID);
    const startedAt = await stack.record(status);
    await until(async () => ((await stack.camera(camera.id))?.health?.peers ?? 0) >= 1, 60_000, 'recorder receiving');

    const director = await stack.openDirector(talkerBrowser);
    for (const [name, page] of [
      ['phone', phone],
      ['director', director],
    ] as const)
      page.on('console', (message) => {
        if (message.text().startsWith('talkback:')) console.warn(`[${name}] ${message.text()}`);
      });
    await director.waitForFunction(
      (id) => [...document.querySelectorAll<HTMLOptionElement>('#talk-target option')].some((o) => o.value === id),
      { timeout: 30_000 },
      camera.id,
    );
    await director.select('#talk-target', camera.id);
    expect(await indicator(phone)).toBeNull();

    // Hold Talk (the button, as a person presses it; the microphone opens on this first use).
    const button = await director.$('#talk-button');
    const box = await button?.boundingBox();
    if (box === null || box === undefined) throw new Error('no talk button');
    await director.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await director.mouse.down();
    const pressedAt = Date.now();
    await director.waitForFunction(() => document.querySelector<HTMLElement>('#talk-button')?.dataset.live === 'true');
    await until(async () => (await talkbackDb(phone)) > HEARD_ABOVE_DB, 30_000, 'the phone plays the director').catch(
      async (error: unknown) => {
        throw new Error(`${(error as Error).message}: ${await phoneState(phone)}`);
      },
    );
    const heardFromS = (Date.now() - startedAt) / 1000;
    // Figures, not bounds: they include the microphone opening on this first press and this test's polling.
    const pressToHeardMs = Date.now() - pressedAt;
    expect(await indicator(phone)).toBe('Director talking');
    expect(await phone.evaluate(() => window.pitchsideTalkback?.talker())).toBe('Director');
    // The recording needs the voice to last: this wait is the stretch measured below, not a sync point.
    await new Promise((r) => setTimeout(r, HOLD_MS));
    const heardDb = await talkbackDb(phone);
    await director.mouse.up();
    const releasedAt = Date.now();
    await until(async () => (await talkbackDb(phone)) < SILENT_BELOW_DB, 15_000, 'talkback stops on release');
    const releaseToSilentMs = Date.now() - releasedAt;
    await phone.waitForFunction(() => document.querySelector<HTMLElement>('#talkback-indicator')?.hidden === true);

    // Press again: the page resumes the connection it kept (none new), so the cue's first words get there.
    await director.mouse.down();
    const pressedAgainAt = Date.now();
    await until(async () => (await talkbackDb(phone)) > HEARD_ABOVE_DB, 15_000, 'the phone plays the director again');
    const secondPressToHeardMs = Date.now() - pressedAgainAt;
    expect(await indicator(phone)).toBe('Director talking');
    expect(await phone.evaluate(() => window.pitchsideTalkback?.connections())).toBe(1);
    await director.mouse.up();
    await until(
      async () => (await talkbackDb(phone)) < SILENT_BELOW_DB,
      15_000,
      'talkback stops on the second release',
    );
    await phone.waitForFunction(() => document.querySelector<HTMLElement>('#talkback-indicator')?.hidden === true);

    // Call the director: that camera's tile flashes until the director clicks it.
    await phone.click('#call-director');
    const badge = `.multiview-cell[data-source="${camera.id}"] .call-badge`;
    await director.waitForSelector(badge, { timeout: 15_000 });
    await director.click(badge);
    await director.waitForFunction((selector) => document.querySelector(selector) === null, {}, badge);

    const file = await stack.stop(status);
    status.close();
    // The stretch the director talked through (the recording's clock slips a little against wall time: the
    // stretch starts late and ends early by a second), and the whole recording.
    const stretch = decodePcm(file, heardFromS + 1, HOLD_MS / 1000 - 2);
    const whole = decodePcm(file, 0, (Date.now() - startedAt) / 1000);
    const levels = {
      pressToHeardMs,
      secondPressToHeardMs,
      releaseToSilentMs,
      heardDb,
      talking: { x: soundingToneDb(stretch, CAMERA_TONE_HZ), t: soundingToneDb(stretch, TALK_TONE_HZ) },
      whole: { x: soundingToneDb(whole, CAMERA_TONE_HZ), t: soundingToneDb(whole, TALK_TONE_HZ) },
    };
    const report = JSON.stringify(levels, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v));
    console.info(`talkback: ${report}`);

    expect(heardDb, report).toBeGreaterThan(HEARD_ABOVE_DB);
    expect(await phone.evaluate(() => window.pitchsideTalkback?.sampleRate())).toBe(PCM_RATE);
    // The program is there (the camera's X), and the director's T is not, while talking nor at any time.
    expect(levels.talking.x, report).toBeGreaterThan(-20);
    expect(levels.talking.t, report).toBeLessThan(levels.talking.x - ABSENT_BELOW_X_DB);
    expect(levels.whole.t, report).toBeLessThan(levels.whole.x - ABSENT_BELOW_X_DB);
  }, 300_000);
});
