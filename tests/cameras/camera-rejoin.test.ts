// The on-air direct camera leaves (its page goes away, as when a phone locks or drops off the Wi-Fi) and
// comes back during a recording: the recording runs on without a gap, shows the camera slate while the
// camera is gone, and the camera again once it is back.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA_SLATE_COLOUR } from '../../protocol/index.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { until } from '../worker/helpers.ts';
import { colourDistance, hexToRgb, regionColour } from '../worker/media-checks.ts';
import { CAMERA_COLOUR, DirectCameraStack, FPS, H, W } from './direct-camera-stack.ts';

const COLOUR_TOLERANCE = 30;
/** After the controller knows the camera is gone (or back), the program follows within this. */
const FOLLOW_MS = 2500;
/** Gone this long: long enough to see the slate well after FOLLOW_MS. */
const GONE_MS = 5000;

const stack = new DirectCameraStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

/** Presentation times of every video frame. */
function frameTimes(file: string): number[] {
  const out = execFileSync('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', file],
  ]).toString();
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

describe('direct camera leaves and rejoins during a recording', () => {
  it('no gap in the recording, the slate while gone, the camera again after', async () => {
    const { page: phone, camera } = await stack.joinCamera('North stand');
    const cameraUrl = phone.url();
    await stack.take(camera.id);
    const status = stack.statusListener();
    await status.start('demo');
    const startedAt = await stack.record(status);
    // The camera is 'live' as soon as it publishes; the recorder's page is its receiver, and a loaded machine
    // may take seconds to connect it. The checks start from the moment the camera says it sends to it.
    await stack.waitCameraStatus(camera.id, 'live', 30_000);
    await until(async () => ((await stack.camera(camera.id))?.health?.peers ?? 0) >= 1, 60_000, 'recorder receiving');
    await new Promise((r) => setTimeout(r, 3000));
    const beforeLeave = (Date.now() - startedAt) / 1000 - 1;

    await phone.goto('about:blank');
    const goneAt = await stack.waitCameraStatus(camera.id, 'disconnected', 20_000);
    await new Promise((r) => setTimeout(r, GONE_MS));
    const whileGone = (goneAt + FOLLOW_MS - startedAt) / 1000;

    // Back in the same tab: the page keeps its join for the tab, so it is the same camera again.
    await phone.goto(cameraUrl);
    expect(await phone.$eval('#camera-id', (el) => el.textContent)).toBe(camera.id);
    await stack.waitCameraStatus(camera.id, 'live', 30_000);
    await until(async () => ((await stack.camera(camera.id))?.health?.peers ?? 0) >= 1, 60_000, 'recorder again');
    const backAt = Date.now();
    await new Promise((r) => setTimeout(r, FOLLOW_MS + 2000));
    const afterBack = (Date.now() - startedAt) / 1000 - 1;
    expect(afterBack).toBeGreaterThan((backAt - startedAt) / 1000 + FOLLOW_MS / 1000);
    const wallS = (Date.now() - startedAt) / 1000;
    const file = await stack.stop(status);
    status.close();

    // The timeline never stops: frames every 1/FPS from start to end, as long as the wall clock ran.
    const info = await probe(file);
    expect(info.durationMs / 1000).toBeGreaterThan(wallS - 1.5);
    const times = frameTimes(file);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps), 'largest step between frames (s)').toBeLessThan(2.5 / FPS);
    expect(times.length).toBeGreaterThan((wallS - 1.5) * FPS);

    const expectColour = (at: number, hex: string, what: string): void => {
      const colour = regionColour(file, at, W, H);
      expect(
        colourDistance(colour, hexToRgb(hex)),
        `${what} at ${at.toFixed(2)} s: rgb(${colour.join(',')})`,
      ).toBeLessThanOrEqual(COLOUR_TOLERANCE);
    };
    expectColour(beforeLeave, CAMERA_COLOUR, 'camera before it left');
    expectColour(whileGone, CAMERA_SLATE_COLOUR, 'slate while gone');
    expectColour(afterBack, CAMERA_COLOUR, 'camera after it rejoined');
    await phone.close();
  }, 300_000);
});
