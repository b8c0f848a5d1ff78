// Finished recordings (duration, size, export button) and the exports on disk with their files: the
// MP4, poster, thumbnail strip, EDL and YouTube chapters. An export's progress comes from the worker's
// `job.export` frames; the lists reload when an output stops or an export completes.
import { Type } from '@sinclair/typebox';
import {
  ExportViewSchema,
  IsoListResponseSchema,
  RecordingViewSchema,
  SeatIdSchema,
  SignedUrlAnswerSchema,
  formatDuration,
  parse,
  type ExportDownload,
  type ExportStatusMessage,
  type ExportTrack,
  type ExportView,
  type RecordingView,
} from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setAttr, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { attempt } from '../lib/notices.ts';
import type { RealtimeClient } from '../../../client/index.ts';

const RecordingsAnswerSchema = Type.Object({ recordings: Type.Array(RecordingViewSchema) });
const ExportsAnswerSchema = Type.Object({ exports: Type.Array(ExportViewSchema) });
const ExportStartedSchema = Type.Object({ jobId: Type.String(), files: Type.Array(Type.String()) });
/** Output frames come in bursts when outputs change: one reload for the burst. */
const RELOAD_DEBOUNCE_MS = 500;

const DOWNLOADS: readonly { id: ExportDownload; label: string }[] = [
  { id: 'mp4', label: 'MP4' },
  { id: 'poster', label: 'Poster' },
  { id: 'thumbnails', label: 'Thumbnails' },
  { id: 'edl', label: 'EDL' },
  { id: 'chapters', label: 'Chapters' },
];

export class RecordingsPanel {
  readonly element: HTMLElement;
  readonly #recordingList: KeyedList<RecordingView>;
  readonly #exportList: KeyedList<ExportLine>;
  readonly #base: string;
  #recordings: RecordingView[] = [];
  #exports: ExportView[] = [];
  /** Exports in progress by job id, from job.export frames (and the export button's answer). */
  readonly #progress = new Map<string, ExportStatusMessage | null>();
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  #outputState = '';

