// Output controls: go live to each destination on its own, record, stop, with each output's live status,
// uptime and error as the worker reports them (`job.output` frames, protocol/jobs.ts).
import { Type } from '@sinclair/typebox';
import {
  EventSchema,
  JobStatusMessageSchema,
  formatDuration,
  parse,
  type DestinationView,
  type OutputReport,
  type OutputStatusMessage,
} from '../../../protocol/index.ts';
import '../styles/outputs.css';
import type { ApiClient } from '../lib/api-client.ts';
import { h, setText } from '../lib/dom.ts';
import { KeyedList, type KeyedView } from '../lib/keyed-list.ts';
import { attempt } from '../lib/notices.ts';
import type { RealtimeClient } from '../../../client/index.ts';

const RECORDING_ID = 'recording';

/** The part of GET /outputs this panel reads: the last job statuses, the same frames the socket pushes. */
const OutputsAnswerSchema = Type.Object({ statuses: Type.Array(JobStatusMessageSchema) });

export class OutputsPanel {
  readonly element: HTMLElement;
  readonly #rows: KeyedList<OutputLine>;
  readonly #summary: HTMLElement;
  readonly #api: ApiClient;
  readonly #base: string;
  readonly #realtime: RealtimeClient;
  readonly #none: HTMLElement;
  #destinations: DestinationView[] = [];
  #status: OutputStatusMessage | null = null;
  /** Server time each output was first seen live, for its uptime (reports carry states, not start times). */
  readonly #liveSince = new Map<string, number>();

  constructor(api: ApiClient, eventId: string, realtime: RealtimeClient) {
    this.#api = api;
    this.#realtime = realtime;
    this.#base = `/api/events/${encodeURIComponent(eventId)}`;
    const rows = h('div', { class: 'output-rows', id: 'output-rows' });
    this.#rows = new KeyedList(rows, { key: (line) => line.id, create: () => new OutputRow() });
    // Outside the keyed rows: with no destination the recording row is still there, this note below it.
    this.#none = h(
      'p',
      { class: 'muted' },
      'No destinations: an admin adds YouTube, Twitch or RTMP in the event settings.',
    );
    this.#summary = h('span', { class: 'muted output-summary', id: 'output-summary' }, 'No output running');
    this.element = h(
      'section',
      { class: 'outputs-panel panel live-dependent' },
      h(
        'div',
        { class: 'row' },
        h('h2', {}, 'Outputs'),
        h('span', { class: 'spacer' }),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            id: 'stop-all',
            onclick: () => this.#post('Stop all', '/outputs/stop', {}),
          },
          'STOP ALL',
        ),
      ),
      this.#summary,
      rows,
      this.#none,
    );
    realtime.handle({
      destinations: (frame) => {
        this.#destinations = frame.destinations;
        this.#render();
      },
      'job.output': (frame) => this.#handleOutput(frame),
    });
    // Every (re)connect: reload what the socket may have missed while it was down.
    realtime.on('status', (status) => {
      if (status === 'online') void this.load();
    });
    setInterval(() => this.#render(), 1000);
  }

  async load(): Promise<void> {
    const event = await attempt('Loading destinations', () => this.#api.get<unknown>(this.#base));
    const parsed = parse(EventSchema, event);
    if (parsed.ok) this.#destinations = parsed.value.destinations;
    const outputs = parse(
      OutputsAnswerSchema,
      await attempt('Loading output status', () => this.#api.get<unknown>(`${this.#base}/outputs`)),
    );
    for (const status of outputs.ok ? outputs.value.statuses : [])
      if (status.type === 'job.output') this.#handleOutput(status);
    this.#render();
  }

  #handleOutput(status: OutputStatusMessage): void {
    if (this.#status !== null && status.at < this.#status.at) return;
    this.#status = status;
    for (const output of status.outputs) {
      if (output.state !== 'live') this.#liveSince.delete(output.id);
      else if (!this.#liveSince.has(output.id))
        this.#liveSince.set(
          output.id,
          output.id === RECORDING_ID ? (status.recordingStartedAt ?? status.at) : status.at,
        );
    }
    this.#render();
  }

  #render(): void {
    const reports = new Map((this.#status?.outputs ?? []).map((o) => [o.id, o]));
    const job = this.#status;
    setText(
      this.#summary,
      job === null
        ? 'No output running'
        : `${job.backend} output: ${job.state}${job.message === '' ? '' : ` · ${job.message}`}`,
    );
    const recording = reports.get(RECORDING_ID) ?? [...reports.values()].find((r) => r.kind === 'recording');
    const now = this.#realtime.serverNow();
    const line = (o: Omit<OutputLine, 'report' | 'since' | 'now'>): OutputLine => ({
      ...o,
      report: reports.get(o.id),
      since: this.#liveSince.get(o.id),
      now,
    });
    this.#rows.update([
      line({
        id: RECORDING_ID,
        label: 'Recording (MP4)',
        target: recording?.target ?? '',
        start: () => this.#post('Record', '/outputs/record', {}),
        stop: () => this.#post('Stop recording', '/outputs/stop', { what: 'recording' }),
        startText: 'REC',
      }),
      ...this.#destinations.map((d) => {
        const path = `/outputs/stream/${encodeURIComponent(d.id)}`;
        return line({
          id: d.id,
          label: d.label ?? d.kind,
          target: reports.get(d.id)?.target ?? d.serverUrl ?? d.kind,
          start: () =>
            void attempt(`Go live: ${d.label ?? d.id}`, () => this.#api.request('PUT', `${this.#base}${path}`, {})),
          stop: () =>
            void attempt(`Stop ${d.label ?? d.id}`, () => this.#api.request('DELETE', `${this.#base}${path}`)),
          startText: 'GO LIVE',
        });
      }),
    ]);
    this.#none.hidden = this.#destinations.length > 0;
  }

  #post(what: string, path: string, body: object): void {
    void attempt(what, () => this.#api.post(`${this.#base}${path}`, body));
  }
}

