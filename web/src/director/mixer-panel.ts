// The director's sound desk: a strip per source (fader, mute, FOLLOW/ON/OFF, a peak meter; delay and ducking
// in a detail view) and the master strip (fader, mute, limiter, loudness target, "Record international sound"
// and the program's meters).
// Every change is an `audio.source` / `audio.master` command; the meters are the output renderer's, relayed.
// The mixer never keeps the keyboard from the switcher: its buttons give focus back after a click, and the
// switcher's hotkeys read through a focused fader (a range input: arrows still move it; hotkeys.ts).
import './mixer.css';
import {
  AUDIO_GAIN_MAX_DB,
  AUDIO_GAIN_MIN_DB,
  AUDIO_MAX_DELAY_MS,
  AUDIO_METER_FLOOR_DB,
  LOUDNESS_TARGETS_LUFS,
  audioSourceSettings,
  defaultAudioMaster,
  type AudioMeters,
  type AudioMode,
  type AudioSourceSettings,
  type Command,
  type LoudnessTarget,
  type ProgramState,
  type Source,
  type SourceId,
} from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/realtime-client.ts';
import { h, setText } from '../lib/dom.ts';
import { LevelBar, MasterMeterView, MeterFeed, formatDb, type MeterSource } from '../lib/audio-meter.ts';

type Send = (command: Command, what: string) => void;

/** A dragged fader sends at most this often; its release always sends the final value. */
const FADER_SEND_MS = 100;
/** A source whose pre-fader peak stays under this has no sound (a muted phone, a camera without a mic). */
const NO_SOUND_DB = -90;
const MODES: { mode: AudioMode; label: string; title: string }[] = [
  { mode: 'follow', label: 'FOLLOW', title: 'Heard while its picture is on program (audio follows video)' },
  { mode: 'on', label: 'ON', title: 'Always in the mix (a crowd mic, a commentator)' },
  { mode: 'off', label: 'OFF', title: 'Never in the mix' },
];
const INTERNATIONAL_TITLE =
  'A second sound track in the built-in recording: the program without the commentary seats. ' +
  'The recorder reads this as the program output starts, so a change takes effect at the next recording ' +
  'start (a recording added to a running stream keeps what the stream started with).';

/** A button that hands the keyboard back to the switcher once clicked. */
function deskButton(attrs: Record<string, string>, label: string, onClick: () => void): HTMLButtonElement {
  const button = h('button', { type: 'button', ...attrs }, label);
  button.addEventListener('click', () => {
    onClick();
    button.blur();
  });
  return button;
}

