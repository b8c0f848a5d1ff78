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

  it('a graphic whose playAction throws is unloaded with a notice; the program draws on', async () => {
    const { stack } = suite;
    const manifest = {
      $schema: 'https://ograf.ebu.io/v1/specification/json-schemas/graphics/schema.json',
      id: 'test.thrower',
      name: 'Thrower',
      main: 'thrower.mjs',
      supportsRealTime: true,
      supportsNonRealTime: false,
    };
    const module = `export default class extends HTMLElement {
      async load() { this.style.background = '#ff00ff'; }
      async playAction() { throw new Error('boom'); }
      async stopAction() {} async updateAction() {} async dispose() {}
    }`;
    const thrower = await upload(
      zip(
        new Map([
          ['thrower.ograf.json', JSON.stringify(manifest)],
          ['thrower.mjs', module],
        ]),
      ),
    );
    const page = await openProgram();
    await stack.command({ type: 'ograf.load', instance: 'bad', graphic: thrower.id }, 'graphics');
    await page.waitForSelector('iframe[data-instance="bad"]');
    const before = await pageFrame(page);
    await stack.command({ type: 'ograf.play', instance: 'bad' }, 'graphics');
    await page.waitForSelector('iframe[data-instance="bad"]', { hidden: true, timeout: 15_000 });
    let state: ProgramState = await stack.state();
    const bad = (s: ProgramState) => s.ograf?.instances.find((i) => i.id === 'bad');
    for (let i = 0; i < 100 && bad(state)?.failed === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      state = await stack.state();
    }
    expect(bad(state)?.failed?.message).toMatch(/playAction.*boom/);
    const after = await pageFrame(page);
    expect(after.index).toBeGreaterThan(before.index);
    await page.close();
  });
});
