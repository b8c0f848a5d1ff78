// The program's meters as the output renderer measured them (relayed `audio.meters` frames): a level bar, and
// the master readout an operator judges the mix by (LUFS momentary / short-term / integrated against the
// target, true peak, the limiter's gain reduction). Shared by the director's mixer and the graphics desk.
import './audio-meter.css';
import {
  AUDIO_GAIN_MIN_DB,
  AUDIO_METER_FLOOR_DB,
  AUDIO_METER_STALE_MS,
  type AudioMeters,
  type AudioMetersMessage,
  type ProgramState,
} from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/realtime-client.ts';
import { h, setText } from './dom.ts';

/** Bars show −60…0 dBFS, a desk meter's useful range; anything lower is an empty bar. */
const BAR_FLOOR_DB = AUDIO_GAIN_MIN_DB;
/** A staleness check this often: a renderer that stops reporting must not leave a frozen level on screen. */
const STALE_CHECK_MS = 250;
/** Within this of the target the integrated loudness reads as on target (EBU R128 allows ±1 LU). */
const ON_TARGET_LU = 1;

export function formatDb(db: number, unit: string): string {
  if (db <= AUDIO_METER_FLOOR_DB) return `−∞ ${unit}`;
  return `${db < 0 ? '−' : db > 0 ? '+' : ''}${Math.abs(db).toFixed(1)} ${unit}`;
}

/** A horizontal level bar; `level(null)` empties it. */
export class LevelBar {
  readonly element: HTMLElement;
  readonly #fill: HTMLElement;

  constructor(label: string) {
    this.#fill = h('span', { class: 'level-fill' });
    this.element = h('span', { class: 'level-bar', role: 'meter', 'aria-label': label }, this.#fill);
  }

  level(db: number | null): void {
    const share = db === null ? 0 : Math.min(1, Math.max(0, (db - BAR_FLOOR_DB) / -BAR_FLOOR_DB));
    this.#fill.style.width = `${(share * 100).toFixed(1)}%`;
    this.element.dataset.zone = db === null ? 'none' : db > -1 ? 'over' : db > -9 ? 'high' : 'ok';
    this.element.setAttribute('aria-valuenow', db === null ? '' : db.toFixed(1));
  }
}

/** Where the meters shown come from: the output renderer (what goes out), this page's own program monitor, or nowhere. */
export type MeterSource = 'renderer' | 'monitor' | null;

/** How often a page's own monitor is read while no output renderer reports (the renderer's rate). */
const LOCAL_POLL_MS = 100;

/**
 * The latest reading of the event, or null once none has arrived for AUDIO_METER_STALE_MS (no output
 * renderer is running, or it stopped). With `local` (the page's own program monitor), its reading stands in
 * while no renderer reports, and says so (`source` 'monitor'): an operator rehearsing before going live still
 * sees levels, never mistaking them for the output's. Calls `onChange` on every reading and when it goes stale.
 */
export class MeterFeed {
  #latest: { meters: AudioMeters; at: number } | null = null;
  #local: AudioMeters | null = null;

