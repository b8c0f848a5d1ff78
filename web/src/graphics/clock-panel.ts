// Game clock: start/stop, set, ±1 s, direction and limit, on/off. The value shown is computed from the
// state and the server clock each frame, exactly as the template computes it.
import { clockValueMs, formatClock, type ProgramState } from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { BoundField } from '../lib/bound-field.ts';
import type { Desk } from '../lib/desk.ts';

const SECOND_MS = 1000;

/** "mm:ss", "h:mm:ss" or plain seconds → ms; null when it is not a time. */
export function parseClockText(text: string): number | null {
  const parts = text.trim().split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.reduce((total, part) => total * 60 + Number(part), 0) * SECOND_MS;
}

export class ClockPanel {
  readonly element: HTMLElement;
  readonly #display: HTMLElement;
  readonly #startStop: HTMLButtonElement;
  readonly #direction: HTMLButtonElement;
  readonly #visible: HTMLButtonElement;
  readonly #fields: BoundField[];
  readonly #desk: Desk;

  constructor(desk: Desk) {
    this.#desk = desk;
    this.#display = h('div', { class: 'clock-display mono', id: 'clock-display' }, '00:00');
    const simple =
      (what: string, command: Parameters<Desk['edit']>[0]['command'], read: (s: ProgramState) => unknown) => () =>
        void desk.edit({ what, command, read });
    this.#startStop = h('button', { type: 'button', id: 'clock-start-stop', class: 'go big' }, 'START');
    this.#startStop.addEventListener('click', () => {
      const running = desk.state?.clock.running ?? false;
      simple('Clock', { type: running ? 'clock.stop' : 'clock.start' }, (s) => s.clock.running)();
    });
    this.#direction = h('button', { type: 'button', id: 'clock-direction' }, 'Counting up');
    this.#direction.addEventListener('click', () => {
      const down = desk.state?.clock.direction === 'down';
      simple(
        'Clock direction',
        { type: 'clock.configure', direction: down ? 'up' : 'down' },
        (s) => s.clock.direction,
      )();
    });
    this.#visible = h('button', { type: 'button', id: 'clock-visible', class: 'air-toggle' }, 'Show clock');
    this.#visible.addEventListener('click', () => {
      const visible = desk.state?.clock.visible ?? false;
      simple('Clock', { type: 'clock.configure', visible: !visible }, (s) => s.clock.visible)();
    });
    const set = new BoundField(desk, {
      id: 'clock-set',
      label: 'Set (mm:ss)',
      what: 'Clock value',
      attrs: { placeholder: '45:00', inputmode: 'numeric' },
      read: (s) => (s.clock.running ? '' : formatClock(s.clock.baseMs, s.clock.direction)),
      command: (value) => {
        const ms = parseClockText(value);
        return ms === null ? null : { type: 'clock.set', valueMs: ms };
      },
    });
    const limit = new BoundField(desk, {
      id: 'clock-limit',
      label: 'Limit (mm:ss, empty = none)',
      what: 'Clock limit',
      attrs: { placeholder: 'none' },
      read: (s) => (s.clock.limitMs === null ? '' : formatClock(s.clock.limitMs, 'up')),
      command: (value) => {
        if (value.trim() === '') return { type: 'clock.configure', limitMs: null };
        const ms = parseClockText(value);
        return ms === null ? null : { type: 'clock.configure', limitMs: ms };
      },
    });
    this.#fields = [set, limit];
    const adjust = (deltaMs: number) =>
      simple('Clock', { type: 'clock.adjust', deltaMs }, (s) => [s.clock.baseMs, s.clock.startedAt]);
    this.element = h(
      'section',
      { class: 'clock-panel panel live-dependent' },
      h('h2', {}, 'Game clock'),
      this.#display,
      h(
        'div',
        { class: 'row clock-buttons' },
        this.#startStop,
        h('button', { type: 'button', id: 'clock-minus', onclick: adjust(-SECOND_MS) }, '−1 s'),
        h('button', { type: 'button', id: 'clock-plus', onclick: adjust(SECOND_MS) }, '+1 s'),
        this.#direction,
        this.#visible,
      ),
      h('div', { class: 'row clock-fields' }, set.element, limit.element),
    );
    const tick = (): void => {
      this.#draw();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  update(state: ProgramState): void {
    for (const field of this.#fields) field.update(state);
    const { clock } = state;
    this.#startStop.textContent = clock.running ? 'STOP' : 'START';
    this.#startStop.className = clock.running ? 'danger big' : 'go big';
    this.#direction.textContent = clock.direction === 'down' ? 'Counting down' : 'Counting up';
    this.#visible.textContent = clock.visible ? 'Hide clock' : 'Show clock';
    this.#visible.classList.toggle('on-air', clock.visible);
    this.#draw();
  }

  #draw(): void {
    const state = this.#desk.state;
    if (state === null) return;
    setText(
      this.#display,
      formatClock(clockValueMs(state.clock, this.#desk.realtime.serverNow()), state.clock.direction),
    );
    this.#display.classList.toggle('running', state.clock.running);
  }
}
