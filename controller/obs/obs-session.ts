// One identified obs-websocket client. Requests run with the client's key through the same checks, command
// service and routes a panel's do (obs-requests.ts), so a control surface gets exactly the role checks,
// validation, reducer and switch log a panel gets; events are derived from the event's realtime frames, so a take from any door
// (panel, API, another surface) reaches every surface.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import {
  audioSourceSettings,
  OBS_VOLUME_METER_INTERVAL_MS,
  ObsCloseCode,
  ObsEventSubscription,
  ObsOpCode,
  ObsRequestBatchSchema,
  ObsRequestSchema,
  ObsReidentifySchema,
  ObsRequestStatus,
  ObsBatchExecution,
  parse,
  type EventRole,
  type ObsFrame,
  type ObsRequestBatch,
  type ObsOutputState,
  type ObsRequestResult,
  type OutputStatusMessage,
  type ProgramState,
  nextTallyChange,
  settleReplay,
  tallies,
  type Tally,
} from '../../protocol/index.ts';
import type { RelayedFrame } from '../services/realtime-hub.ts';
import type { ObsConnection } from './obs-server.ts';
import { ObsRequestHandlers, type ObsCaller } from './obs-requests.ts';
import {
  obsInputLevels,
  obsShowing,
  obsVolume,
  outputActivity,
  sceneList,
  sourceScene,
  transitionOf,
} from './obs-mapping.ts';

export interface ObsSessionOptions {
  app: FastifyInstance;
  log: FastifyBaseLogger;
  connection: ObsConnection;
  eventId: string;
  role: EventRole;
  key: string;
  keyId: string;
  subscriptions: number;
  onClosed: () => void;
}

/** Sleep inside a batch is bounded as the spec bounds it (sleepMillis ≤ 50000, sleepFrames ≤ 10000). */
const MAX_SLEEP_MS = 50_000;
const MAX_SLEEP_FRAMES = 10_000;
const FRAME_MS = 1000 / 30;

export class ObsSession {
  readonly #options: ObsSessionOptions;
  readonly #requests: ObsRequestHandlers;
  #subscriptions: number;
  #unsubscribe: (() => void) | null = null;
  #state: ProgramState | null = null;
  #outputs = { stream: false, record: false };
  #transitionTimer: NodeJS.Timeout | null = null;
  #programTimer: NodeJS.Timeout | null = null;
  /** InputVolumeMeters while the client subscribes to it, with the meter board kept listening meanwhile. */
  #meters: { timer: NodeJS.Timeout; stop: () => void } | null = null;
  /** The state whose program and preview the client has been told of. */
  #announced: ProgramState | null = null;
  /** The tally the client has been told of (null: nothing told yet). */
  #tallies: Map<string, Tally> | null = null;
  #closed = false;
  /** Requests run one at a time per session, in arrival order, as OBS runs them. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ObsSessionOptions) {
    this.#options = options;
    this.#subscriptions = options.subscriptions;
    const caller: ObsCaller = {
      app: options.app,
      log: options.log,
      eventId: options.eventId,
      role: options.role,
      key: options.key,
      onRevoked: () => options.connection.close(ObsCloseCode.SessionInvalidated, 'The key was revoked'),
    };
    this.#requests = new ObsRequestHandlers(caller);
  }

  get eventId(): string {
    return this.#options.eventId;
  }

  get keyId(): string {
    return this.#options.keyId;
  }

  /** The key was rotated or the event deleted: the spec's SessionInvalidated close. */
  revoke(): void {
    this.#options.connection.close(ObsCloseCode.SessionInvalidated, 'The key was revoked');
    this.close();
  }

