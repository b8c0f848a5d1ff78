// Camera operator tools, end to end in Chromium: a camera page whose device reports a zoom and a torch (a
// phone's rear camera, stood in for by stubbing MediaStreamTrack's capability API in the page: Chromium's
// fake device has neither) is zoomed from the director's tile, applies it, and the director's tile shows
// what the device accepted; a camera on Chromium's plain fake device shows no zoom control, and the
// director's tile says the device has none.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { bearer } from '../controller/controller-helpers.ts';
import { DirectCameraStack } from './direct-camera-stack.ts';

const stack = new DirectCameraStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

/** Generous: the director's strip follows the camera list within a second or two on an idle machine. */
const UI_TIMEOUT_MS = 30_000;
const ZOOM = { min: 1, max: 5, step: 0.1 };

/**
 * A phone's lens in the page: video tracks report a zoom range and a torch, report the zoom and torch they
 * run at, and take them from applyConstraints (which records every constraint set it is given in
 * `window.lensAsked`); everything else goes to Chromium's own implementation.
 */
async function phoneLens(page: Page): Promise<void> {
  await page.evaluateOnNewDocument((zoomRange: typeof ZOOM) => {
    type Lens = { zoom?: number; torch?: boolean };
    const lens = { zoom: zoomRange.min, torch: false };
    const asked: MediaTrackConstraints[] = [];
    Object.assign(window, { lensAsked: asked });
    const proto = MediaStreamTrack.prototype;
    // Chromium's own implementations, called with the track as `this` from the stand-ins below.
    const own = <K extends 'getCapabilities' | 'getSettings' | 'applyConstraints'>(name: K) =>
      Object.getOwnPropertyDescriptor(proto, name)?.value as MediaStreamTrack[K];
    const [getCapabilities, getSettings, applyConstraints] = [
      own('getCapabilities'),
      own('getSettings'),
      own('applyConstraints'),
    ];
    proto.getCapabilities = function (this: MediaStreamTrack) {
      const own = getCapabilities.call(this);
      return this.kind === 'video' ? { ...own, zoom: zoomRange, torch: true } : own;
    };
    proto.getSettings = function (this: MediaStreamTrack) {
      const own = getSettings.call(this);
      return this.kind === 'video' ? { ...own, ...lens } : own;
    };
    proto.applyConstraints = function (this: MediaStreamTrack, constraints?: MediaTrackConstraints) {
      if (this.kind !== 'video') return applyConstraints.call(this, constraints);
      asked.push(JSON.parse(JSON.stringify(constraints ?? {})) as MediaTrackConstraints);
      const { advanced = [], ...basic } = constraints ?? {};
      const rest: MediaTrackConstraintSet[] = [];
      for (const set of advanced as (MediaTrackConstraintSet & Lens)[]) {
        const { zoom, torch, ...other } = set;
        if (typeof zoom === 'number') lens.zoom = zoom;
        if (typeof torch === 'boolean') lens.torch = torch;
        if (Object.keys(other).length > 0) rest.push(other);
      }
      return applyConstraints.call(this, { ...basic, ...(rest.length > 0 ? { advanced: rest } : {}) });
    };
  }, ZOOM);
}

/** Waits until the camera's strip under its director tile matches; returns what it shows. */
async function strip(director: Page, cameraId: string, want: 'zoom' | 'no-zoom', zoom?: number) {
  const handle = await director.waitForFunction(
    (id, kind, value) => {
      const el = document.querySelector<HTMLElement>(`.multiview-cell .lens-controls[data-camera="${id}"]`);
      if (el === null || el.hidden) return null;
      const zoomRow = el.querySelector<HTMLElement>('.lens-zoom-row');
      const noZoom = el.querySelector<HTMLElement>('.lens-no-zoom');
      const found = {
        zoomShown: zoomRow !== null && !zoomRow.hidden,
        noZoomText: noZoom !== null && !noZoom.hidden ? (noZoom.textContent ?? '') : null,
        zoom: el.dataset.zoom ?? null,
        accepted: el.querySelector('.lens-accepted')?.textContent ?? '',
        message: el.querySelector('.lens-message')?.textContent ?? '',
      };
      if (kind === 'no-zoom') return found.noZoomText === null ? null : found;
      if (!found.zoomShown) return null;
      return value === null || Number(found.zoom) === value ? found : null;
    },
    { timeout: UI_TIMEOUT_MS, polling: 100 },
    cameraId,
    want,
    zoom ?? null,
  );
  return (await handle.jsonValue()) as {
    zoomShown: boolean;
    noZoomText: string | null;
    zoom: string | null;
    accepted: string;
    message: string;
  };
}

/** The camera page's own controls: which are shown, and what the zoom reads. */
async function cameraControls(page: Page) {
  return page.evaluate(() => {
    const shown = (selector: string): boolean => {
      const el = document.querySelector<HTMLElement>(selector);
      return el !== null && !el.hidden && el.offsetParent !== null;
    };
    return {
      zoom: shown('.zoom-row'),
      zoomValue: document.querySelector('#zoom-value')?.textContent ?? '',
      torch: shown('#torch-toggle'),
      torchOn: document.querySelector('#torch-toggle')?.getAttribute('aria-pressed') === 'true',
      grid: shown('#grid-toggle'),
      picture: document.querySelector('#picture-status')?.textContent ?? '',
    };
  });
}

