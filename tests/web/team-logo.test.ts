// A team logo from the graphics desk to the program's pixels (issue 13): the operator picks an image
// file, the controller checks and stores it, the scorebug's state gets its id, and the template in
// Chromium draws it. A file that is not an image the scorebug draws is refused at the desk and changes
// nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTemplate, waitForRegionColour, type NormalisedRect } from '../helpers/template-page.ts';
import { buildPages, EVENT_ID, POLL_MS, until, WebStack } from './web-stack.ts';

/** Not a team colour the test event uses, and unmistakable on the program. */
const LOGO_COLOUR = '#ff00ff';
/**
 * The middle of the home team's logo box (scorebug-view.ts: the scorebug at 48,40 and the logo's own
 * 52 px slot at 8–60 of the team block, its 44 px box centred at 34, in 1080p pixels), well inside it.
 */
const HOME_LOGO_REGION: NormalisedRect = { x0: 72 / 1920, x1: 92 / 1920, y0: 58 / 1080, y1: 78 / 1080 };
/** JPEG edges blur a solid colour a little; the middle of a PNG stays exact. */
const TOLERANCE = 12;

describe('team logo on the scorebug', () => {
  let stack: WebStack;
  let graphics: Page;
  let template: Page;
  const files = mkdtempSync(join(tmpdir(), 'pitchside-logo-files-'));

  beforeAll(async () => {
    stack = new WebStack(await buildPages());
    await stack.start();
    await stack.command({ type: 'scorebug.set', visible: true }, 'graphics');
    graphics = await stack.open(stack.pageUrl('graphics', 'graphics'), { width: 1920, height: 1080 });
    const templateUrl = `${stack.origin}/template/?event=${EVENT_ID}&key=${encodeURIComponent(stack.keys.template)}`;
    template = await openTemplate(stack.browser!, templateUrl);
  }, 180_000);
  afterAll(async () => stack.close());

  it('a logo picked at the graphics desk appears on the program in Chromium', async () => {
    const png = join(files, 'crest.png');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0xff00ff:s=96x96', '-frames:v', '1', png]);
    const before = await stack.state();
    expect(before.scorebug.home.logo ?? null).toBeNull();

    await (await graphics.$('input#home-logo'))!.uploadFile(png);
    const state = await until('the logo on the scorebug state', async () => {
      const now = await stack.state();
      return now.scorebug.home.logo != null ? now : null;
    });
    expect(state.scorebug.home.logo).toMatch(/\.png$/);
    await waitForRegionColour(template, LOGO_COLOUR, HOME_LOGO_REGION, 15_000, TOLERANCE);
    await graphics.waitForFunction(() => !(document.querySelector('#home-logo-remove') as HTMLButtonElement).disabled, {
      polling: POLL_MS,
    });
  });

  it('a file that is not a PNG, JPEG or WebP is refused at the desk, naming the logo, and nothing changes', async () => {
    const before = await stack.state();
    const svg = join(files, 'crest.svg');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" fill="#00ff00"/></svg>');
    await (await graphics.$('input#away-logo'))!.uploadFile(svg);
    const notice = await graphics.waitForSelector('.notice-error .notice-text', { timeout: 10_000 });
    expect(await notice!.evaluate((e) => e.textContent ?? '')).toMatch(/logo/i);
    const after = await stack.state();
    expect(after.revision).toBe(before.revision);
    expect(after.scorebug.away.logo ?? null).toBeNull();
    // The home logo is still on the program.
    await waitForRegionColour(template, LOGO_COLOUR, HOME_LOGO_REGION, 5000, TOLERANCE);
  });
});
