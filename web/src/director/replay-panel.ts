// The director's replay section: arm the cameras' ISO recordings, mark the last 5/8/12 s of the program or
// preview camera, the clip list with thumbnails (nudge in/out, delete), play a clip at 1×, 0.5× or 0.25×
// (back to live at its end, or stay), and stop a replay. Everything goes through the replay API. A clip whose
// camera ISO is still on its way is listed as waiting, and rolls once it is ready.
import {
  REPLAY_SOURCE_ID,
  REPLAY_SPEEDS,
  type CommandResponse,
  type ProgramState,
  type ReplayClip,
  type ReplayClipStatus,
  type ReplaySpeed,
  type SourceId,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setAttr, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { attempt } from '../lib/notices.ts';

export const MARK_SECONDS = [5, 8, 12] as const;
/** A nudge moves an in or out point by this much. */
const NUDGE_MS = 500;
/** Clips are not pushed over the WebSocket: the list is read again this often (and after every action). */
const CLIP_LIST_REFRESH_MS = 5000;
/** While a clip waits for its ISO the list is read this often, so it shows ready about when it is. */
const PENDING_REFRESH_MS = 500;
/** What a clip's row says of it, by status (a ready clip says nothing). */
const STATUS_TEXT: Record<ReplayClipStatus, string> = {
  pending: 'waiting for ISO…',
  ready: '',
  partial: 'partial: what arrived',
  failed: 'no picture arrived',
};

export class ReplayPanel {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #base: string;
  readonly #send: (armed: boolean) => void;
  readonly #which: HTMLSelectElement;
  readonly #speed: HTMLSelectElement;
  readonly #stay: HTMLInputElement;
  readonly #arm: HTMLButtonElement;
  readonly #list: KeyedList<ReplayClip>;
  readonly #status: HTMLElement;
  #state: ProgramState | null = null;
  #clips: ReplayClip[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: ApiClient, eventId: string, sendArm: (armed: boolean) => void) {
    this.#api = api;
    this.#base = `/api/events/${encodeURIComponent(eventId)}`;
    this.#send = sendArm;
    this.#which = h(
      'select',
      { id: 'replay-source', 'aria-label': 'Camera to mark' },
      h('option', { value: 'program' }, 'Program camera'),
      h('option', { value: 'preview' }, 'Preview camera'),
    );
    this.#speed = h(
      'select',
      { id: 'replay-speed', 'aria-label': 'Replay speed' },
      ...REPLAY_SPEEDS.map((speed) => h('option', { value: String(speed) }, `${speed}×`)),
    );
    this.#speed.value = '0.5';
    this.#stay = h('input', { type: 'checkbox', id: 'replay-stay' });
    this.#arm = h('button', { type: 'button', id: 'replay-arm', onclick: () => this.#send(!this.#armed()) }, 'ISO');
    const list = h('ul', { class: 'replay-clips', id: 'replay-clips' });
    this.#list = new KeyedList(list, { key: (clip) => clip.id, create: (clip) => this.#row(clip) });
    this.#status = h('p', { class: 'muted', id: 'replay-status' });
    this.element = h(
      'section',
      { class: 'panel replay-panel live-dependent', id: 'replay-panel' },
      h('h2', {}, 'Replay'),
      h('div', { class: 'row' }, this.#arm, this.#which),
      h(
        'div',
        { class: 'row' },
        ...MARK_SECONDS.map((seconds) =>
          h(
            'button',
            { type: 'button', 'data-mark': String(seconds), onclick: () => void this.mark(seconds) },
            `Last ${seconds} s`,
          ),
        ),
      ),
      h(
        'div',
        { class: 'row' },
        this.#speed,
        h('label', {}, this.#stay, ' stay on last frame'),
        h('button', { type: 'button', id: 'replay-stop', onclick: () => void this.stop() }, 'Back to live'),
      ),
      this.#status,
      list,
    );
  }

  start(): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh({ quiet: true }), CLIP_LIST_REFRESH_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#pendingTimer);
  }

  update(state: ProgramState): void {
    // A socket frame older than a command's answer already applied (see play) is not the newest state.
    if (this.#state !== null && state.revision < this.#state.revision) return;
    this.#state = state;
    const armed = this.#armed();
    this.#arm.classList.toggle('on', armed);
    setText(this.#arm, armed ? 'ISO recording: on' : 'ISO recording: off');
    this.element.dataset.onAir = String(state.program === REPLAY_SOURCE_ID);
  }

  /** The camera the mark is of: the program's (the live one under a replay) or the preview's. */
  #markSource(): SourceId | null {
    const state = this.#state;
    if (state === null) return null;
    if (this.#which.value === 'preview') return state.preview;
    return state.program === REPLAY_SOURCE_ID ? (state.replay?.returnTo ?? null) : state.program;
  }

  #armed(): boolean {
    return this.#state?.isoArmed === true;
  }

  async mark(seconds: number): Promise<void> {
    const source = this.#markSource();
    if (source === null) return;
    setText(this.#status, `Marking the last ${seconds} s of ${source}…`);
    const made = await attempt('Mark replay', () =>
      this.#api.post<{ clip: ReplayClip }>(`${this.#base}/replay/clips`, { source, lastSeconds: seconds }),
    );
    const waiting = made?.clip.status === 'pending' ? ': waiting for its ISO' : '';
    setText(
      this.#status,
      made === undefined ? '' : `Marked ${(made.clip.durationMs / 1000).toFixed(1)} s of ${source}${waiting}`,
    );
    await this.refresh();
  }

  /** Plays a clip (the newest without one) at the chosen speed. */
  async play(clip?: ReplayClip): Promise<void> {
    const chosen = clip ?? this.#clips.at(-1);
    if (chosen === undefined) return;
    const played = await attempt('Play replay', () =>
      this.#api.post<CommandResponse>(`${this.#base}/replay/play`, {
        clip: chosen.id,
        speed: Number(this.#speed.value) as ReplaySpeed,
        return: !this.#stay.checked,
      }),
    );
    // The answer can come before the socket's frame of the same revision (a loaded venue laptop): keep the
    // newer state, so an Esc pressed right after Play ends the replay instead of finding none on air.
    if (played !== undefined && played.state.revision > (this.#state?.revision ?? -1)) this.update(played.state);
  }

  async stop(): Promise<void> {
    if (this.#state?.program !== REPLAY_SOURCE_ID) return;
    await attempt('Stop replay', () => this.#api.post<CommandResponse>(`${this.#base}/replay/stop`));
  }

  /**
   * Reads the clip list again. The timer's reads are quiet: while the link is down the top bar says so, and
   * a notice every 5 s would push the operator's own failed actions out of the notice list.
   */
  async refresh(options: { quiet?: boolean } = {}): Promise<void> {
    const read = () => this.#api.get<{ clips: ReplayClip[] }>(`${this.#base}/replay/clips`);
    const list = options.quiet === true ? await read().catch(() => undefined) : await attempt('Replay clips', read);
    if (list === undefined) return;
    this.#clips = list.clips;
    this.#list.update([...list.clips].reverse());
    clearTimeout(this.#pendingTimer);
    if (list.clips.some((clip) => clip.status === 'pending'))
      this.#pendingTimer = setTimeout(() => void this.refresh({ quiet: true }), PENDING_REFRESH_MS);
  }

  /** A clip's row: its id never changes, its range (nudges) and so its thumbnail and length may. */
  #row(clip: ReplayClip): KeyedView<ReplayClip> {
    const path = `${this.#base}/replay/clips/${clip.id}`;
    const nudge = (field: 'inDeltaMs' | 'outDeltaMs', delta: number, label: string): HTMLButtonElement =>
      h(
        'button',
        {
          type: 'button',
          title: `${field === 'inDeltaMs' ? 'In' : 'Out'} ${delta > 0 ? '+' : ''}${delta / 1000} s`,
          onclick: () =>
            void attempt('Nudge clip', () => this.#api.request(`PATCH`, path, { [field]: delta })).then(() =>
              this.refresh(),
            ),
        },
        label,
      );
    let current = clip;
    const thumbnail = h('img', { width: '120', loading: 'lazy' });
    // Fetched with the key in the Authorization header and shown from a Blob: a key in an <img> URL would
    // land in access logs and the browser's history. One fetch per thumbnail URL (it changes with a nudge).
    let shown: string | null = null;
    const showThumbnail = (url: string): void => {
      if (url === shown) return;
      shown = url;
      void this.#api.blob(url).then(
        (image) => {
          if (shown !== url) return;
          const previous = thumbnail.src;
          thumbnail.src = URL.createObjectURL(image);
          if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
        },
        () => {
          if (shown === url) shown = null; // asked again on the next refresh
        },
      );
    };
    // Stands in for the thumbnail while a clip has no media yet (pending) or never will (failed).
    const placeholder = h('span', { class: 'replay-thumb-placeholder' });
    const text = h('span', { class: 'mono' });
    const status = h('span', { class: 'replay-clip-status' });
    // A clip without media yet (or ever) cannot roll: the server would refuse it (409 CLIP_PENDING).
    const play = h('button', { type: 'button', class: 'replay-play', onclick: () => void this.play(current) }, 'Play');
    const element = h(
      'li',
      { class: 'replay-clip', 'data-clip': clip.id },
      thumbnail,
      placeholder,
      text,
      status,
      h(
        'span',
        { class: 'row' },
        play,
        nudge('inDeltaMs', -NUDGE_MS, 'In −'),
        nudge('inDeltaMs', NUDGE_MS, 'In +'),
        nudge('outDeltaMs', -NUDGE_MS, 'Out −'),
        nudge('outDeltaMs', NUDGE_MS, 'Out +'),
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              void attempt('Delete clip', () => this.#api.request('DELETE', path)).then(() => this.refresh()),
          },
          'Delete',
        ),
      ),
    );
    return {
      element,
      update: (next) => {
        current = next;
        const time = new Date(next.fromMs).toLocaleTimeString([], { hour12: false });
        setAttr(element, 'data-status', next.status);
        thumbnail.hidden = next.thumbnailUrl === null;
        placeholder.hidden = next.thumbnailUrl !== null;
        if (next.thumbnailUrl !== null) showThumbnail(next.thumbnailUrl);
        setAttr(thumbnail, 'alt', `${next.source} at ${time}`);
        setText(text, `${next.source} · ${time} · ${(next.durationMs / 1000).toFixed(1)} s`);
        setText(status, STATUS_TEXT[next.status]);
        play.disabled = next.mediaUrl === null;
      },
    };
  }
}
