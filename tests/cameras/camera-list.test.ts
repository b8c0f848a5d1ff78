// The director's camera list follows a real direct camera: a phone (Chromium with a fake camera) joins, and
// the list shows it live with the link its page measures and its tally; when the phone goes, the list says
// so and drops the stale link figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectCameraStack, H, W } from './direct-camera-stack.ts';

const stack = new DirectCameraStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

interface ListItem {
  status: string;
  tally: string;
  label: string;
  text: string;
  health: string | null;
  level: string | null;
}

describe("director's camera list", () => {
  it('shows a direct camera live with its health and tally, and disconnected when it leaves', async () => {
    const { page: phone, camera } = await stack.joinCamera('Gantry');
    const director = await stack.openDirector();
    /** Waits until the camera's row in the list is in this state; returns what it shows. */
    const item = async (want: 'live' | 'program' | 'disconnected'): Promise<ListItem> => {
      const handle = await director.waitForFunction(
        (id, state) => {
          const li = document.querySelector<HTMLElement>(`#camera-list li[data-camera="${id}"]`);
          if (li === null) return null;
          const health = li.querySelector<HTMLElement>('.camera-health:not([hidden])');
          const found = {
            status: li.dataset.status ?? '',
            tally: li.dataset.tally ?? '',
            label: li.querySelector('.camera-label')?.textContent ?? '',
            text: li.textContent ?? '',
            health: health?.textContent ?? null,
            level: health?.dataset.level ?? null,
          };
          const reached =
            state === 'live'
              ? found.status === 'live' && /\d+×\d+ \d+ fps/.test(found.health ?? '')
              : state === 'program'
                ? found.tally === 'program'
                : found.status === 'disconnected';
          return reached ? found : null;
        },
        { timeout: 45_000, polling: 200 },
        camera.id,
        want,
      );
      return (await handle.jsonValue()) as ListItem;
    };

    // Live, with the picture size the camera sends its program receivers (the recorder is not running: the
    // director's reduced picture is the largest it sends) and a level the thresholds gave.
    const live = await item('live');
    expect(live.label).toBe('Gantry');
    expect(live.level).toMatch(/^(good|warning|bad)$/);
    const [, width = 0, height = 0] = /(\d+)×(\d+)/.exec(live.health ?? '')?.map(Number) ?? [];
    expect(width).toBeGreaterThan(0);
    expect(width).toBeLessThanOrEqual(W);
    expect(height).toBeLessThanOrEqual(H);
    expect(live.health).toMatch(/(kbit|Mbit)\/s/);
    expect(live.tally).toBe('none');

    await stack.take(camera.id);
    const onAir = await item('program');
    expect(onAir.text).toContain('PGM');

    // The phone goes (screen locked, page closed): the list says so, without the last link figures.
    await phone.close();
    const gone = await item('disconnected');
    expect(gone.health).toBeNull();
    expect(gone.text).toContain('Disconnected');
    await director.close();
  }, 180_000);
});
