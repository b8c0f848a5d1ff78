// obs-websocket requests → Pitchside, with the client's own key, so a control surface can do exactly what
// its key's panel can do and nothing more. Program commands go straight to the command service (runCommand)
// after the checks the commands route makes (key, role, event, schema); outputs, chapters and replay marks
// go through their HTTP routes (app.inject: no socket, the same checks), whose logic lives in the routes.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import {
  AUDIO_GAIN_MAX_DB,
  AUDIO_MAX_DELAY_MS,
  audioSourceSettings,
  MAX_TRANSITION_MS,
  OBS_RPC_VERSION,
  OBS_STUDIO_VERSION,
  OBS_TRANSITIONS,
  OBS_WEBSOCKET_VERSION,
  ObsRequestStatus,
  REPLAY_SOURCE_ID,
  tallyOf,
  CommandSchema,
  parse,
  type Command,
  type EventRole,
  type ObsRequestResult,
  type ObsRequestStatusCode,
  type OutputStatusMessage,
  type ProgramState,
  type Source,
} from '../../protocol/index.ts';
import {
  faderDb,
  findSource,
  findTransition,
  isSentStream,
  obsShowing,
  obsTransition,
  obsVolume,
  outputActivity,
  sceneList,
  sourceScene,
  transitionOf,
} from './obs-mapping.ts';
import { accessFailure, invalidKey } from '../plugins/auth.ts';
import { invalidInput } from '../plugins/validation.ts';
import { COMMAND_SENDER_ROLES } from '../schemas/program.ts';
import { AppError } from '../services/app-error.ts';
import { runCommand } from '../services/command-runner.ts';

export interface ObsCaller {
  app: FastifyInstance;
  log: FastifyBaseLogger;
  eventId: string;
  role: EventRole;
  key: string;
  /** The key stopped working (rotated, event deleted): the session ends with SessionInvalidated. */
  onRevoked: () => void;
}

/** Companion accepts durations up to 60 s; OBS documents 50 ms–20 s. Pitchside clamps to its own limit. */
const OBS_MAX_DURATION_MS = 60_000;
/** SaveReplayBuffer marks this much of the program camera (OBS's replay buffer default is 20 s; replays are shorter). */
export const OBS_REPLAY_SECONDS = 8;
const OBS_MIN_DURATION_MS = 50;
/** OBS's own ranges for an input's volume and sync offset: outside them a request is refused as OBS would. */
const OBS_VOLUME_MUL_RANGE = [0, 20] as const;
const OBS_VOLUME_DB_RANGE = [-100, 26] as const;
const OBS_SYNC_OFFSET_RANGE = [-950, 20_000] as const;
/** A toggle reads the mute and writes its opposite at that revision; another change in between is retried. */
const TOGGLE_ATTEMPTS = 3;

type Data = Record<string, unknown>;
type Handler = (data: Data) => Promise<ObsRequestResult>;

interface OutputsAnswer {
  plan: { record: boolean; destinations: string[]; stop: boolean } | null;
  statuses: Array<{ type: string } & Partial<OutputStatusMessage>>;
}

interface ApiAnswer<T> {
  status: number;
  body: T & { error?: { code?: string; message?: string; field?: string } };
}

export class ObsRequestHandlers {
  readonly #caller: ObsCaller;
  readonly #handlers: Record<string, Handler>;
  readonly #startedAt = Date.now();