  constructor(
    realtime: RealtimeClient,
    onChange: (meters: AudioMeters | null, source: MeterSource) => void,
    local?: () => AudioMeters | null,
  ) {
    realtime.handle({
      'audio.meters': (frame: AudioMetersMessage) => {
        this.#latest = { meters: frame.meters, at: Date.now() };
        this.#local = null;
        onChange(frame.meters, 'renderer');
      },
    });
    setInterval(() => {
      if (this.#latest === null || Date.now() - this.#latest.at < AUDIO_METER_STALE_MS) return;
      this.#latest = null;
      if (local === undefined) onChange(null, null);
    }, STALE_CHECK_MS);
    if (local !== undefined)
      setInterval(() => {
        if (this.#latest !== null) return;
        const reading = local();
        if (reading === null && this.#local === null) return;
        this.#local = reading;
        onChange(reading, reading === null ? null : 'monitor');
      }, LOCAL_POLL_MS);
  }

  get meters(): AudioMeters | null {
    return this.#latest?.meters ?? this.#local;
  }

  get source(): MeterSource {
    return this.#latest !== null ? 'renderer' : this.#local !== null ? 'monitor' : null;
  }
}

/** The master readout. Read-only: the graphics desk shows it as it is, the director's master strip beside a fader. */
export class MasterMeterView {
  readonly element: HTMLElement;
  readonly #bars = [new LevelBar('Left peak'), new LevelBar('Right peak')];
  readonly #reduction = h('span', { class: 'meter-value' });
  readonly #momentary = h('span', { class: 'meter-value' });
  readonly #shortTerm = h('span', { class: 'meter-value' });
  readonly #integrated = h('span', { class: 'meter-value integrated' });
  readonly #truePeak = h('span', { class: 'meter-value' });
  readonly #status = h('p', { class: 'meter-status muted' });
  #targetLufs: number | null = null;

  constructor() {
    const row = (label: string, value: HTMLElement): HTMLElement =>
      h('div', { class: 'meter-row' }, h('span', { class: 'meter-label' }, label), value);
    this.element = h(
      'div',
      { class: 'master-meter' },
      h('div', { class: 'meter-bars' }, ...this.#bars.map((bar) => bar.element)),
      h(
        'div',
        { class: 'meter-grid' },
        row('Momentary', this.#momentary),
        row('Short-term', this.#shortTerm),
        row('Integrated', this.#integrated),
        row('True peak (max)', this.#truePeak),
        row('Limiter reduction', this.#reduction),
      ),
      this.#status,
    );
    this.show(null);
  }

  /** The loudness target the integrated value is judged against (audio.master.loudness.targetLufs). */
  target(state: ProgramState): void {
    this.#targetLufs = state.audio?.master.loudness.targetLufs ?? null;
  }

  show(meters: AudioMeters | null, source: MeterSource = meters === null ? null : 'renderer'): void {
    this.element.classList.toggle('stale', meters === null);
    this.element.dataset.source = source ?? 'none';
    const target = this.#targetLufs;
    const targetText = target === null ? '' : `Target ${formatDb(target, 'LUFS')}`;
    setText(
      this.#status,
      meters === null
        ? 'No output renderer is reporting: start the recording or the stream to see the program’s meters.'
        : source === 'monitor'
          ? `No output renderer is running: these are this page’s program monitor meters, not the output’s. ${targetText}`.trim()
          : targetText,
    );
    const master = meters?.master;
    this.#bars.forEach((bar, i) => bar.level(master?.channels[i]?.peakDb ?? master?.channels[0]?.peakDb ?? null));
    const lufs = (value: number | undefined): string => (value === undefined ? '—' : formatDb(value, 'LUFS'));
    setText(this.#momentary, lufs(master?.momentaryLufs));
    setText(this.#shortTerm, lufs(master?.shortTermLufs));
    setText(this.#integrated, lufs(master?.integratedLufs));
    setText(this.#truePeak, master === undefined ? '—' : formatDb(master.truePeakMaxDbtp, 'dBTP'));
    setText(this.#reduction, master === undefined ? '—' : formatDb(master.gainReductionDb, 'dB'));
    const off = master === undefined || target === null ? null : master.integratedLufs - target;
    this.#integrated.dataset.target =
      off === null || master === undefined || master.integratedLufs <= AUDIO_METER_FLOOR_DB
        ? ''
        : Math.abs(off) <= ON_TARGET_LU
          ? 'on'
          : off > 0
            ? 'loud'
            : 'quiet';
    this.#truePeak.dataset.over = String(master !== undefined && master.truePeakMaxDbtp > -1);
  }
}

/** The graphics desk's read-only master meter: a panel of its own, fed by the relayed readings. */
export function masterMeterPanel(realtime: RealtimeClient): HTMLElement {
  const view = new MasterMeterView();
  const feed = new MeterFeed(realtime, (meters) => view.show(meters));
  realtime.on('state', (state) => {
    view.target(state);
    view.show(feed.meters);
  });
  return h('section', { class: 'panel master-meter-panel' }, h('h2', {}, 'Program sound'), view.element);
}