/** One output as its row shows it. */
interface OutputLine {
  id: string;
  label: string;
  target: string;
  report: OutputReport | undefined;
  /** Server time it was first seen live, for its uptime. */
  since: number | undefined;
  now: number;
  start: () => void;
  stop: () => void;
  startText: string;
}

class OutputRow implements KeyedView<OutputLine> {
  readonly element: HTMLElement;
  readonly #label = h('strong');
  readonly #target = h('span', { class: 'muted mono output-target' });
  readonly #state = h('span');
  readonly #retries = h('span', { class: 'output-retries', title: 'Restarts after a failure' });
  readonly #button = h('button', { type: 'button' });
  readonly #error = h('p', { class: 'output-error' });
  #line: OutputLine | null = null;

  constructor() {
    this.#button.addEventListener('click', () => {
      const line = this.#line;
      if (line !== null) (isRunning(line.report) ? line.stop : line.start)();
    });
    this.element = h(
      'div',
      { class: 'output-row' },
      h('div', { class: 'output-name' }, this.#label, this.#target),
      h('span', { class: 'output-state' }, this.#state, this.#retries),
      this.#button,
      this.#error,
    );
  }

  update(line: OutputLine): void {
    this.#line = line;
    const state = line.report?.state ?? 'stopped';
    const running = isRunning(line.report);
    Object.assign(this.element.dataset, { output: line.id, state });
    setText(this.#label, line.label);
    setText(this.#target, line.target);
    setText(
      this.#state,
      state === 'live' && line.since !== undefined
        ? `LIVE ${formatDuration(Math.max(0, line.now - line.since))}`
        : state.toUpperCase(),
    );
    const retries = line.report?.retries ?? 0;
    this.#retries.hidden = retries === 0;
    setText(this.#retries, retries === 0 ? '' : ` · retry ×${retries}`);
    this.#button.className = running ? 'danger' : 'go';
    setText(this.#button, running ? 'STOP' : line.startText);
    const error = line.report?.error;
    this.#error.hidden = error === undefined;
    setText(this.#error, error ?? '');
  }
}

function isRunning(report: OutputReport | undefined): boolean {
  const state = report?.state ?? 'stopped';
  return state === 'live' || state === 'starting' || state === 'retrying';
}