  constructor(caller: ObsCaller) {
    this.#caller = caller;
    this.#handlers = {
      GetVersion: async () =>
        this.ok({
          obsVersion: OBS_STUDIO_VERSION,
          obsWebSocketVersion: OBS_WEBSOCKET_VERSION,
          rpcVersion: OBS_RPC_VERSION,
          availableRequests: [...Object.keys(this.#handlers), 'Sleep'],
          // Companion reconnects every 5 s without this field; Pitchside takes no screenshots.
          supportedImageFormats: [],
          platform: 'pitchside',
          platformDescription: 'Pitchside live production controller',
        }),
      GetStats: async () => {
        const usage = process.cpuUsage();
        const uptimeMs = Date.now() - this.#startedAt;
        return this.ok({
          cpuUsage: ((usage.user + usage.system) / 1000 / Math.max(1, uptimeMs)) * 100,
          memoryUsage: process.memoryUsage().rss / 1024 / 1024,
          availableDiskSpace: 0,
          activeFps: 30,
          averageFrameRenderTime: 0,
          renderSkippedFrames: 0,
          renderTotalFrames: 0,
          outputSkippedFrames: 0,
          outputTotalFrames: 0,
          webSocketSessionIncomingMessages: 0,
          webSocketSessionOutgoingMessages: 0,
        });
      },
      GetStudioModeEnabled: async () => this.ok({ studioModeEnabled: true }),
      SetStudioModeEnabled: async (data) =>
        data.studioModeEnabled === false
          ? this.status(ObsRequestStatus.CannotAct, 'Pitchside always works with preview and program (studio mode).')
          : this.ok(),
      GetSceneList: async () => {
        const state = await this.#state();
        const program = state.sources.find((s) => s.id === state.program);
        const preview = state.sources.find((s) => s.id === state.preview);
        return this.ok({
          currentProgramSceneName: program?.label ?? null,
          currentProgramSceneUuid: program?.id ?? null,
          currentPreviewSceneName: preview?.label ?? null,
          currentPreviewSceneUuid: preview?.id ?? null,
          scenes: sceneList(state),
        });
      },
      GetSceneItemList: async (data) => {
        const state = await this.#state();
        if (findSource(state, data.sceneName, data.sceneUuid) === undefined) return this.#noScene();
        return this.ok({ sceneItems: [] });
      },
      GetInputList: async () => {
        const state = await this.#state();
        return this.ok({
          inputs: state.sources.map((s) => ({
            inputName: s.label,
            inputUuid: s.id,
            inputKind: `pitchside_${s.kind}_source`,
            unversionedInputKind: `pitchside_${s.kind}_source`,
          })),
        });
      },
      GetCurrentProgramScene: async () => this.#currentScene(await this.#state(), 'Program'),
      GetCurrentPreviewScene: async () => this.#currentScene(await this.#state(), 'Preview'),
      SetCurrentProgramScene: async (data) => {
        const source = findSource(await this.#state(), data.sceneName, data.sceneUuid);
        if (source === undefined) return this.#noScene();
        return this.#command({ type: 'program.take', source: source.id });
      },
      SetCurrentPreviewScene: async (data) => {
        const source = findSource(await this.#state(), data.sceneName, data.sceneUuid);
        if (source === undefined) return this.#noScene();
        return this.#command({ type: 'program.preview', source: source.id });
      },
      TriggerStudioModeTransition: async () => this.#command({ type: 'program.auto' }),
      GetSourceActive: async (data) => {
        const state = await this.#state();
        const source = findSource(state, data.sourceName, data.sourceUuid);
        if (source === undefined) return this.status(ObsRequestStatus.ResourceNotFound, 'No source with that name.');
        // The one tally rule (protocol tallies): a camera is not active while a replay of it is on air.
        const tally = tallyOf(state, source.id, Date.now());
        return this.ok({ videoActive: tally === 'program', videoShowing: obsShowing(tally) });
      },
      GetSceneTransitionList: async () => {
        const current = transitionOf(await this.#state());
        return this.ok({
          currentSceneTransitionName: current.transitionName,
          currentSceneTransitionUuid: current.transitionUuid,
          currentSceneTransitionKind: current.transitionKind,
          transitions: OBS_TRANSITIONS.map((t) => obsTransition(t.type)),
        });
      },
      GetCurrentSceneTransition: async () => {
        const state = await this.#state();
        return this.ok({
          ...transitionOf(state),
          transitionDuration: state.transition.type === 'cut' ? null : state.transition.durationMs,
          transitionSettings: null,
        });
      },
      SetCurrentSceneTransition: async (data) => {
        if (typeof data.transitionName !== 'string')
          return this.status(ObsRequestStatus.MissingRequestField, 'transitionName');
        const type = findTransition(data.transitionName);
        if (type === undefined)
          return this.status(
            ObsRequestStatus.ResourceNotFound,
            `No transition "${data.transitionName}"; Pitchside has ${OBS_TRANSITIONS.map((t) => t.transitionName).join(', ')}.`,
          );
        return this.#command({ type: 'transition.set', transition: { type } });
      },
      SetCurrentSceneTransitionDuration: async (data) => {
        const duration = data.transitionDuration;
        if (duration === undefined) return this.status(ObsRequestStatus.MissingRequestField, 'transitionDuration');
        if (typeof duration !== 'number' || !Number.isFinite(duration))
          return this.status(ObsRequestStatus.InvalidRequestFieldType, 'transitionDuration must be a number');
        if (duration < OBS_MIN_DURATION_MS || duration > OBS_MAX_DURATION_MS)
          return this.status(
            ObsRequestStatus.RequestFieldOutOfRange,
            `transitionDuration must be ${OBS_MIN_DURATION_MS}–${OBS_MAX_DURATION_MS} ms`,
          );
        const durationMs = Math.min(Math.round(duration), MAX_TRANSITION_MS);
        const result = await this.#command({ type: 'transition.set', transition: { durationMs } });
        if (result.requestStatus.result && durationMs !== duration)
          result.requestStatus.comment = `Pitchside transitions last at most ${MAX_TRANSITION_MS} ms: set to ${durationMs} ms.`;
        return result;
      },
      GetStreamStatus: async () => {
        const { active, status } = await this.#output('stream');
        return this.ok({
          outputActive: active,
          outputReconnecting: status?.outputs?.some((o) => isSentStream(o) && o.state === 'retrying') ?? false,
          ...timecode(active, status?.recordingStartedAt ?? null),
          outputCongestion: 0,
          outputBytes: 0,
          outputSkippedFrames: 0,
          outputTotalFrames: 0,
        });
      },
      StartStream: async () => {
        if ((await this.#output('stream')).active) return this.status(ObsRequestStatus.OutputRunning);
        return this.#api('POST', 'outputs/stream', {});
      },
      StopStream: async () => {
        if (!(await this.#output('stream')).active) return this.status(ObsRequestStatus.OutputNotRunning);
        return this.#api('POST', 'outputs/stop', { what: 'stream' });
      },
      ToggleStream: async () => {
        const { active } = await this.#output('stream');
        const result = await this.#api(
          'POST',
          active ? 'outputs/stop' : 'outputs/stream',
          active ? { what: 'stream' } : {},
        );
        return result.requestStatus.result ? this.ok({ outputActive: !active }) : result;
      },
      GetRecordStatus: async () => {
        const { active, status } = await this.#output('record');
        return this.ok({
          outputActive: active,
          outputPaused: false,
          ...timecode(active, status?.recordingStartedAt ?? null),
          outputBytes: 0,
        });
      },
      StartRecord: async () => {
        if ((await this.#output('record')).active) return this.status(ObsRequestStatus.OutputRunning);
        return this.#api('POST', 'outputs/record', {});
      },
      StopRecord: async () => {
        if (!(await this.#output('record')).active) return this.status(ObsRequestStatus.OutputNotRunning);
        const result = await this.#api('POST', 'outputs/stop', { what: 'recording' });
        return result.requestStatus.result ? this.ok({ outputPath: '' }) : result;
      },
      ToggleRecord: async () => {
        const { active } = await this.#output('record');
        const result = await this.#api(
          'POST',
          active ? 'outputs/stop' : 'outputs/record',
          active ? { what: 'recording' } : {},
        );
        return result.requestStatus.result ? this.ok({ outputActive: !active }) : result;
      },
      // OBS saves its replay buffer (the last N seconds) to a file; here it marks a replay clip of the last
      // OBS_REPLAY_SECONDS of the program camera (the live one under a replay), from its ISO recording.
      SaveReplayBuffer: async () => {
        const state = await this.#state();
        const source = state.program === REPLAY_SOURCE_ID ? (state.replay?.returnTo ?? null) : state.program;
        if (source === null) return this.status(ObsRequestStatus.OutputNotRunning, 'Nothing is on program.');
        return this.#api('POST', 'replay/clips', { source, lastSeconds: OBS_REPLAY_SECONDS });
      },
      // The mixer: an OBS input is a Pitchside source (obs-mapping.ts); volume is its fader, the sync
      // offset its delay. Events about them come from the state, so a change from any door reaches a surface.
      GetInputVolume: async (data) =>
        this.#withInput(data, (source, state) =>
          this.ok({ ...obsVolume(audioSourceSettings(state.audio, source).gainDb) }),
        ),
      SetInputVolume: async (data) =>
        this.#withInput(data, async (source) => {
          const volume = this.#requestedVolume(data);
          if ('requestStatus' in volume) return volume;
          const { gainDb, clamped } = faderDb(volume);
          const result = await this.#command({ type: 'audio.source', source: source.id, gainDb });
          if (result.requestStatus.result && clamped)
            result.requestStatus.comment = `Pitchside faders go up to ${AUDIO_GAIN_MAX_DB} dB: set to that.`;
          return result;
        }),
      GetInputMute: async (data) =>
        this.#withInput(data, (source, state) =>
          this.ok({ inputMuted: audioSourceSettings(state.audio, source).muted }),
        ),
      SetInputMute: async (data) =>
        this.#withInput(data, (source) => {
          if (data.inputMuted === undefined) return this.status(ObsRequestStatus.MissingRequestField, 'inputMuted');
          if (typeof data.inputMuted !== 'boolean')
            return this.status(ObsRequestStatus.InvalidRequestFieldType, 'inputMuted must be a boolean');
          return this.#command({ type: 'audio.source', source: source.id, muted: data.inputMuted });
        }),
      ToggleInputMute: async (data) => {
        for (let attempt = 1; ; attempt += 1) {
          const result = await this.#withInput(data, async (source, state) => {
            const inputMuted = !audioSourceSettings(state.audio, source).muted;
            const set = await this.#command({
              type: 'audio.source',
              source: source.id,
              muted: inputMuted,
              ifRevision: state.revision,
            });
            return set.requestStatus.result ? this.ok({ inputMuted }) : set;
          });
          if (result.requestStatus.code !== ObsRequestStatus.InvalidResourceState || attempt >= TOGGLE_ATTEMPTS)
            return result;
        }
      },
      GetInputAudioSyncOffset: async (data) =>
        this.#withInput(data, (source, state) =>
          this.ok({ inputAudioSyncOffset: audioSourceSettings(state.audio, source).delayMs }),
        ),
      SetInputAudioSyncOffset: async (data) =>
        this.#withInput(data, (source) => {
          const offset = this.#number(data, 'inputAudioSyncOffset', OBS_SYNC_OFFSET_RANGE);
          if (typeof offset !== 'number') return offset;
          // A delay lines a source's sound up with its picture; sound cannot be played before it arrives.
          if (offset < 0 || offset > AUDIO_MAX_DELAY_MS)
            return this.status(
              ObsRequestStatus.RequestFieldOutOfRange,
              `Pitchside delays a source's sound by 0–${AUDIO_MAX_DELAY_MS} ms; inputAudioSyncOffset ${offset} is outside that.`,
            );
          return this.#command({ type: 'audio.source', source: source.id, delayMs: Math.round(offset) });
        }),
      CreateRecordChapter: async (data) => {
        if (!(await this.#output('record')).active) return this.status(ObsRequestStatus.OutputNotRunning);
        const name = typeof data.chapterName === 'string' && data.chapterName !== '' ? data.chapterName : undefined;
        return this.#api('POST', 'chapters', name === undefined ? {} : { name });
      },
    };
  }

  async run(requestType: string, data: Data): Promise<ObsRequestResult> {
    const handler = Object.hasOwn(this.#handlers, requestType) ? this.#handlers[requestType] : undefined;
    if (handler === undefined)
      return this.status(ObsRequestStatus.UnknownRequestType, `Pitchside does not implement ${requestType}.`);
    try {
      return await handler(data);
    } catch (error) {
      this.#caller.log.warn({ err: error, requestType }, 'obs-websocket request failed');
      return this.status(ObsRequestStatus.RequestProcessingFailed, 'Pitchside could not complete the request.');
    }
  }

  ok(responseData?: Data): ObsRequestResult {
    return {
      requestStatus: { result: true, code: ObsRequestStatus.Success },
      ...(responseData === undefined ? {} : { responseData }),
    };
  }

  status(code: ObsRequestStatusCode, comment?: string): ObsRequestResult {
    return {
      requestStatus: { result: code === ObsRequestStatus.Success, code, ...(comment === undefined ? {} : { comment }) },
    };
  }

  /** Stream and recording activity now, for the session's first output events. */
  async outputActivity(): Promise<{ stream: boolean; record: boolean }> {
    const [stream, record] = await Promise.all([this.#output('stream'), this.#output('record')]);
    return { stream: stream.active, record: record.active };
  }

  async #state(): Promise<ProgramState> {
    const { app, eventId } = this.#caller;
    return app.program.requireState(eventId);
  }

  #currentScene(state: ProgramState, which: 'Program' | 'Preview'): ObsRequestResult {
    const id = which === 'Program' ? state.program : state.preview;
    const source = state.sources.find((s) => s.id === id);
    if (source === undefined)
      return this.status(ObsRequestStatus.InvalidResourceState, `Nothing is on ${which.toLowerCase()}.`);
    const scene = sourceScene(source);
    // Both spellings: obs-websocket 5.0–5.2 clients read current…SceneName, 5.3+ read sceneName/sceneUuid.
    return this.ok({
      ...scene,
      [`current${which}SceneName`]: scene.sceneName,
      [`current${which}SceneUuid`]: scene.sceneUuid,
    });
  }

  /** Runs `act` on the input the request names (inputName or inputUuid), or answers why there is none. */
  async #withInput(
    data: Data,
    act: (source: Source, state: ProgramState) => ObsRequestResult | Promise<ObsRequestResult>,
  ): Promise<ObsRequestResult> {
    if (data.inputName === undefined && data.inputUuid === undefined)
      return this.status(ObsRequestStatus.MissingRequestField, 'inputName or inputUuid');
    const state = await this.#state();
    const source = findSource(state, data.inputName, data.inputUuid);
    if (source === undefined)
      return this.status(ObsRequestStatus.ResourceNotFound, 'No input (Pitchside source) with that name or uuid.');
    return act(source, state);
  }

  /** SetInputVolume's one volume field, checked against OBS's own range. */
  #requestedVolume(data: Data): { mul: number } | { db: number } | ObsRequestResult {
    const hasMul = data.inputVolumeMul !== undefined;
    const hasDb = data.inputVolumeDb !== undefined;
    if (hasMul && hasDb)
      return this.status(ObsRequestStatus.TooManyRequestFields, 'You may only specify one volume field.');
    if (!hasMul && !hasDb)
      return this.status(ObsRequestStatus.MissingRequestField, 'You must specify one volume field.');
    const value = hasMul
      ? this.#number(data, 'inputVolumeMul', OBS_VOLUME_MUL_RANGE)
      : this.#number(data, 'inputVolumeDb', OBS_VOLUME_DB_RANGE);
    if (typeof value !== 'number') return value;
    return hasMul ? { mul: value } : { db: value };
  }

  /** A required number field within [min, max], or the status OBS answers for it. */
  #number(data: Data, field: string, [min, max]: readonly [number, number]): number | ObsRequestResult {
    const value = data[field];
    if (value === undefined) return this.status(ObsRequestStatus.MissingRequestField, field);
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.status(ObsRequestStatus.InvalidRequestFieldType, `${field} must be a number`);
    if (value < min || value > max)
      return this.status(ObsRequestStatus.RequestFieldOutOfRange, `${field} must be ${min}–${max}`);
    return value;
  }

  #noScene(): ObsRequestResult {
    return this.status(ObsRequestStatus.ResourceNotFound, 'No scene (Pitchside source) with that name or uuid.');
  }

  /** As POST …/commands would answer it, without the HTTP round trip: the same checks in the same order. */
  async #command(command: Command): Promise<ObsRequestResult> {
    const { app, eventId, key } = this.#caller;
    try {
      const auth = await app.apiKeys.resolve(key);
      if (auth === null) {
        this.#caller.onRevoked();
        throw invalidKey();
      }
      const refused = accessFailure(auth, { roles: COMMAND_SENDER_ROLES }, { eventId });
      if (refused !== null) throw refused;
      const parsed = parse(CommandSchema, command);
      if (!parsed.ok) throw invalidInput(parsed.error.field, parsed.error.message);
      await runCommand(app.program, app.metrics, eventId, parsed.value, auth);
      return this.ok();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return this.#refused(error.statusCode, error);
    }
  }

  /** Whether the stream/recording is commanded on (the plan) or still running (the worker's status). */
  async #output(
    which: 'stream' | 'record',
  ): Promise<{ active: boolean; status: Partial<OutputStatusMessage> | undefined }> {
    const answer = await this.#request<OutputsAnswer>('GET', 'outputs');
    if (answer.status !== 200) return { active: false, status: undefined };
    const { plan, statuses } = answer.body;
    const status = statuses.find((s) => s.type === 'job.output');
    const planned = plan !== null && !plan.stop && (which === 'record' ? plan.record : plan.destinations.length > 0);
    const running = outputActivity(status as OutputStatusMessage | undefined)[which];
    return { active: planned || running, status };
  }

  async #api(method: 'POST' | 'GET', path: string, body: unknown): Promise<ObsRequestResult> {
    const answer = await this.#request<Data>(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return this.ok();
    return this.#refused(answer.status, answer.body.error);
  }

  /** An API refusal (its HTTP status, its error's message and field) as an obs-websocket request status. */
  #refused(httpStatus: number, error: { message?: string; field?: string } | undefined): ObsRequestResult {
    const comment = [error?.message, error?.field === undefined ? undefined : `(field ${error.field})`]
      .filter((part) => part !== undefined)
      .join(' ');
    return this.status(statusFor(httpStatus), comment === '' ? `HTTP ${httpStatus}` : comment);
  }

  async #request<T>(method: 'POST' | 'GET', path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const { app, eventId, key } = this.#caller;
    const response = await app.inject({
      method,
      url: `/api/events/${eventId}/${path}`,
      headers: { authorization: `Bearer ${key}`, 'user-agent': 'obs-websocket' },
      ...(body === undefined ? {} : { payload: body as Data }),
    });
    if (response.statusCode === 401) this.#caller.onRevoked();
    const parsed: unknown = response.body === '' ? {} : JSON.parse(response.body);
    return { status: response.statusCode, body: parsed as ApiAnswer<T>['body'] };
  }
}

/** HTTP answer → the obs-websocket request status a control surface understands. */
function statusFor(httpStatus: number): ObsRequestStatusCode {
  if (httpStatus === 400 || httpStatus === 422) return ObsRequestStatus.InvalidRequestField;
  if (httpStatus === 401 || httpStatus === 403) return ObsRequestStatus.CannotAct;
  if (httpStatus === 404) return ObsRequestStatus.ResourceNotFound;
  if (httpStatus === 409) return ObsRequestStatus.InvalidResourceState;
  return ObsRequestStatus.RequestProcessingFailed;
}

function timecode(active: boolean, startedAt: number | null): { outputTimecode: string; outputDuration: number } {
  const duration = active && startedAt !== null ? Math.max(0, Date.now() - startedAt) : 0;
  const pad = (n: number, width = 2): string => String(Math.floor(n)).padStart(width, '0');
  const ms = duration % 1000;
  const s = Math.floor(duration / 1000);
  return {
    outputTimecode: `${pad(s / 3600)}:${pad((s / 60) % 60)}:${pad(s % 60)}.${pad(ms, 3)}`,
    outputDuration: duration,
  };
}
