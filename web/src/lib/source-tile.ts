// One source as operators see it in a multiview: the built-in test sources drawn as the template draws
// them (their exact colour), a media source as a video element, a LiveKit camera as its video track.
import {
  describeHealth,
  healthLevel,
  testSourceColour,
  testSourceNumber,
  type CameraHealth,
  type Source,
} from '../../../protocol/index.ts';
import { h, setText } from './dom.ts';
import type { Tally } from '../../../protocol/index.ts';
import { TALLY_BADGE } from './tally.ts';

export class SourceTile {
  readonly element: HTMLElement;
  readonly #label: HTMLElement;
  readonly #status: HTMLElement;
  readonly #media: HTMLElement;
  readonly #health: HTMLElement;
  readonly #number: HTMLElement;
  #source: Source;

  constructor(source: Source) {
    this.#source = source;
    this.#label = h('span', { class: 'tile-name' });
    this.#status = h('span', { class: 'tile-status' });
    this.#media = h('div', { class: 'tile-fill' });
    this.#health = h('span', { class: 'tile-health', hidden: true });
    this.#number = h('span', { class: 'tile-number', hidden: true });
    this.element = h(
      'div',
      { class: 'source-tile', 'data-source': source.id, 'data-tally': 'none' },
      this.#media,
      this.#number,
      h('span', { class: 'tile-tally' }, ''),
      this.#health,
      h('div', { class: 'tile-label' }, this.#label, this.#status),
    );
    this.#drawSource();
    this.update(source);
  }

  get source(): Source {
    return this.#source;
  }

  update(source: Source): void {
    const kindChanged = source.kind !== this.#source.kind || source.url !== this.#source.url;
    this.#source = source;
    setText(this.#label, source.label);
    if (kindChanged) this.#drawSource();
  }

  /** The hotkey number shown on the tile; null past the sources that have one. */
  setNumber(number: number | null): void {
    this.#number.hidden = number === null;
    setText(this.#number, number === null ? '' : String(number));
  }

  setTally(tally: Tally): void {
    if (this.element.dataset.tally === tally) return;
    this.element.dataset.tally = tally;
    const badge = this.element.querySelector('.tile-tally');
    if (badge !== null) setText(badge, TALLY_BADGE[tally]);
  }

  setStatus(text: string): void {
    setText(this.#status, text);
  }

  /** A direct camera's link as it measures it: a badge that turns amber or red past HEALTH_THRESHOLDS. */
  setHealth(health: CameraHealth | undefined): void {
    this.#health.hidden = health === undefined;
    if (health === undefined) return;
    const level = healthLevel(health);
    this.#health.dataset.level = level;
    this.#health.title = describeHealth(health);
    setText(
      this.#health,
      health.width > 0 ? `${health.height}p${Math.round(health.fps)} · ${healthText(health)}` : healthText(health),
    );
  }

  /** A camera track's element (video) replaces whatever the tile showed. */
  attachMedia(element: HTMLMediaElement | null): void {
    this.#media.replaceChildren();
    if (element === null) this.#drawSource();
    else this.#media.append(element);
  }

  #drawSource(): void {
    const source = this.#source;
    this.#media.replaceChildren();
    this.#media.style.background = '#000';
    const n = testSourceNumber(source.id);
    if (source.kind === 'test' && n !== null) {
      this.#media.style.background = testSourceColour(n);
      this.setStatus('test source');
    } else if (source.kind === 'media' && source.url !== undefined) {
      this.#media.append(h('video', { src: source.url, muted: true, autoplay: true, loop: true, playsinline: true }));
      this.setStatus('media');
    } else {
      this.setStatus(source.kind === 'livekit' ? 'no video' : '');
    }
  }
}

function healthText(health: CameraHealth): string {
  const rtt = health.rttMs === null ? '' : ` · ${Math.round(health.rttMs)} ms`;
  return `${health.packetLossPct.toFixed(1)}%${rtt}`;
}
