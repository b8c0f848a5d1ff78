// The Pitchside player: the event's own HLS (protocol/hls.ts) in a <video>, with hls.js where the browser
// has Media Source Extensions (it measures latency and lets the page recover from errors), and the
// browser's own HLS where it has no MSE (older iPhones) or when the link asks for it (`&player=native`).
// It shows how far behind real time the picture is, and recovers from a stalled or failed stream.
import type Hls from 'hls.js';
import type { ErrorData } from 'hls.js';
import { h, setText } from '../lib/dom.ts';

export type PlayerEngine = 'hlsjs' | 'native';

export interface HlsPlayerOptions {
  /** The playlist URL, key included when the event is not public. */
  url: string;
  /** Server time (ms): program date-times are the worker's clock, so latency is measured on the server's. */
  now: () => number;
  /** `native` forces the browser's own HLS (where it has one). */
  prefer?: PlayerEngine;
}

/** Live edge hold-back in segments (2 s each): close to live, yet a late segment does not stall at once. */
const LIVE_SYNC_SEGMENTS = 2;
/** Further behind than this (segments), hls.js jumps forward to the live edge. */
const LIVE_MAX_LATENCY_SEGMENTS = 6;
/** Playback may run this much faster to catch up with the hold-back after a hiccup (inaudible). */
const CATCH_UP_RATE = 1.1;
/** No progress for this long while meant to be playing: the player is rebuilt at the live edge. */
const STALL_REBUILD_MS = 8_000;
const WATCHDOG_MS = 1_000;
/** Waits before reloading after a fatal network error (the output restarting, the server away). */
const RETRY_STEPS_MS = [1_000, 2_000, 5_000, 10_000];
/** A second fatal media error this soon after a recovery: swap the audio codec before trying again. */
const MEDIA_ERROR_WINDOW_MS = 5_000;
const LATENCY_REFRESH_MS = 500;

