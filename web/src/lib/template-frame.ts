// The real program template in an iframe, scaled to whatever box it is given: what operators see on their
// monitors is what goes out.
import type { AudioMeters } from '../../../protocol/index.ts';
import { h } from './dom.ts';
import { templateUrl, type PageParams } from './page-params.ts';

/** Monitors render at 720p: an operator's machine runs them next to its own panel. */
export const MONITOR_SIZE = { width: 1280, height: 720 } as const;

export function templateFrame(params: PageParams, extra: Record<string, string> = {}, title = 'Program'): HTMLElement {
  const frame = h('iframe', {
    class: 'template-frame',
    title,
    src: templateUrl(params, { width: String(MONITOR_SIZE.width), height: String(MONITOR_SIZE.height), ...extra }),
    width: MONITOR_SIZE.width,
    height: MONITOR_SIZE.height,
    tabindex: -1,
  });
  const box = h('div', { class: 'template-box' }, frame);
  new ResizeObserver(() => {
    frame.style.transform = `scale(${box.clientWidth / MONITOR_SIZE.width})`;
  }).observe(box);
  return box;
}

/**
 * The program meters of the template in `box` (its page's own mix, window.pitchside.audioMeters()), or null
 * before it has any or while it is not loaded.
 */
export function frameMeters(box: HTMLElement): AudioMeters | null {
  const page = box.querySelector('iframe')?.contentWindow;
  try {
    return page?.pitchside?.audioMeters?.() ?? null;
  } catch {
    return null; // not loaded yet, or navigated away
  }
}
