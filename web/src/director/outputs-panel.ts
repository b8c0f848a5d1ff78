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
import { attempt } from '../lib/notices.ts';
import type { RealtimeClient } from '../../../client/index.ts';

const RECORDING_ID = 'recording';

/** The part of GET /outputs this panel reads: the last job statuses, the same frames the socket pushes. */
const OutputsAnswerSchema = Type.Object({ statuses: Type.Array(JobStatusMessageSchema) });

export class OutputsPanel {
  readonly element: HTMLElement;
  readonly #rows: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #api: ApiClient;
  readonly #base: string;
  readonly #realtime: RealtimeClient;
  #destinations: DestinationView[] = [];
  #status: OutputStatusMessage | null = null;
  /** Server time each output was first seen live, for its uptime (reports carry states, not start times). */
  readonly #liveSince = new Map<string, number>();

  constructor(api: ApiClient, eventId: string, realtime: RealtimeClient) {
    this.#api = api;
    this.#realtime = realtime;
    this.#base = `/api/events/${encodeURIComponent(eventId)}`;
    this.#rows = h('div', { class: 'output-rows', id: 'output-rows' });
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
      this.#rows,
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
    const rows = [
      this.#row({
        id: RECORDING_ID,
        label: 'Recording (MP4)',
        target: recording?.target ?? '',
        report: recording,
        start: () => this.#post('Record', '/outputs/record', {}),
        stop: () => this.#post('Stop recording', '/outputs/stop', { what: 'recording' }),
        startText: 'REC',
      }),
      ...this.#destinations.map((d) => {
        const path = `/outputs/stream/${encodeURIComponent(d.id)}`;
        return this.#row({
          id: d.id,
          label: d.label ?? d.kind,
          target: reports.get(d.id)?.target ?? d.serverUrl ?? d.kind,
          report: reports.get(d.id),
          start: () =>
            void attempt(`Go live: ${d.label ?? d.id}`, () => this.#api.request('PUT', `${this.#base}${path}`, {})),
          stop: () =>
            void attempt(`Stop ${d.label ?? d.id}`, () => this.#api.request('DELETE', `${this.#base}${path}`)),
          startText: 'GO LIVE',
        });
      }),
    ];
    if (this.#destinations.length === 0)
      rows.push(
        h('p', { class: 'muted' }, 'No destinations: an admin adds YouTube, Twitch or RTMP in the event settings.'),
      );
    this.#rows.replaceChildren(...rows);
  }

  #row(o: {
    id: string;
    label: string;
    target: string;
    report: OutputReport | undefined;
    start: () => void;
    stop: () => void;
    startText: string;
  }): HTMLElement {
    const state = o.report?.state ?? 'stopped';
    const running = state === 'live' || state === 'starting' || state === 'retrying';
    const since = this.#liveSince.get(o.id);
    return h(
      'div',
      { class: 'output-row', 'data-output': o.id, 'data-state': state },
      h(
        'div',
        { class: 'output-name' },
        h('strong', {}, o.label),
        h('span', { class: 'muted mono output-target' }, o.target),
      ),
      h(
        'span',
        { class: 'output-state' },
        state === 'live' && since !== undefined
          ? `LIVE ${formatDuration(Math.max(0, this.#realtime.serverNow() - since))}`
          : state.toUpperCase(),
        (o.report?.retries ?? 0) === 0
          ? null
          : h('span', { class: 'output-retries', title: 'Restarts after a failure' }, ` · retry ×${o.report?.retries}`),
      ),
      running
        ? h('button', { type: 'button', class: 'danger', onclick: o.stop }, 'STOP')
        : h('button', { type: 'button', class: 'go', onclick: o.start }, o.startText),
      o.report?.error === undefined ? null : h('p', { class: 'output-error' }, o.report.error),
    );
  }

  #post(what: string, path: string, body: object): void {
    void attempt(what, () => this.#api.post(`${this.#base}${path}`, body));
  }
}
