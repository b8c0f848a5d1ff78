// The switcher's keyboard: 1–9 preview, Shift+1–9 take, Space cut, Enter auto; replays: R marks the last
// seconds of the program camera, P plays the newest clip, Escape goes back to live. Keys are read by their
// physical code, so Shift+2 is "take 2" on every keyboard layout (not "@" or '"').
import { h, isTextEntry } from '../lib/dom.ts';
import { TALK_KEY } from '../lib/talk-panel.ts';

export interface HotkeyActions {
  preview(index: number): void;
  take(index: number): void;
  cut(): void;
  auto(): void;
  markReplay(): void;
  playReplay(): void;
  stopReplay(): void;
}

export const HOTKEY_SOURCES = 9;

export function installHotkeys(actions: HotkeyActions): () => void {
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    // Typing a label or a duration must never switch the program; a fader, a checkbox or a button that
    // holds the focus (the mixer's) must never keep the switcher's keys from it either.
    if (isTextEntry(event.target)) return;
    const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
    if (digit !== null) {
      event.preventDefault();
      const index = Number(digit[1]) - 1;
      if (event.shiftKey) actions.take(index);
      else actions.preview(index);
    } else if (event.code === 'Space') {
      event.preventDefault();
      actions.cut();
    } else if (event.code === 'Enter' || event.code === 'NumpadEnter') {
      event.preventDefault();
      actions.auto();
    } else if (event.code === 'KeyR' && !event.shiftKey) {
      event.preventDefault();
      actions.markReplay();
    } else if (event.code === 'KeyP' && !event.shiftKey) {
      event.preventDefault();
      actions.playReplay();
    } else if (event.code === 'Escape') {
      actions.stopReplay();
    }
  };
  addEventListener('keydown', onKeyDown);
  return () => removeEventListener('keydown', onKeyDown);
}

export function hotkeyLegend(): HTMLElement {
  const item = (keys: (string | HTMLElement)[], what: string): HTMLElement =>
    h('span', { class: 'hotkey' }, ...keys, ` ${what}`);
  return h(
    'div',
    { class: 'hotkeys', 'aria-label': 'Keyboard shortcuts' },
    item([h('kbd', {}, '1'), '–', h('kbd', {}, '9')], 'preview'),
    item([h('kbd', {}, 'Shift'), '+', h('kbd', {}, '1'), '–', h('kbd', {}, '9')], 'take to program'),
    item([h('kbd', {}, 'Space')], 'cut'),
    item([h('kbd', {}, 'Enter')], 'auto'),
    item([h('kbd', {}, 'R')], 'mark replay'),
    item([h('kbd', {}, 'P')], 'play replay'),
    item([h('kbd', {}, 'Esc')], 'back to live'),
    item(['hold ', h('kbd', {}, TALK_KEY.label)], 'talk to the crew'),
  );
}