async function zoomsAsked(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    (window as unknown as { lensAsked: MediaTrackConstraints[] }).lensAsked.flatMap((c) =>
      ((c.advanced ?? []) as { zoom?: number }[]).flatMap((set) => (set.zoom === undefined ? [] : [set.zoom])),
    ),
  );
}

describe('camera operator tools', () => {
  // One test: the stack's controller is closed after each.
  it('zooms a camera with a zoom from its director tile and shows none where the device has none', async () => {
    const { page: phone, camera } = await stack.joinCamera('Rear camera', 0, phoneLens);
    const director = await stack.openDirector();
    // The camera page offers what its device has.
    await phone.waitForFunction(() => document.querySelector<HTMLElement>('.zoom-row')?.hidden === false, {
      timeout: UI_TIMEOUT_MS,
    });
    expect(await cameraControls(phone)).toMatchObject({ zoom: true, zoomValue: '1.0×', torch: true, grid: true });

    // The director's tile offers a zoom, at what the device reports.
    const before = await strip(director, camera.id, 'zoom', 1);
    expect(before.accepted).toMatch(/zoom 1\.0×/);

    // + on the tile: one tenth of the range up, sent to this camera only; the page applies it.
    const expected = ZOOM.min + (ZOOM.max - ZOOM.min) / 10;
    await director.click(`.lens-controls[data-camera="${camera.id}"] .lens-zoom-in`);
    const after = await strip(director, camera.id, 'zoom', expected);
    expect(after.accepted).toMatch(/zoom 1\.4×/);
    // The route's answer (after the camera list may already have shown it): applied, nothing to say.
    await director.waitForFunction(
      (id) => document.querySelector<HTMLElement>(`.lens-controls[data-camera="${id}"]`)?.dataset.message === 'applied',
      { timeout: UI_TIMEOUT_MS },
      camera.id,
    );
    expect(
      await director.$eval(`.lens-controls[data-camera="${camera.id}"] .lens-message`, (el) => el.textContent),
    ).toBe('');
    expect(await zoomsAsked(phone)).toContain(expected);
    expect((await cameraControls(phone)).zoomValue).toBe('1.4×');

    // Through the public route: the answer is what the device accepted; out of range is refused, naming the field.
    const url = `/api/events/${DEMO_EVENT_ID}/cameras/${camera.id}/controls`;
    const headers = bearer(stack.keys['director'] ?? '');
    const zoomed = await stack.app.inject({ method: 'POST', url, headers, payload: { zoom: 3, torch: true } });
    expect(zoomed.statusCode, zoomed.body).toBe(200);
    expect(JSON.parse(zoomed.body)).toMatchObject({
      status: 'applied',
      device: { settings: { zoom: 3, torch: true } },
    });
    expect(await cameraControls(phone)).toMatchObject({ zoomValue: '3.0×', torchOn: true });
    await strip(director, camera.id, 'zoom', 3);
    const tooFar = await stack.app.inject({ method: 'POST', url, headers, payload: { zoom: 12 } });
    expect(tooFar.statusCode).toBe(422);
    expect(JSON.parse(tooFar.body).error).toMatchObject({ code: 'ZOOM_OUT_OF_RANGE', field: '/zoom' });

    // The picture size the director picks on the tile reaches the device as its capture size.
    await director.select(`.lens-controls[data-camera="${camera.id}"] .lens-size`, '360p');
    await phone.waitForFunction(
      () =>
        (window as unknown as { lensAsked: MediaTrackConstraints[] }).lensAsked.some(
          (c) => (c.width as ConstrainULongRange | undefined)?.ideal === 640,
        ),
      { timeout: UI_TIMEOUT_MS },
    );
    await phone.waitForFunction(
      () => /director asked 360p/.test(document.querySelector('#picture-status')?.textContent ?? ''),
      {
        timeout: UI_TIMEOUT_MS,
      },
    );

    // Chromium's own fake device has no zoom: no control on its page, and its tile says so.
    const { page: plain, camera: plainCamera } = await stack.joinCamera('Fake device');
    const tile = await strip(director, plainCamera.id, 'no-zoom');
    expect(tile.noZoomText).toBe('no zoom on this device');
    expect(tile.zoomShown).toBe(false);
    expect(
      await director.$eval(
        `.lens-controls[data-camera="${plainCamera.id}"] .lens-torch`,
        (el) => (el as HTMLElement).hidden,
      ),
    ).toBe(true);
    // The page has reported (the tile shows it): its own controls are final.
    const controls = await cameraControls(plain);
    expect(controls).toMatchObject({ zoom: false, torch: false, grid: true });
    expect(controls.picture).toMatch(/^Picture: \d+×\d+ \d+ fps/);
    const res = await stack.app.inject({
      method: 'POST',
      url: `/api/events/${DEMO_EVENT_ID}/cameras/${plainCamera.id}/controls`,
      headers: bearer(stack.keys['director'] ?? ''),
      payload: { zoom: 2 },
    });
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'NO_ZOOM', field: '/zoom' });
    await director.close();
  }, 180_000);
});
