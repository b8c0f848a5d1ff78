// OGraf graphics on the program page, read off real pixels (screenshots of the composited page): the
// example line-up loaded, played to its second step with the desk's data, shown at the same step after a
// reload, updated and stopped; a graphic whose playAction throws is unloaded on every renderer with a
// notice in program state, and the program goes on drawing.
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import type { OGrafGraphic, ProgramState } from '../../protocol/index.ts';
import { exampleZip, zip } from '../helpers/ograf-examples.ts';
import { pageFrame, waitReady, type Rgb } from '../helpers/template-page.ts';
import { EVENT_ID, meanRgb, POLL_MS, screenRegion, useWebStack } from '../web/web-stack.ts';

const SIZE = { width: 1280, height: 720 };
/** A strip across the top of the frame: only step 2 (the full-frame players card) covers it. */
const TOP = { x0: 0.3, x1: 0.7, y0: 0.05, y1: 0.15 };
/** The middle band, left of its text: step 1's title card. */
const MIDDLE = { x0: 0.05, x1: 0.2, y0: 0.45, y1: 0.55 };
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

const near = (a: Rgb, b: Rgb): boolean => a.every((v, i) => Math.abs(v - b[i]!) <= 12);

async function regionColour(page: Page, rect: typeof TOP): Promise<Rgb> {
  return meanRgb(await screenRegion(page, 'canvas', rect));
}