export class HlsPlayer {
  readonly element: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly #latency: HTMLElement;
  readonly #note: HTMLElement;
  #hls: Hls | null = null;
  #engine: PlayerEngine = 'hlsjs';
  #retry = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #lastMediaError = 0;
  #lastTime = -1;
  #lastProgressAt = Date.now();
  #recoveries = 0;
  #closed = false;
  readonly #timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly options: HlsPlayerOptions) {
    this.video = h('video', {
      id: 'pitchside-video',
      controls: true,
      muted: true,
      autoplay: true,
      playsinline: true,
      'aria-label': 'Pitchside player',
    });
    // Muted: browsers allow autoplay only without sound; the viewer turns it up with the controls.
    this.video.muted = true;
    this.#latency = h('span', { class: 'player-latency mono', id: 'player-latency' }, 'Latency —');
    this.#note = h('span', { class: 'player-note muted', id: 'player-note', role: 'status' });
    this.element = h(
      'div',
      { class: 'pitchside-player' },
      h('div', { class: 'player' }, this.video),
      h('div', { class: 'row player-meta' }, this.#latency, this.#note),
    );
    this.video.addEventListener('ended', () => setText(this.#note, 'The stream has ended.'));
    this.video.addEventListener('playing', () => setText(this.#note, ''));
  }

  get recoveries(): number {
    return this.#recoveries;
  }

  async start(): Promise<void> {
    const native = this.video.canPlayType('application/vnd.apple.mpegurl') !== '';
    const { default: HlsClass } = await import('hls.js');
    this.#engine = native && (this.options.prefer === 'native' || !HlsClass.isSupported()) ? 'native' : 'hlsjs';
    this.element.dataset['engine'] = this.#engine;
    if (this.#engine === 'hlsjs' && !HlsClass.isSupported()) {
      setText(this.#note, 'This browser cannot play the stream.');
      return;
    }
    this.#load(HlsClass);
    this.#timers.push(setInterval(() => this.#watchdog(HlsClass), WATCHDOG_MS));
    this.#timers.push(setInterval(() => this.#showLatency(), LATENCY_REFRESH_MS));
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#hls?.destroy();
    this.#hls = null;
    this.video.removeAttribute('src');
    this.video.load();
  }

  #load(HlsClass: typeof Hls): void {
    this.#lastProgressAt = Date.now();
    if (this.#engine === 'native') {
      this.video.src = this.options.url;
      void this.video.play().catch(() => undefined);
      return;
    }
    const hls = new HlsClass({
      liveSyncDurationCount: LIVE_SYNC_SEGMENTS,
      liveMaxLatencyDurationCount: LIVE_MAX_LATENCY_SEGMENTS,
      maxLiveSyncPlaybackRate: CATCH_UP_RATE,
      // Live only: nothing far behind the playhead is needed again.
      backBufferLength: 30,
    });
    this.#hls = hls;
    hls.on(HlsClass.Events.ERROR, (_event, data) => this.#onError(HlsClass, data));
    hls.on(HlsClass.Events.FRAG_BUFFERED, () => {
      this.#retry = 0;
    });
    hls.loadSource(this.options.url);
    hls.attachMedia(this.video);
    void this.video.play().catch(() => undefined);
  }

  /** hls.js's own recovery for what it can recover, a fresh instance for the rest. */
  #onError(HlsClass: typeof Hls, data: ErrorData): void {
    if (!data.fatal || this.#closed) return;
    const hls = this.#hls;
    if (hls === null) return;
    if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR) {
      this.#recoveries++;
      const now = Date.now();
      if (now - this.#lastMediaError < MEDIA_ERROR_WINDOW_MS) hls.swapAudioCodec();
      this.#lastMediaError = now;
      hls.recoverMediaError();
      return;
    }
    // The playlist is not there yet (the output is starting) or the server went away: load again, later.
    setText(this.#note, data.type === HlsClass.ErrorTypes.NETWORK_ERROR ? 'Waiting for the stream…' : 'Reconnecting…');
    this.#rebuildLater(HlsClass);
  }

  #rebuildLater(HlsClass: typeof Hls): void {
    if (this.#retryTimer !== null || this.#closed) return;
    const delay = RETRY_STEPS_MS[Math.min(this.#retry, RETRY_STEPS_MS.length - 1)]!;
    this.#retry++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#rebuild(HlsClass);
    }, delay);
  }

  #rebuild(HlsClass: typeof Hls): void {
    if (this.#closed) return;
    this.#recoveries++;
    this.element.dataset['recoveries'] = String(this.#recoveries);
    this.#hls?.destroy();
    this.#hls = null;
    this.#load(HlsClass);
  }

  /** A picture that stops moving while it should play (a lost segment, a decoder stuck) is reloaded at live. */
  #watchdog(HlsClass: typeof Hls): void {
    const v = this.video;
    const time = v.currentTime;
    if (time !== this.#lastTime || v.paused || v.ended) {
      this.#lastTime = time;
      this.#lastProgressAt = Date.now();
      this.element.dataset['currentTime'] = time.toFixed(2);
      return;
    }
    if (Date.now() - this.#lastProgressAt < STALL_REBUILD_MS || this.#retryTimer !== null) return;
    setText(this.#note, 'The stream stalled: reconnecting…');
    this.#rebuild(HlsClass);
  }

  /**
   * Glass to player: the server's now minus the program date-time of the picture on screen. Native HLS
   * gives the date only in Safari (getStartDate); elsewhere the distance to the live edge is shown.
   */
  #showLatency(): void {
    const shown = this.#playingDate();
    let text = 'Latency —';
    if (shown !== null) {
      const latencyMs = this.options.now() - shown;
      this.#latency.dataset['latencyMs'] = String(Math.round(latencyMs));
      text = `Latency ${(latencyMs / 1000).toFixed(1)} s`;
    } else if (this.video.seekable.length > 0) {
      const behind = this.video.seekable.end(this.video.seekable.length - 1) - this.video.currentTime;
      text = `${behind.toFixed(1)} s behind live`;
    }
    setText(this.#latency, text);
  }

  #playingDate(): number | null {
    if (this.#hls !== null) return this.#hls.playingDate?.getTime() ?? null;
    const start = (this.video as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.();
    const ms = start?.getTime();
    return ms === undefined || Number.isNaN(ms) ? null : ms + this.video.currentTime * 1000;
  }
}
