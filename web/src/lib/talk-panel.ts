// The Talk control of the director's and the graphics operator's pages: whom to talk to (all crew, one
// camera, one commentary seat), a button to hold and a key to hold. The voice goes only to the crew pages
// (talkback-talker.ts), never into the program.
import { isPublisherId, type ProgramState, type TalkbackTarget } from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { h, isTextEntry, setText } from './dom.ts';
import { notify } from './notices.ts';
import { syncOptions } from './option-list.ts';
import { TalkbackTalker } from './talkback-talker.ts';
import './talkback.css';

/** Held, talks to the chosen target (the director's switcher keys leave it alone: hotkeys.ts). */
export const TALK_KEY = { code: 'KeyT', label: 'T' } as const;

const ALL_CREW = { value: 'all', label: 'All crew' } as const;

export class TalkPanel {
  readonly element: HTMLElement;
  readonly #talker: TalkbackTalker;
  readonly #target = h('select', { id: 'talk-target', 'aria-label': 'Talk to' });
  readonly #button = h('button', { type: 'button', id: 'talk-button', class: 'talk-button', 'aria-pressed': 'false' });

  constructor(realtime: RealtimeClient) {
    this.#talker = new TalkbackTalker({
      send: (frame) => realtime.send(frame),
      onLive: (live) => this.#showLive(live),
    });
    realtime.handle(this.#talker.handlers);
    syncOptions(this.#target, [ALL_CREW]);
    this.#showLive(false);
    this.element = h(
      'section',
      { class: 'panel talk-panel', id: 'talk-panel' },
      h('h2', {}, 'Talkback'),
      h('div', { class: 'row' }, this.#target, this.#button),
      h('p', { class: 'muted' }, `Hold the button or `, h('kbd', {}, TALK_KEY.label), ' to talk. Never on air.'),
    );
    this.#button.addEventListener('pointerdown', (event) => {
      this.#button.setPointerCapture(event.pointerId);
      this.#press();
    });
    for (const up of ['pointerup', 'pointercancel', 'lostpointercapture'] as const)
      this.#button.addEventListener(up, () => this.#talker.release());
    addEventListener('keydown', (event) => {
      if (event.code !== TALK_KEY.code || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTextEntry(event.target)) return;
      event.preventDefault();
      this.#press();
    });
    addEventListener('keyup', (event) => {
      if (event.code === TALK_KEY.code) this.#talker.release();
    });
    // A key held while the window loses focus never sends its keyup here: the microphone must not stay open.
    addEventListener('blur', () => this.#talker.release());
  }

  /** The crew to pick from: the event's cameras and commentary seats, as the state lists them. */
  update(state: ProgramState): void {
    const crew = state.sources
      .filter((source) => isPublisherId(source.id))
      .map((source) => ({ value: source.id, label: source.label }));
    syncOptions(this.#target, [ALL_CREW, ...crew]);
  }

  #press(): void {
    const target: TalkbackTarget = this.#target.value || ALL_CREW.value;
    this.#talker.press(target).catch((error: unknown) => {
      notify('error', `Talkback: no microphone (${(error as Error).message || (error as Error).name}).`);
    });
  }

  #showLive(live: boolean): void {
    this.#button.setAttribute('aria-pressed', String(live));
    this.#button.dataset.live = String(live);
    setText(this.#button, live ? 'TALKING' : 'Hold to talk');
  }
}
