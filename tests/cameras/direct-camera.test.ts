// Direct cameras end to end (no LiveKit): a phone (Chromium with a fake camera and microphone playing a
// colour and a tone no test source uses) joins the demo event by its link, the director takes it over the
// API, and the built-in recorder's MP4 shows that colour and carries that tone. The director's multiview
// shows its live picture; the camera page turns red while on air.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { CAMERA_SLATE_COLOUR } from '../../protocol/index.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { until } from '../worker/helpers.ts';
import { colourDistance, hexToRgb, regionColour, tonePowers } from '../worker/media-checks.ts';
import { CAMERA_COLOUR, CAMERA_TONE_HZ, DirectCameraStack, FPS, H, W } from './direct-camera-stack.ts';

/** Max channel difference between the sampled region and the camera colour (VP8/H.264 and scaling twice). */
const COLOUR_TOLERANCE = 30;
/** The camera's tone must stand this far (power ratio) above every test source's tone. */
const TONE_MARGIN = 20;
const OTHER_TONES = [400, 600, 800, 1000];

const stack = new DirectCameraStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

describe('direct camera (no LiveKit)', () => {
  it('a phone joins by link, is taken to program and recorded with its picture and sound', async () => {
    const { page: phone, camera } = await stack.joinCamera('North stand');
    expect(camera.label).toBe('North stand');

    const director = await stack.openDirector();
    // The camera's multiview tile plays its live (reduced) picture, in the camera's colour.
    const tile = await stack.tilePicture(director, camera.id);
    expect(colourDistance(tile.rgb, hexToRgb(CAMERA_COLOUR)), JSON.stringify(tile)).toBeLessThanOrEqual(
      COLOUR_TOLERANCE,
    );
    // Operator monitors get the reduced picture (about 320×180), not the full one.
    expect(tile.height).toBeLessThanOrEqual(200);

    // Status follows the peer connections; the camera reports its link.
    await stack.waitCameraStatus(camera.id, 'live');
    await until(async () => ((await stack.camera(camera.id))?.health?.peers ?? 0) >= 1, 20_000, 'camera health');

    const status = stack.statusListener();
    await status.start(DEMO_EVENT_ID);
    await stack.take(camera.id);
    await phone.waitForFunction(() => document.body.dataset.tally === 'program', { timeout: 10_000, polling: 100 });
    // The whole page turns red (after its CSS transition).
    await phone.waitForFunction(
      () => {
        const [r = 0, g = 255, b = 255] = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(
          Number,
        );
        return r > 180 && Math.max(g, b) < 80;
      },
      { timeout: 10_000, polling: 100 },
    );

    const startedAt = await stack.record(status);
    // The recorder's page is the camera's second receiver (after the director's): a loaded machine may
    // take seconds to connect it, so the checks start from the moment the camera says it sends to both.
    await until(async () => ((await stack.camera(camera.id))?.health?.peers ?? 0) >= 2, 60_000, 'recorder receiving');
    const connectedS = (Date.now() - startedAt) / 1000;
    const recordS = connectedS + 6;
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + recordS * 1000 - Date.now())));
    const file = await stack.stop(status);
    status.close();

    const info = await probe(file);
    expect([info.video?.codec, info.video?.width, info.video?.height]).toEqual(['h264', W, H]);
    expect(info.video?.fps).toBeCloseTo(FPS, 1);
    for (const at of [connectedS + 2, connectedS + 3.5, connectedS + 5]) {
      const colour = regionColour(file, at, W, H);
      expect(
        colourDistance(colour, hexToRgb(CAMERA_COLOUR)),
        `at ${at.toFixed(2)} s: rgb(${colour.join(',')})`,
      ).toBeLessThanOrEqual(COLOUR_TOLERANCE);
      expect(colourDistance(colour, hexToRgb(CAMERA_SLATE_COLOUR))).toBeGreaterThan(COLOUR_TOLERANCE);
    }
    const [camera2750, ...others] = tonePowers(file, connectedS + 2, 3, [CAMERA_TONE_HZ, ...OTHER_TONES]);
    expect(camera2750 ?? 0, `tone powers ${[camera2750, ...others].join(', ')}`).toBeGreaterThan(
      TONE_MARGIN * Math.max(...others, 1e-9),
    );
    await director.close();
    await phone.close();
  }, 240_000);
});