  start(): void {
    const { app, eventId } = this.#options;
    this.#unsubscribe = app.realtime.subscribe(eventId, (frame) => this.#onFrame(frame));
    // A baseline, so the first frame after identify is compared with what the client already knows.
    void app.program.getState(eventId).then((state) => {
      if (this.#state === null) this.#state = state;
      this.#announced ??= state;
      if (state !== null) this.#tallies ??= tallies(state, Date.now());
    });
    void this.#requests.outputActivity().then((activity) => (this.#outputs = activity));
    this.#meterSubscription();
  }

  handle(frame: ObsFrame): void {
    const { connection } = this.#options;
    switch (frame.op) {
      case ObsOpCode.Reidentify: {
        const parsed = parse(ObsReidentifySchema, frame.d);
        if (!parsed.ok) return connection.close(ObsCloseCode.InvalidDataFieldType, parsed.error.message);
        if (parsed.value.eventSubscriptions !== undefined) this.#subscriptions = parsed.value.eventSubscriptions;
        this.#meterSubscription();
        connection.send(ObsOpCode.Identified, { negotiatedRpcVersion: 1 });
        return;
      }
      case ObsOpCode.Identify:
        return connection.close(ObsCloseCode.AlreadyIdentified, 'Already identified');
      case ObsOpCode.Request: {
        const parsed = parse(ObsRequestSchema, frame.d);
        if (!parsed.ok) return connection.close(ObsCloseCode.InvalidDataFieldType, parsed.error.message);
        const request = parsed.value;
        this.#enqueue(async () => {
          const result = await this.#requests.run(request.requestType, request.requestData ?? {});
          connection.send(ObsOpCode.RequestResponse, {
            requestType: request.requestType,
            requestId: request.requestId,
            ...result,
          });
        });
        return;
      }
      case ObsOpCode.RequestBatch: {
        const parsed = parse(ObsRequestBatchSchema, frame.d);
        if (!parsed.ok) return connection.close(ObsCloseCode.InvalidDataFieldType, parsed.error.message);
        this.#enqueue(() => this.#runBatch(parsed.value));
        return;
      }
      default:
        return connection.close(ObsCloseCode.UnknownOpCode, `Unknown op ${frame.op}`);
    }
  }

  /** OBS is going away: the spec's ExitStarted, then the server closes the socket. */
  exit(): void {
    this.#emit('ExitStarted', ObsEventSubscription.General, undefined);
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.#transitionTimer !== null) clearTimeout(this.#transitionTimer);
    if (this.#programTimer !== null) clearTimeout(this.#programTimer);
    this.#meterSubscription();
    this.#options.onClosed();
  }

  /** Starts or stops InputVolumeMeters to match the subscription (and the session being open). */
  #meterSubscription(): void {
    const wanted = !this.#closed && (this.#subscriptions & ObsEventSubscription.InputVolumeMeters) !== 0;
    if (wanted === (this.#meters !== null)) return;
    if (this.#meters !== null) {
      clearInterval(this.#meters.timer);
      this.#meters.stop();
      this.#meters = null;
      return;
    }
    const { app, eventId } = this.#options;
    this.#meters = {
      stop: app.audioMeters.subscribe(eventId, () => {}),
      timer: setInterval(() => this.#sendMeters(), OBS_VOLUME_METER_INTERVAL_MS),
    };
  }

  /**
   * Every input's levels from the latest reading of the renderer that feeds the outputs. With no renderer
   * reporting, the inputs read silence rather than nothing: a surface's meters then fall to zero instead of
   * freezing at the last level they were sent.
   */
  #sendMeters(): void {
    const state = this.#state;
    if (state === null) return;
    const meters = this.#options.app.audioMeters.latest(this.#options.eventId);
    const inputs = state.sources.map((source) => ({
      inputName: source.label,
      inputUuid: source.id,
      inputLevelsMul: obsInputLevels(meters?.sources[source.id], audioSourceSettings(state.audio, source)),
    }));
    this.#emit('InputVolumeMeters', ObsEventSubscription.InputVolumeMeters, { inputs });
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.#options.log.warn({ err: error }, 'obs-websocket request failed');
    });
  }

  async #runBatch(batch: ObsRequestBatch): Promise<void> {
    const execution = batch.executionType ?? ObsBatchExecution.SerialRealtime;
    const results: Array<Record<string, unknown>> = [];
    const answer = (): void =>
      this.#options.connection.send(ObsOpCode.RequestBatchResponse, { requestId: batch.requestId, results });
    if (execution === ObsBatchExecution.Parallel) {
      // Parallel batches may not sleep (the spec); every request runs at once.
      const all = await Promise.all(
        batch.requests.map((r) =>
          r.requestType === 'Sleep'
            ? Promise.resolve(this.#requests.status(ObsRequestStatus.UnsupportedRequestBatchExecutionType, 'Sleep'))
            : this.#requests.run(r.requestType, r.requestData ?? {}),
        ),
      );
      all.forEach((result, i) => results.push(batchResult(batch.requests[i], result)));
      return answer();
    }
    if (execution !== ObsBatchExecution.SerialRealtime && execution !== ObsBatchExecution.SerialFrame) {
      // The spec answers an unknown execution type with a RequestBatchResponse with no results.
      return answer();
    }
    for (const request of batch.requests) {
      const result =
        request.requestType === 'Sleep'
          ? await this.#sleep(request.requestData ?? {}, execution)
          : await this.#requests.run(request.requestType, request.requestData ?? {});
      results.push(batchResult(request, result));
      if (batch.haltOnFailure === true && !result.requestStatus.result) break;
    }
    answer();
  }

  async #sleep(data: Record<string, unknown>, execution: number): Promise<ObsRequestResult> {
    const millis =
      execution === ObsBatchExecution.SerialFrame ? Number(data.sleepFrames) * FRAME_MS : Number(data.sleepMillis);
    const limit = execution === ObsBatchExecution.SerialFrame ? MAX_SLEEP_FRAMES * FRAME_MS : MAX_SLEEP_MS;
    const field = execution === ObsBatchExecution.SerialFrame ? 'sleepFrames' : 'sleepMillis';
    if (!Number.isFinite(millis)) return this.#requests.status(ObsRequestStatus.MissingRequestField, field);
    if (millis < 0 || millis > limit)
      return this.#requests.status(ObsRequestStatus.RequestFieldOutOfRange, `${field} is out of range`);
    await new Promise((resolve) => setTimeout(resolve, millis));
    return this.#requests.status(ObsRequestStatus.Success);
  }

  #onFrame({ frame }: RelayedFrame): void {
    // Frames arrive checked against the protocol union (the hub decoded them once).
    if (frame.type === 'state') this.#onState(frame.state);
    else if (frame.type === 'job.output') this.#onOutputs(frame);
  }

  #onState(next: ProgramState): void {
    const before = this.#state;
    if (before !== null && next.revision <= before.revision) return;
    this.#state = next;
    if (before === null) return;
    const { Scenes, Transitions } = ObsEventSubscription;

    const scenesBefore = sceneList(before);
    const scenesAfter = sceneList(next);
    if (JSON.stringify(scenesBefore) !== JSON.stringify(scenesAfter)) {
      for (const source of next.sources.filter((s) => !before.sources.some((b) => b.id === s.id)))
        this.#emit('SceneCreated', Scenes, { ...sourceScene(source), isGroup: false });
      for (const source of before.sources.filter((s) => !next.sources.some((n) => n.id === s.id)))
        this.#emit('SceneRemoved', Scenes, { ...sourceScene(source), isGroup: false });
      for (const source of next.sources) {
        const old = before.sources.find((b) => b.id === source.id);
        if (old !== undefined && old.label !== source.label)
          this.#emit('SceneNameChanged', Scenes, {
            sceneUuid: source.id,
            oldSceneName: old.label,
            sceneName: source.label,
          });
      }
      this.#emit('SceneListChanged', Scenes, { scenes: scenesAfter });
    }

    const transitionBefore = transitionOf(before);
    const transitionAfter = transitionOf(next);
    if (transitionBefore.transitionName !== transitionAfter.transitionName)
      this.#emit('CurrentSceneTransitionChanged', Transitions, {
        transitionName: transitionAfter.transitionName,
        transitionUuid: transitionAfter.transitionUuid,
      });
    if (before.transition.durationMs !== next.transition.durationMs)
      this.#emit('CurrentSceneTransitionDurationChanged', Transitions, {
        transitionDuration: next.transition.durationMs,
      });

    this.#onMixer(before, next);
    if (next.take !== null && next.take.startedAt !== before.take?.startedAt) this.#onTake(next);
    // Program and tally change when the picture does: a scheduled take's events wait for its server time.
    if (this.#programTimer !== null) clearTimeout(this.#programTimer);
    this.#programTimer = null;
    const startIn = next.take === null ? 0 : next.take.startedAt - Date.now();
    if (startIn > 0) this.#programTimer = setTimeout(() => this.#programChanged(next), startIn);
    else this.#programChanged(next);
  }

  /**
   * Program-scene and tally events against what the client was last told (a cancel may undo a schedule), as
   * the picture is at this moment: the replay's automatic return by server time (settleReplay), and tally by
   * the one rule every tally light follows (protocol tallies: a source mixed out stays active until the mix
   * ends, no camera is active while a replay is on air). Called again when the tally changes by itself.
   */
  #programChanged(next: ProgramState): void {
    const now = Date.now();
    const state = settleReplay(next, now);
    const before = this.#announced ?? state;
    this.#announced = state;
    this.#programTimer = null;
    const { Scenes, InputActiveStateChanged, InputShowStateChanged } = ObsEventSubscription;
    if (before.program !== state.program) {
      const scene = state.sources.find((s) => s.id === state.program);
      if (scene !== undefined) this.#emit('CurrentProgramSceneChanged', Scenes, sourceScene(scene));
    }
    if (before.preview !== state.preview) {
      const scene = state.sources.find((s) => s.id === state.preview);
      if (scene !== undefined) this.#emit('CurrentPreviewSceneChanged', Scenes, sourceScene(scene));
    }

    // Tally: "active" is on program, "showing" is on program or preview (OBS's own meaning of the two).
    const lights = tallies(state, now);
    const told = this.#tallies ?? lights;
    this.#tallies = lights;
    for (const source of state.sources) {
      const was = told.get(source.id) ?? 'none';
      const is = lights.get(source.id) ?? 'none';
      if ((was === 'program') !== (is === 'program'))
        this.#emit('InputActiveStateChanged', InputActiveStateChanged, {
          inputName: source.label,
          inputUuid: source.id,
          videoActive: is === 'program',
        });
      if (obsShowing(was) !== obsShowing(is))
        this.#emit('InputShowStateChanged', InputShowStateChanged, {
          inputName: source.label,
          inputUuid: source.id,
          videoShowing: obsShowing(is),
        });
    }
    const due = nextTallyChange(next, now);
    if (due !== null) this.#programTimer = setTimeout(() => this.#programChanged(next), due - now + 1);
  }

  /** Volume, mute and sync offset of each input that was there before and changed. */
  #onMixer(before: ProgramState, next: ProgramState): void {
    const { Inputs } = ObsEventSubscription;
    for (const source of next.sources) {
      if (!before.sources.some((s) => s.id === source.id)) continue;
      const was = audioSourceSettings(before.audio, source);
      const is = audioSourceSettings(next.audio, source);
      const input = { inputName: source.label, inputUuid: source.id };
      if (was.gainDb !== is.gainDb) this.#emit('InputVolumeChanged', Inputs, { ...input, ...obsVolume(is.gainDb) });
      if (was.muted !== is.muted) this.#emit('InputMuteStateChanged', Inputs, { ...input, inputMuted: is.muted });
      if (was.delayMs !== is.delayMs)
        this.#emit('InputAudioSyncOffsetChanged', Inputs, { ...input, inputAudioSyncOffset: is.delayMs });
    }
  }

  #onTake(state: ProgramState): void {
    const take = state.take;
    if (take === null) return;
    const { transitionName, transitionUuid } = transitionOf({ ...state, transition: take.transition });
    const started = { transitionName, transitionUuid };
    if (this.#transitionTimer !== null) clearTimeout(this.#transitionTimer);
    // A scheduled take starts at its server time; the events follow the picture, not the request.
    const startIn = Math.max(0, take.startedAt - Date.now());
    this.#transitionTimer = setTimeout(() => {
      this.#emit('SceneTransitionStarted', ObsEventSubscription.Transitions, started);
      this.#transitionTimer = setTimeout(() => {
        this.#transitionTimer = null;
        this.#emit('SceneTransitionEnded', ObsEventSubscription.Transitions, started);
      }, take.transition.durationMs);
    }, startIn);
  }

  #onOutputs(message: OutputStatusMessage): void {
    const next = outputActivity(message);
    const changed = (active: boolean): ObsOutputState =>
      active ? 'OBS_WEBSOCKET_OUTPUT_STARTED' : 'OBS_WEBSOCKET_OUTPUT_STOPPED';
    if (next.stream !== this.#outputs.stream)
      this.#emit('StreamStateChanged', ObsEventSubscription.Outputs, {
        outputActive: next.stream,
        outputState: changed(next.stream),
      });
    if (next.record !== this.#outputs.record)
      this.#emit('RecordStateChanged', ObsEventSubscription.Outputs, {
        outputActive: next.record,
        outputState: changed(next.record),
        outputPath: null,
      });
    this.#outputs = next;
  }

  #emit(eventType: string, intent: number, eventData: Record<string, unknown> | undefined): void {
    if (this.#closed || (this.#subscriptions & intent) === 0) return;
    this.#options.connection.send(ObsOpCode.Event, {
      eventType,
      eventIntent: intent,
      ...(eventData === undefined ? {} : { eventData }),
    });
  }
}

function batchResult(
  request: { requestType: string; requestId?: string } | undefined,
  result: ObsRequestResult,
): Record<string, unknown> {
  return {
    requestType: request?.requestType ?? '',
    ...(request?.requestId === undefined ? {} : { requestId: request.requestId }),
    ...result,
  };
}
