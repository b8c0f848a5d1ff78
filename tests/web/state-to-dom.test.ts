// State reaches the director's DOM one way (web/src/lib: keyed list, option list, bound field), in real
// Chromium against the real controller: a field being edited is not overwritten by a state frame, a list
// update keeps its rows' elements, and the director's edits are compare-and-set like the graphics desk's.
import type { HTTPRequest, Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { POLL_MS, until, useWebStack } from './web-stack.ts';

const suite = useWebStack();
const DESKTOP = { width: 1920, height: 1080 };

/** Waits until the page has drawn a state with this transition type (so the frame has arrived). */
async function waitTransition(page: Page, type: string): Promise<void> {
  await page.waitForFunction(
    (t) => document.querySelector<HTMLElement>('.switcher')?.dataset.transition === t,
    {
      polling: POLL_MS,
      timeout: 10_000,
    },
    type,
  );
}

describe('director: one state→DOM discipline', () => {
  it('leaves a field alone while the director types in it, and Escape takes the server value back', async () => {
    await suite.stack.command({ type: 'transition.set', transition: { type: 'mix', durationMs: 500 } });
    const director = await suite.stack.open(suite.stack.pageUrl('director', 'director'), DESKTOP);
    await waitTransition(director, 'mix');
    await until('the duration field shows the state', async () =>
      (await director.$eval('#transition-duration', (e) => (e as HTMLInputElement).value)) === '500' ? true : null,
    );

    await director.focus('#transition-duration');
    await director.$eval('#transition-duration', (e) => (e as HTMLInputElement).select());
    await director.keyboard.type('1234');
    // Another operator changes the same transition; the frame that brings it reaches this page.
    await suite.stack.command({ type: 'transition.set', transition: { type: 'wipe', durationMs: 800 } });
    await waitTransition(director, 'wipe');
    expect(await director.$eval('#transition-duration', (e) => (e as HTMLInputElement).value)).toBe('1234');
    expect((await suite.stack.state()).transition.durationMs).toBe(800);

    await director.keyboard.press('Escape');
    expect(await director.$eval('#transition-duration', (e) => (e as HTMLInputElement).value)).toBe('800');
    await director.close();
  }, 60_000);

  it('updates lists in place: multiview cells and switch-log rows keep their elements across frames', async () => {
    await suite.stack.command({ type: 'program.take', source: 'camera-3', transition: { type: 'cut' } });
    const director = await suite.stack.open(suite.stack.pageUrl('director', 'director'), DESKTOP);
    await director.waitForFunction(() => document.querySelectorAll('#switch-list li').length > 0, {
      polling: POLL_MS,
    });
    const rowsBefore = await director.$$eval('#switch-list li', (rows) => rows.length);
    // Marks the elements on screen now; after the next frames the same objects must still be there.
    await director.evaluate(() => {
      const w = window as unknown as { kept: Element[] };
      w.kept = [
        ...document.querySelectorAll('#multiview .multiview-cell'),
        ...document.querySelectorAll('#switch-list li'),
        ...document.querySelectorAll('#pip-source option'),
      ];
    });
    await suite.stack.command({ type: 'program.take', source: 'camera-4', transition: { type: 'cut' } });
    await suite.stack.command({ type: 'scorebug.set', period: '2H' });
    await director.waitForFunction(
      (n) => document.querySelectorAll('#switch-list li').length === n + 1,
      { polling: POLL_MS, timeout: 10_000 },
      rowsBefore,
    );
    const kept = await director.evaluate(() => {
      const w = window as unknown as { kept: Element[] };
      return { all: w.kept.length, connected: w.kept.filter((e) => e.isConnected).length };
    });
    expect(kept.all).toBeGreaterThan(4);
    expect(kept.connected).toBe(kept.all);
    // The tallies moved on the kept cells.
    await director.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('#multiview .multiview-cell[data-source="camera-4"]')?.dataset.tally ===
        'program',
      { polling: POLL_MS },
    );
    await director.close();
  }, 60_000);

  it('sends the director’s edits (PiP source, transition) with the revision they were based on', async () => {
    const director = await suite.stack.open(suite.stack.pageUrl('director', 'director'), DESKTOP);
    const bodies: Record<string, unknown>[] = [];
    const record = (request: HTTPRequest): void => {
      if (request.method() === 'POST' && request.url().includes('/commands'))
        bodies.push(JSON.parse(request.postData() ?? '{}') as Record<string, unknown>);
    };
    director.on('request', record);
    await director.select('#pip-source', 'camera-3');
    await until('camera-3 is the PiP source', async () => (await suite.stack.state()).pip.source === 'camera-3');
    await director.select('#transition-type', 'dip');
    await until('dip in the state', async () => (await suite.stack.state()).transition.type === 'dip');
    director.off('request', record);
    expect(bodies.map((b) => b.type)).toEqual(['pip.set', 'transition.set']);
    for (const body of bodies) expect(body.ifRevision).toEqual(expect.any(Number));
    // The picked option stayed picked through the frames that followed.
    expect(await director.$eval('#pip-source', (e) => (e as HTMLSelectElement).value)).toBe('camera-3');
    await director.close();
  }, 60_000);
});