/** A fader (−60…+10 dB) that sends while dragged, throttled, and leaves the state alone while held. */
class Fader {
  readonly element: HTMLElement;
  readonly #input: HTMLInputElement;
  readonly #value: HTMLElement;
  #lastSent = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(label: string, send: (gainDb: number) => void) {
    this.#input = h('input', {
      type: 'range',
      class: 'fader',
      min: AUDIO_GAIN_MIN_DB,
      max: AUDIO_GAIN_MAX_DB,
      step: 0.5,
      'aria-label': `${label} fader`,
    });
    this.#value = h('span', { class: 'fader-value' });
    const sendNow = (): void => {
      clearTimeout(this.#timer);
      this.#lastSent = Date.now();
      send(Number(this.#input.value));
    };
    this.#input.addEventListener('input', () => {
      this.#show(Number(this.#input.value));
      const wait = FADER_SEND_MS - (Date.now() - this.#lastSent);
      clearTimeout(this.#timer);
      if (wait <= 0) sendNow();
      else this.#timer = setTimeout(sendNow, wait);
    });
    this.#input.addEventListener('change', sendNow);
    // Double-click: back to unity, as on a desk.
    this.#input.addEventListener('dblclick', () => {
      this.#input.value = '0';
      this.#show(0);
      sendNow();
    });
    this.element = h('div', { class: 'fader-box' }, this.#input, this.#value);
  }

  update(gainDb: number): void {
    if (document.activeElement === this.#input) return; // being moved: the hand wins over the echo
    this.#input.value = String(gainDb);
    this.#show(gainDb);
  }

  #show(gainDb: number): void {
    setText(this.#value, gainDb <= AUDIO_GAIN_MIN_DB ? '−∞' : formatDb(gainDb, 'dB'));
  }
}

class SourceStrip {
  readonly element: HTMLElement;
  readonly #name = h('span', { class: 'strip-name' });
  readonly #meter: LevelBar;
  readonly #sound = h('span', { class: 'strip-sound muted' });
  readonly #fader: Fader;
  readonly #mute: HTMLButtonElement;
  readonly #modes: Map<AudioMode, HTMLButtonElement>;
  readonly #delay: HTMLInputElement;
  readonly #duck: HTMLInputElement;
  #settings: AudioSourceSettings | null = null;

  constructor(
    readonly id: SourceId,
    send: Send,
  ) {
    const set = (patch: Partial<AudioSourceSettings>, what: string): void =>
      send({ type: 'audio.source', source: id, ...patch }, what);
    this.#meter = new LevelBar(`${id} peak`);
    this.#fader = new Fader(id, (gainDb) => set({ gainDb }, 'Fader'));
    this.#mute = deskButton({ class: 'mute-button', title: 'Mute this source' }, 'MUTE', () =>
      set({ muted: !(this.#settings?.muted ?? false) }, 'Mute'),
    );
    this.#modes = new Map(
      MODES.map(({ mode, label, title }) => [
        mode,
        deskButton({ class: 'mode-button', 'data-mode': mode, title }, label, () => set({ mode }, label)),
      ]),
    );
    this.#delay = h('input', {
      type: 'number',
      class: 'delay-input',
      min: 0,
      max: AUDIO_MAX_DELAY_MS,
      step: 10,
      'aria-label': `${id} delay (ms)`,
    });
    this.#delay.addEventListener('change', () => {
      const delayMs = Math.round(Number(this.#delay.value));
      if (Number.isFinite(delayMs) && delayMs >= 0 && delayMs <= AUDIO_MAX_DELAY_MS) set({ delayMs }, 'Delay');
      this.#delay.blur();
    });
    this.#duck = h('input', { type: 'checkbox', 'aria-label': `${id} ducks the others` });
    this.#duck.addEventListener('change', () => {
      set({ duckOthers: this.#duck.checked }, 'Ducking');
      this.#duck.blur();
    });
    this.element = h(
      'div',
      { class: 'mixer-strip', 'data-source': id },
      h('div', { class: 'strip-head' }, this.#name, this.#sound),
      this.#meter.element,
      this.#fader.element,
      h('div', { class: 'strip-buttons' }, this.#mute, ...this.#modes.values()),
      h(
        'details',
        { class: 'strip-detail' },
        h('summary', {}, 'Delay, ducking'),
        h('label', {}, 'Delay ', this.#delay, ' ms'),
        h(
          'label',
          { title: 'While this ON source speaks, the others go down by the duck depth' },
          this.#duck,
          ' Duck others',
        ),
      ),
    );
  }

  update(source: Source, settings: AudioSourceSettings): void {
    this.#settings = settings;
    setText(this.#name, source.label);
    this.#fader.update(settings.gainDb);
    this.#mute.classList.toggle('on', settings.muted);
    this.#mute.setAttribute('aria-pressed', String(settings.muted));
    for (const [mode, button] of this.#modes) {
      button.classList.toggle('selected', settings.mode === mode);
      button.setAttribute('aria-pressed', String(settings.mode === mode));
    }
    if (document.activeElement !== this.#delay) this.#delay.value = String(settings.delayMs);
    this.#duck.checked = settings.duckOthers;
    this.element.dataset.mode = settings.mode;
    this.element.classList.toggle('muted-strip', settings.muted);
  }

  /** The pre-fader level (`reading` null: nobody is measuring; a source missing from it has no sound). */
  level(reading: AudioMeters | null): void {
    const meter = reading?.sources[this.id];
    const silent = reading !== null && (meter === undefined || meter.peakDb < NO_SOUND_DB);
    this.#meter.level(meter === undefined || meter.peakDb <= AUDIO_METER_FLOOR_DB ? null : meter.peakDb);
    setText(this.#sound, silent ? 'no sound' : '');
    this.element.classList.toggle('no-sound', silent);
  }
}

class MasterStrip {
  readonly element: HTMLElement;
  readonly view = new MasterMeterView();
  readonly #fader: Fader;
  readonly #mute: HTMLButtonElement;
  readonly #limiter: HTMLButtonElement;
  readonly #target: HTMLSelectElement;
  readonly #international: HTMLInputElement;
  #master = defaultAudioMaster();

  constructor(send: Send) {
    this.#fader = new Fader('Master', (gainDb) => send({ type: 'audio.master', gainDb }, 'Master fader'));
    this.#mute = deskButton({ class: 'mute-button', title: 'Mute the program' }, 'MUTE', () =>
      send({ type: 'audio.master', muted: !this.#master.muted }, 'Master mute'),
    );
    this.#limiter = deskButton({ class: 'limiter-button', title: 'True-peak limiter' }, 'LIMITER', () =>
      send({ type: 'audio.master', limiter: { on: !this.#master.limiter.on } }, 'Limiter'),
    );
    this.#target = h(
      'select',
      { 'aria-label': 'Loudness target' },
      ...LOUDNESS_TARGETS_LUFS.map((lufs) => h('option', { value: lufs }, `${formatDb(lufs, 'LUFS')}`)),
    );
    this.#target.addEventListener('change', () => {
      const targetLufs = Number(this.#target.value) as LoudnessTarget;
      send({ type: 'audio.master', loudness: { targetLufs } }, 'Loudness target');
      this.#target.blur();
    });
    this.#international = h('input', { type: 'checkbox', class: 'international-toggle' });
    this.#international.addEventListener('change', () => {
      send({ type: 'audio.master', international: this.#international.checked }, 'International sound');
      this.#international.blur();
    });
    this.element = h(
      'div',
      { class: 'mixer-strip master-strip' },
      h('div', { class: 'strip-head' }, h('span', { class: 'strip-name' }, 'Program')),
      this.#fader.element,
      h('div', { class: 'strip-buttons' }, this.#mute, this.#limiter),
      h('label', { class: 'target-field' }, 'Target ', this.#target),
      h(
        'label',
        { class: 'international-field', title: INTERNATIONAL_TITLE },
        this.#international,
        ' Record international sound',
      ),
      h('small', { class: 'international-note' }, 'from the next recording start'),
      this.view.element,
    );
  }

  update(state: ProgramState): void {
    const master = state.audio?.master ?? defaultAudioMaster();
    this.#master = master;
    this.#fader.update(master.gainDb);
    this.#mute.classList.toggle('on', master.muted);
    this.#mute.setAttribute('aria-pressed', String(master.muted));
    this.#limiter.classList.toggle('selected', master.limiter.on);
    this.#limiter.setAttribute('aria-pressed', String(master.limiter.on));
    this.#limiter.title = `True-peak limiter, ceiling ${formatDb(master.limiter.ceilingDbtp, 'dBTP')}`;
    if (document.activeElement !== this.#target) this.#target.value = String(master.loudness.targetLufs);
    this.#international.checked = master.international === true;
    this.view.target(state);
  }
}

export class MixerPanel {
  readonly element: HTMLElement;
  readonly #strips = new Map<SourceId, SourceStrip>();
  readonly #list = h('div', { class: 'mixer-strips' });
  readonly #master: MasterStrip;
  readonly #feed: MeterFeed;
  readonly #send: Send;

  /** `localMeters`: the page's own program monitor, shown (and said to be) while no output renderer reports. */
  constructor(send: Send, realtime: RealtimeClient, localMeters?: () => AudioMeters | null) {
    this.#send = send;
    this.#master = new MasterStrip(send);
    this.element = h(
      'section',
      { class: 'mixer-panel panel live-dependent' },
      h('h2', {}, 'Sound'),
      h('div', { class: 'mixer-body' }, this.#list, this.#master.element),
    );
    this.#feed = new MeterFeed(realtime, (meters, source) => this.#levels(meters, source), localMeters);
    realtime.on('state', (state) => this.update(state));
  }

  update(state: ProgramState): void {
    // Keyed by source id: a strip being dragged or edited is kept, only its values change.
    for (const [id, strip] of this.#strips) {
      if (state.sources.some((s) => s.id === id)) continue;
      strip.element.remove();
      this.#strips.delete(id);
    }
    state.sources.forEach((source, index) => {
      let strip = this.#strips.get(source.id);
      if (strip === undefined) {
        strip = new SourceStrip(source.id, this.#send);
        this.#strips.set(source.id, strip);
        strip.level(this.#feed.meters);
      }
      if (this.#list.children[index] !== strip.element)
        this.#list.insertBefore(strip.element, this.#list.children[index] ?? null);
      strip.update(source, audioSourceSettings(state.audio, source));
    });
    this.#master.update(state);
    this.#master.view.show(this.#feed.meters, this.#feed.source);
  }

  #levels(meters: AudioMeters | null, source: MeterSource): void {
    for (const strip of this.#strips.values()) strip.level(meters);
    this.#master.view.show(meters, source);
  }
}