/** Polls the composited page until the region is (or, with `not`, is no longer) the colour. */
async function waitColour(page: Page, rect: typeof TOP, colour: Rgb, not = false, timeoutMs = 15_000): Promise<Rgb> {
  const until = Date.now() + timeoutMs;
  let seen = await regionColour(page, rect);
  while (near(seen, colour) === not) {
    if (Date.now() > until)
      throw new Error(
        `region ${JSON.stringify(rect)} is ${seen.join(',')}, waiting for ${not ? 'not ' : ''}${colour.join(',')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    seen = await regionColour(page, rect);
  }
  return seen;
}

/** A one-module graphic package whose class body is `body`. */
function testGraphic(id: string, body: string): Buffer {
  const manifest = {
    $schema: 'https://ograf.ebu.io/v1/specification/json-schemas/graphics/schema.json',
    id: `test.${id}`,
    name: id,
    main: 'graphic.mjs',
    supportsRealTime: true,
    supportsNonRealTime: false,
  };
  const module = `export default class extends HTMLElement {
    async stopAction() {} async updateAction() {} async dispose() {}
    ${body}
  }`;
  return zip(
    new Map([
      [`${id}.ograf.json`, JSON.stringify(manifest)],
      ['graphic.mjs', module],
    ]),
  );
}

describe('OGraf layer', () => {
  const suite = useWebStack();

  async function upload(body: Buffer): Promise<OGrafGraphic> {
    const { stack } = suite;
    const response = await fetch(`${stack.origin}/api/events/${EVENT_ID}/graphics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.keys.graphics}`, 'content-type': 'application/zip' },
      body: new Uint8Array(body),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { graphic: OGrafGraphic }).graphic;
  }

  async function openProgram(): Promise<Page> {
    const { stack } = suite;
    const page = await stack.browser!.newPage();
    await page.setViewport(SIZE);
    page.on('pageerror', (error) => console.error('[template pageerror]', error));
    const query = new URLSearchParams({ event: EVENT_ID, width: '1280', height: '720', fps: '30' });
    await page.goto(`${stack.origin}/template/?${query}#key=${stack.keys.template}`, { waitUntil: 'load' });
    await waitReady(page);
    return page;
  }

  it('the desk loads the line-up with its form data, plays it to step 2, updates and stops it; a reload shows the same step', async () => {
    const { stack } = suite;
    const lineup = await upload(exampleZip('lineup'));
    let program = await openProgram();
    const desk = await stack.open(stack.pageUrl('graphics', 'graphics'), { width: 1400, height: 900 });
    await desk.waitForSelector(`#ograf-graphic option[value="${lineup.id}"]`);
    // The form the desk built from the manifest's schema.
    await desk.evaluate(() => {
      const set = (id: string, value: string) => {
        const input = document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
        input.value = value;
      };
      set('ograf-instance', 'lineup');
      set('ograf-field-team', 'Rovers');
      set('ograf-field-colour', '#00ff00');
      set('ograf-field-formation', '4-3-3');
    });
    const click = (selector: string) => desk.$eval(selector, (button) => (button as HTMLButtonElement).click());
    const row = (action: string) => `.ograf-instance[data-instance="lineup"] .ograf-${action}`;
    await click('#ograf-load');
    await program.waitForSelector('iframe[data-instance="lineup"]');
    expect((await stack.state()).ograf?.instances[0]?.data).toEqual({
      team: 'Rovers',
      colour: '#00ff00',
      formation: '4-3-3',
      players: '',
      captainNumber: 10,
    });
    await click(row('play'));
    await waitColour(program, MIDDLE, GREEN);
    expect(near(await regionColour(program, TOP), GREEN)).toBe(false);
    await click(row('play'));
    await waitColour(program, TOP, GREEN);
    await desk.waitForFunction(
      () =>
        document.querySelector('.ograf-instance[data-instance="lineup"] .ograf-status')?.textContent === 'step 2 of 2',
      { polling: POLL_MS },
    );

    await program.close();
    program = await openProgram();
    await waitColour(program, TOP, GREEN);

    await desk.evaluate(() => {
      (document.getElementById('ograf-field-colour') as HTMLInputElement).value = '#0000ff';
    });
    await click(row('update'));
    await waitColour(program, TOP, BLUE);
    await click(row('stop'));
    await waitColour(program, TOP, BLUE, true);
    await waitColour(program, MIDDLE, BLUE, true);
    await click(row('clear'));
    await program.waitForSelector('iframe[data-instance="lineup"]', { hidden: true });
    await program.close();
    await desk.close();
  });

  /** Loads and plays `instance` of a test graphic, then waits for the state to say a renderer unloaded it. */
  async function playUntilUnloaded(page: Page, instance: string, body: string): Promise<string> {
    const { stack } = suite;
    const graphic = await upload(testGraphic(instance, body));
    await stack.command({ type: 'ograf.load', instance, graphic: graphic.id }, 'graphics');
    await page.waitForSelector(`iframe[data-instance="${instance}"]`);
    await stack.command({ type: 'ograf.play', instance }, 'graphics');
    await page.waitForSelector(`iframe[data-instance="${instance}"]`, { hidden: true, timeout: 15_000 });
    const failed = (s: ProgramState) => s.ograf?.instances.find((i) => i.id === instance)?.failed;
    let state: ProgramState = await stack.state();
    for (let i = 0; i < 100 && failed(state) === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      state = await stack.state();
    }
    return failed(state)?.message ?? 'not unloaded';
  }

  it('a graphic whose playAction throws, or never answers, is unloaded with a notice; the program draws on', async () => {
    const { stack } = suite;
    // The desk first: the program page, opened last, is the tab in front (a background tab is throttled).
    const desk = await stack.open(stack.pageUrl('graphics', 'graphics'), { width: 1400, height: 900 });
    const page = await openProgram();
    const before = await pageFrame(page);
    const thrown = await playUntilUnloaded(
      page,
      'thrower',
      "async load() {} async playAction() { throw new Error('boom'); }",
    );
    expect(thrown).toMatch(/playAction.*boom/);
    // The desk's notice, and the instance's row saying why.
    await desk.waitForFunction(
      () => [...document.querySelectorAll('.notice-error')].some((n) => n.textContent?.includes('"thrower"')),
      { polling: POLL_MS },
    );
    expect(await desk.$eval('.ograf-instance[data-instance="thrower"]', (row) => row.textContent)).toContain('boom');
    await desk.close();
    const hung = await playUntilUnloaded(
      page,
      'hang',
      'async load() {} playAction() { return new Promise(() => {}); }',
    );
    expect(hung).toMatch(/playAction.*did not answer/);
    expect((await pageFrame(page)).index).toBeGreaterThan(before.index);
    await page.close();
  });

  it("a graphic cannot reach the page's DOM, storage or URL, nor the API by fetch or socket", async () => {
    const { stack } = suite;
    // The probe paints itself green when every door is shut, red when any opened.
    const probe = testGraphic(
      'probe',
      `async load() {
        const open = [];
        const tryIt = async (name, act) => { try { await act(); open.push(name); } catch {} };
        await tryIt('parent DOM', () => parent.document.title);
        await tryIt('parent URL', () => parent.location.href.length);
        await tryIt('storage', () => localStorage.length);
        await tryIt('cookies', () => document.cookie.length);
        await tryIt('fetch', () => fetch('/api/events/${EVENT_ID}/state'));
        await tryIt('socket', () => new Promise((resolve, reject) => {
          const socket = new WebSocket('ws://' + location.host + '/api/events/${EVENT_ID}/ws');
          socket.onopen = resolve; socket.onerror = reject; setTimeout(reject, 2000);
        }));
        this.style.background = open.length === 0 ? '#00ff00' : '#ff0000';
        document.title = open.join(',');
      }
      async playAction() { return { statusCode: 200, currentStep: 0 }; }`,
    );
    const graphic = await upload(probe);
    const page = await openProgram();
    await stack.command({ type: 'ograf.load', instance: 'probe', graphic: graphic.id }, 'graphics');
    // Without the frame's CSP the fetch would answer (a 401 is an answer) and the socket would open.
    await waitColour(page, TOP, GREEN);
    await page.close();
  });
});
