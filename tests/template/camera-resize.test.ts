// A camera whose picture size changes mid-stream still fills its place in the program. WebRTC senders
// change resolution all the time (bandwidth estimation ramping up, a phone's encoder shedding load), and a
// picture drawn at its old size would sit shrunk in a corner with black around it. The camera here is a
// canvas track handed to the template the way an operator page hands its tracks to its template frames.
import type { Browser, Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../runtime/chromium.ts';
import { TemplateTestController } from '../helpers/template-controller.ts';
import { waitForFrames, waitForRegionColour, waitReady, type NormalisedRect } from '../helpers/template-page.ts';

const LEFT = '#2080e0';
const RIGHT = '#e0a020';
/** Inside the left and the right half of the picture, away from the edges and any graphic. */
const LEFT_REGION: NormalisedRect = { x0: 0.1, x1: 0.3, y0: 0.35, y1: 0.75 };
const RIGHT_REGION: NormalisedRect = { x0: 0.7, x1: 0.9, y0: 0.35, y1: 0.75 };
/** Compression-free canvas track, canvas renderer: a little scaling blur at most. */
const TOLERANCE = 6;
/** Frames for the new size to reach the program (the track, the element, the copy). */
const SETTLE_FRAMES = 10;

describe('camera resolution change', () => {
  let controller: TemplateTestController;
  let browser: Browser;
  let page: Page;
  let template: Frame;

  beforeAll(async () => {
    controller = new TemplateTestController();
    await controller.start();
    await controller.command(
      { type: 'source.add', source: { id: 'cam-a', label: 'Cam A', kind: 'livekit', participant: 'cam-a' } },
      { type: 'program.take', source: 'cam-a', transition: { type: 'cut' } },
    );
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 800 });
    // The host page is on the template's origin, as the director's page is.
    await page.goto(`${controller.origin}/healthz`);
    await page.evaluate(
      (left, right, url) => {
        const canvas = document.createElement('canvas');
        canvas.width = 1280;
        canvas.height = 720;
        const g = canvas.getContext('2d')!;
        // A canvas track sends a frame when the canvas is drawn: keep drawing.
        setInterval(() => {
          g.fillStyle = left;
          g.fillRect(0, 0, canvas.width / 2, canvas.height);
          g.fillStyle = right;
          g.fillRect(canvas.width / 2, 0, canvas.width / 2, canvas.height);
        }, 33);
        const track = canvas.captureStream(30).getVideoTracks()[0]!;
        window.pitchsideCameras = {
          subscribe: (listener) => {
            listener('cam-a', 'video', track);
            return () => undefined;
          },
        };
        (window as unknown as { cameraCanvas: HTMLCanvasElement }).cameraCanvas = canvas;
        const frame = document.createElement('iframe');
        frame.src = url;
        frame.width = '1280';
        frame.height = '720';
        frame.style.border = '0';
        document.body.style.margin = '0';
        document.body.appendChild(frame);
      },
      LEFT,
      RIGHT,
      controller.templateUrl({ width: 1280, height: 720 }),
    );
    const handle = await page.waitForSelector('iframe');
    const frame = await handle!.contentFrame();
    if (frame === null) throw new Error('no template frame');
    template = frame;
    await template.waitForFunction(() => window.pitchside !== undefined, { timeout: 20_000 });
    await waitReady(template);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await controller?.close();
  });

  async function resizeCamera(width: number, height: number): Promise<void> {
    await page.evaluate(
      (w, h) => {
        const canvas = (window as unknown as { cameraCanvas: HTMLCanvasElement }).cameraCanvas;
        canvas.width = w;
        canvas.height = h;
      },
      width,
      height,
    );
    await waitForFrames(template, SETTLE_FRAMES);
  }

  it('fills the program at every size the camera sends', async () => {
    await waitForRegionColour(template, LEFT, LEFT_REGION, 10_000, TOLERANCE);
    await waitForRegionColour(template, RIGHT, RIGHT_REGION, 10_000, TOLERANCE);
    for (const [width, height] of [
      [640, 360],
      [320, 180],
      [1280, 720],
    ] as const) {
      await resizeCamera(width, height);
      const left = await waitForRegionColour(template, LEFT, LEFT_REGION, 10_000, TOLERANCE);
      const right = await waitForRegionColour(template, RIGHT, RIGHT_REGION, 10_000, TOLERANCE);
      expect(left.frame.revision).toBe(right.frame.revision);
    }
  }, 90_000);
});