  constructor(
    private readonly api: ApiClient,
    eventId: string,
    realtime: RealtimeClient,
    /** The recordings after each load (the switch log takes its stills from them). */
    private readonly onRecordings: (recordings: readonly RecordingView[]) => void = () => {},
  ) {
    this.#base = `/api/events/${encodeURIComponent(eventId)}`;
    const recordings = h('ul', { class: 'recording-list', id: 'recording-list' });
    const exports = h('ul', { class: 'export-list', id: 'export-list' });
    this.#recordingList = new KeyedList(recordings, {
      key: (r) => String(r.index),
      create: (r) => this.#recordingRow(r),
      empty: h('li', { class: 'muted empty' }, 'No finished recording yet: press REC under Outputs, then stop it.'),
    });
    this.#exportList = new KeyedList(exports, {
      key: (line) => line.key,
      create: (line) => this.#exportRow(line),
      empty: h('li', { class: 'muted empty' }, 'No exports yet.'),
    });
    this.element = h(
      'section',
      { class: 'panel recordings-panel' },
      h('h2', {}, 'Recordings'),
      recordings,
      h('h2', { class: 'subhead' }, 'Exports'),
      exports,
    );
    realtime.on('status', (status) => {
      if (status === 'online') this.#scheduleReload();
    });
    realtime.handle({
      'job.output': (frame) => {
        // A recording is listed once its output has stopped: reload when the output's shape changes.
        const shape = JSON.stringify([frame.state, frame.outputs.map((o) => [o.id, o.state])]);
        if (shape === this.#outputState) return;
        this.#outputState = shape;
        this.#scheduleReload();
      },
      'job.export': (frame) => {
        this.#progress.set(frame.jobId, frame);
        if (frame.state === 'completed' || frame.state === 'failed') this.#scheduleReload();
        this.#render();
      },
    });
  }

  #scheduleReload(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.load(), RELOAD_DEBOUNCE_MS);
  }

  async load(): Promise<void> {
    const [recordings, exports] = await Promise.all([
      attempt('Loading recordings', () => this.api.get<unknown>(`${this.#base}/recordings`)),
      attempt('Loading exports', () => this.api.get<unknown>(`${this.#base}/exports`)),
    ]);
    const r = parse(RecordingsAnswerSchema, recordings);
    if (r.ok) {
      this.#recordings = r.value.recordings;
      this.onRecordings(this.#recordings);
    }
    const e = parse(ExportsAnswerSchema, exports);
    if (e.ok) this.#exports = e.value.exports;
    this.#render();
  }

  #render(): void {
    this.#recordingList.update([...this.#recordings].reverse());
    const running = [...this.#progress.entries()].filter(
      ([jobId, status]) =>
        !this.#exports.some((e) => e.jobId === jobId && e.files.edl !== undefined) && status?.state !== 'failed',
    );
    const failed = [...this.#progress.entries()].filter(([, s]) => s?.state === 'failed');
    this.#exportList.update([
      ...running.map(([jobId, status]): ExportLine => ({ key: `running:${jobId}`, jobId, status })),
      ...failed.map(([jobId, status]): ExportLine => ({ key: `failed:${jobId}`, jobId, status })),
      ...this.#exports
        .filter((e) => !running.some(([id]) => id === e.jobId))
        // Its files in the key: a reload that brings more of them makes the row anew.
        .map((e): ExportLine => ({ key: `done:${e.jobId}:${Object.keys(e.files).join()}`, jobId: e.jobId, done: e })),
    ]);
  }

  /** A finished recording does not change: its row is made once. */
  #recordingRow(r: RecordingView): KeyedView<RecordingView> {
    const button = h('button', { type: 'button', class: 'primary export-button' }, 'Export');
    const international = h('input', { type: 'checkbox', class: 'export-international' });
    const commentary = h('input', { type: 'checkbox', class: 'export-commentary' });
    button.addEventListener('click', () => {
      button.disabled = true;
      const body = async (): Promise<{ recording: number; tracks?: ExportTrack[] }> => {
        const tracks: ExportTrack[] = [{ source: 'program' }];
        if (international.checked) tracks.push({ source: 'international' });
        if (commentary.checked) tracks.push(...(await this.#seatTracks(r)));
        return tracks.length === 1 ? { recording: r.index } : { recording: r.index, tracks };
      };
      void attempt('Export', async () => this.api.post<unknown>(`${this.#base}/exports`, await body())).then(
        (answer) => {
          button.disabled = false;
          const started = parse(ExportStartedSchema, answer);
          if (!started.ok) return;
          if (!this.#progress.has(started.value.jobId)) this.#progress.set(started.value.jobId, null);
          this.#render();
        },
      );
    });
    const element = h(
      'li',
      { class: 'recording-item', 'data-recording': r.index },
      h(
        'div',
        { class: 'recording-name' },
        h('strong', {}, r.startedAt === null ? r.name : new Date(r.startedAt).toLocaleString()),
        h('span', { class: 'muted mono' }, r.name),
      ),
      h('span', { class: 'mono' }, r.durationMs === null ? '—' : formatDuration(r.durationMs)),
      h('span', { class: 'mono muted' }, r.bytes === null ? 'remote' : size(r.bytes)),
      r.recovered ? h('span', { class: 'chip', title: 'Finalised after a worker restart' }, 'recovered') : null,
      h(
        'label',
        {
          class: 'check',
          title:
            'A second sound track: the program without the commentators (a recording made with the sound ' +
            'desk’s “Record international sound” on; another fails the export, naming the recording)',
        },
        international,
        'International sound',
      ),
      h('label', { class: 'check', title: 'Each commentator’s own recording as a track' }, commentary, 'Commentary'),
      button,
    );
    return { element, update: () => {} };
  }

  /** A track for each commentary seat whose ISO recording overlaps the recording. */
  async #seatTracks(r: RecordingView): Promise<ExportTrack[]> {
    const answer = parse(IsoListResponseSchema, await this.api.get<unknown>(`${this.#base}/iso`));
    if (!answer.ok || r.startedAt === null) return [];
    const from = r.startedAt;
    const seats = answer.value.ranges
      .filter((range) => range.fromMs < r.endedAt && range.toMs > from)
      .flatMap((range) => {
        const seat = parse(SeatIdSchema, range.camera);
        return seat.ok ? [seat.value] : [];
      });
    return [...new Set(seats)].map((seat) => ({ source: seat }));
  }

  /** Running: progress that moves; failed: its message; done: its downloads, made once. */
  #exportRow(line: ExportLine): KeyedView<ExportLine> {
    if (line.done !== undefined) return { element: this.#doneRow(line.done), update: () => {} };
    if (line.key.startsWith('failed:')) {
      const element = h('li', { class: 'export-item', 'data-state': 'failed' });
      return { element, update: (l) => setText(element, `Export failed: ${l.status?.message}`) };
    }
    const bar = h('progress', { max: 1, 'aria-label': 'Export progress' });
    const label = h('span', { class: 'muted' });
    const element = h('li', { class: 'export-item', 'data-export': line.jobId, 'data-state': 'running' }, bar, label);
    return {
      element,
      update: ({ status }) => {
        const fraction = status?.progress ?? 0;
        setAttr(bar, 'value', String(fraction));
        setText(label, `${Math.round(fraction * 100)} % · ${status?.message || 'queued'}`);
      },
    };
  }

  /**
   * A download starts from a signed URL asked for at the click (protocol/key-transport.ts): a plain link
   * cannot send the key, and an export's MP4 is too big to buffer into a Blob first.
   */
  async #download(path: string): Promise<void> {
    const signed = parse(
      SignedUrlAnswerSchema,
      await attempt('Preparing the download', () => this.api.post<unknown>('/api/signed-urls', { path })),
    );
    if (!signed.ok) return;
    const link = h('a', { href: signed.value.url, download: '', hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  }

  #doneRow(e: ExportView): HTMLElement {
    return h(
      'li',
      { class: 'export-item', 'data-export': e.jobId, 'data-state': 'done' },
      h('span', { class: 'muted' }, new Date(e.createdAt).toLocaleString()),
      h(
        'span',
        { class: 'downloads' },
        ...DOWNLOADS.map(({ id, label }) => {
          const path = e.files[id];
          if (path === undefined) return null;
          const link = h('a', { class: 'download', 'data-download': id, href: path, download: '' }, label);
          link.addEventListener('click', (event) => {
            event.preventDefault();
            void this.#download(path);
          });
          return link;
        }),
      ),
    );
  }
}

/** One row of the export list: an export running, failed, or done with its files. */
interface ExportLine {
  key: string;
  jobId: string;
  status?: ExportStatusMessage | null | undefined;
  done?: ExportView;
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
