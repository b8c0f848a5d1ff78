// The program page: state in (controller WebSocket, LiveKit data), pixels and sound out, at the output
// rate. One instance per page; start() wires everything and close() takes it down in reverse order.
import { Room } from 'livekit-client';
import {
  passProtocol,
  settleReplay,
  type FrameInfo,
  type FrameStats,
  type OGrafInstance,
  type ProgramState,
} from '../protocol/index.ts';
import { ProgramAudio } from './audio/index.ts';
import { createLogger, type TemplateConfig } from './config/index.ts';
import { EgressSession } from './egress/index.ts';
import type { PitchsidePageApi } from './page-api.ts';
import { createProgramRenderer, type ProgramRenderer } from './rendering/index.ts';
import { ProgramScene, viewFrame } from './scene/index.ts';
import {
  cameraParticipants,
  DirectReceiver,
  parentCameraTracks,
  RealtimeClient,
  ServerClock,
  type CameraTrackSource,
} from '../client/index.ts';
import { SourceFeeds } from './sources/index.ts';
import { StateStore } from './state/index.ts';
import { FrameTicker } from './ticker/index.ts';
import { OGrafLayer } from './ograf/index.ts';

const log = createLogger('page');

/**
 * START_RECORDING waits for the program source's first decoded frame, but never longer than this
 * after start: Egress waits for the signal forever, and a black first second beats a stuck job.
 */
export const START_RECORDING_FALLBACK_MS = 10_000;

export class ProgramPage {
  readonly #config: TemplateConfig;
  readonly #clock = new ServerClock();
  readonly #store: StateStore;
  readonly #audio: ProgramAudio;
  readonly #feeds: SourceFeeds;
  #renderer: ProgramRenderer | null = null;
  #scene: ProgramScene | null = null;
  #ticker: FrameTicker | null = null;
  #link: RealtimeClient | null = null;
  #egress: EgressSession | null = null;
  /** OGraf graphics: DOM over the canvas (Egress records the page; the built-in recorder reads the canvas). */
  #ograf: OGrafLayer | null = null;
  /** Direct cameras (no LiveKit): received by this page, or taken from the operator page embedding it. */
  #receiver: DirectReceiver | null = null;
  #unsubscribeCameras: () => void = () => undefined;
  #unsubscribeMeters: () => void = () => undefined;
  #frame: FrameInfo = { index: -1, wallTime: 0, serverNow: 0, revision: -1, clockMs: 0, clockText: '', layout: '' };
  #resolveReady: () => void = () => undefined;
  #isReady = false;
  readonly ready: Promise<void>;
  readonly #startedAt = performance.now();

  constructor(config: TemplateConfig) {
    this.#config = config;
    this.ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.#audio = new ProgramAudio({
      silent: config.view === 'preview',
      mixer: config.mixer,
      minus: config.minus,
      serverNow: () => this.#clock.now(),
    });
    this.#store = new StateStore({
      eventId: config.event,
      onApplied: (state) => {
        this.#feeds.sync(state.sources);
        this.#receiver?.want(cameraParticipants(state.sources));
        this.#ograf?.update(state);
      },
    });
    this.#feeds = new SourceFeeds({
      audioContext: this.#audio.context,
      testSources: config.testSources,
      testMedia: config.testMedia,
      onAudio: (source, node) => this.#audio.setSourceAudio(source, node),
      replayMediaUrl: (file) =>
        `/api/events/${encodeURIComponent(config.event)}/replay/media/${encodeURIComponent(file)}?key=${encodeURIComponent(config.key)}`,
    });
  }

  async start(roomStandIn?: () => Promise<{ room: Room; handle: unknown }>): Promise<PitchsidePageApi> {
    const { width, height, fps } = this.#config;
    this.#renderer = await createProgramRenderer({ width, height, preference: this.#config.renderer });
    log.info(`renderer ${this.#renderer.name} (${this.#renderer.probe.glRenderer}) ${width}×${height}@${fps}`);
    this.#feeds.copyFrames = this.#renderer.name === 'canvas';
    const canvas = this.#renderer.renderer.canvas;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    document.body.appendChild(canvas);
    this.#ograf = new OGrafLayer({
      width,
      height,
      parent: document.body,
      onFailure: (instance, message) => this.#reportGraphicFailure(instance, message),
    });
    this.#scene = new ProgramScene({ width, height, feeds: this.#feeds, renderer: this.#renderer.renderer });
    await this.#audio.start();
    this.#ticker = new FrameTicker({ fps, render: (index) => this.#render(index) });
    this.#ticker.start();

    const parentCameras = this.#config.egress === null ? parentCameraTracks() : null;
    if (parentCameras !== null) this.#useCameras(parentCameras);
    else if (this.#config.egress === null) this.#receiveCameras();
    const pass = this.#config.programPass;
    const link = new RealtimeClient({
      eventId: this.#config.event,
      key: this.#config.key,
      clock: this.#clock,
      ...(pass === null ? {} : { protocols: () => [passProtocol(pass)] }),
    });
    link.on('state', (state, snapshot) => this.#store.accept(state, snapshot));
    link.on('status', (status, detail) => {
      if (status === 'online') log.info('controller link online', { connects: link.connects });
      else if (status !== 'connecting') log.warn(`controller link ${status}: ${detail}`);
    });
    if (this.#receiver !== null) link.handle(this.#receiver.handlers);
    this.#link = link;
    link.start();
    this.#reportMeters(link);

    let standInHandle: unknown;
    if (this.#config.egress !== null) {
      const standIn = roomStandIn === undefined ? null : await roomStandIn();
      standInHandle = standIn?.handle;
      this.#egress = new EgressSession({
        createRoom: standIn === null ? createLiveKitRoom : () => standIn.room,
        store: this.#store,
        feeds: this.#feeds,
      });
      // The page is exposed first so a test can watch a connect that fails.
      void this.ready.then(() => this.#egress?.startRecording());
    }
    const api = this.#api(canvas, standInHandle);
    if (this.#egress !== null) await this.#egress.start();
    return api;
  }

  /**
   * Program renderers (the recorder, a standalone page) get each camera at full resolution; a monitor
   * (this page in an operator page's iframe, without the operator page's shared tracks) the reduced one.
   */
  /**
   * The page that feeds the outputs (Egress's, or the built-in recorder's: a program view of its own, not
   * an operator page's monitor iframe) reports the program meters to the controller, which relays them to
   * the operators. A reading that finds the link down is dropped: the next one is 100 ms away.
   */
  #reportMeters(link: RealtimeClient): void {
    if (this.#config.view !== 'program' || window.parent !== window) return;
    const renderer = this.#config.egress === null ? 'recorder' : 'egress';
    const eventId = this.#config.event;
    this.#unsubscribeMeters = this.#audio.onMeters((meters) => {
      link.send({ type: 'audio.meters', eventId, renderer, meters });
    });
  }

  /**
   * A graphic that threw or hung: the program renderer (as for meters, not a monitor) tells the controller,
   * which unloads the instance on every renderer and tells the desk.
   */
  #reportGraphicFailure(instance: OGrafInstance, message: string): void {
    log.warn(`graphic "${instance.id}" (${instance.graphic.name}) unloaded: ${message}`);
    if (this.#config.view !== 'program' || window.parent !== window) return;
    const { id, loadedAt } = instance;
    this.#link?.send({ type: 'ograf.fault', eventId: this.#config.event, instance: id, loadedAt, message });
  }

  #receiveCameras(): void {
    const receiver = new DirectReceiver({
      quality: window.parent === window ? 'full' : 'reduced',
      send: (frame) => this.#link?.send(frame) ?? false,
      onTrack: (camera, kind, track) => {
        log.info(`camera ${camera} ${kind} ${track === null ? 'gone' : 'received'}`);
        this.#feeds.handleTrack(camera, kind, track);
      },
      log: (message) => log.warn(message),
    });
    this.#receiver = receiver;
    const state = this.#store.state;
    if (state !== null) receiver.want(cameraParticipants(state.sources));
  }

  #useCameras(source: CameraTrackSource): void {
    this.#unsubscribeCameras = source.subscribe((camera, kind, track) => this.#feeds.handleTrack(camera, kind, track));
  }

  async close(): Promise<void> {
    this.#unsubscribeCameras();
    this.#unsubscribeMeters();
    this.#receiver?.close();
    await this.#egress?.close();
    await this.#link?.close();
    await this.#ticker?.close();
    this.#ograf?.close();
    this.#feeds.close();
    await this.#audio.close();
    this.#renderer?.renderer.destroy();
  }

  #render(index: number): void {
    const stored = this.#store.state;
    const renderer = this.#renderer;
    const scene = this.#scene;
    if (renderer === null || scene === null) return;
    const wallTime = Date.now();
    const serverNow = this.#clock.now(wallTime);
    if (stored !== null) {
      // A replay past its end is drawn as returned, whether or not the controller's replay.end has arrived.
      const settled = settleReplay(stored, serverNow);
      this.#feeds.replay.sync(settled.replay, settled.replayCue, serverNow);
      const { state, layout } = viewFrame(settled, this.#egress?.layout ?? settled.layout, this.#config.view);
      scene.update(state, layout, index, serverNow, performance.now());
      this.#audio.apply(state.audio, state.sources, scene.programWeights(), scene.liveUnderReplay());
      this.#frame = {
        index,
        wallTime,
        serverNow,
        revision: state.revision,
        clockMs: scene.scorebug.clockMs,
        clockText: scene.scorebug.clockText,
        layout,
      };
      this.#checkReady(state);
    }
    renderer.renderer.render(scene.root);
  }

  #checkReady(state: ProgramState): void {
    if (this.#isReady) return;
    const program = state.program === null ? null : this.#feeds.get(state.program);
    const hasPicture = state.program === null || (program !== null && program.hasFrames());
    const waited = performance.now() - this.#startedAt;
    if (!hasPicture && waited < START_RECORDING_FALLBACK_MS) return;
    if (!hasPicture)
      log.warn(
        `no frame from program source "${state.program}" after ${START_RECORDING_FALLBACK_MS} ms: starting anyway`,
      );
    this.#isReady = true;
    this.#resolveReady();
  }

  #stats(): FrameStats {
    const ticker = this.#ticker;
    const summary =
      ticker === null
        ? { frames: 0, dropped: 0, p50: 0, p95: 0, p99: 0, renderMs: 0, measuredFps: 0 }
        : ticker.stats.summary();
    return {
      ...summary,
      renderer: this.#renderer?.name ?? 'canvas',
      fps: this.#config.fps,
      width: this.#config.width,
      height: this.#config.height,
    };
  }

  #api(canvas: HTMLCanvasElement, standInRoom: unknown): PitchsidePageApi {
    const ticker = this.#ticker;
    if (ticker === null) throw new Error('the ticker starts before the page API is exposed');
    const api: PitchsidePageApi = {
      ready: this.ready,
      stats: () => this.#stats(),
      resetStats: () => ticker.stats.reset(),
      frame: () => ({ ...this.#frame }),
      state: () => this.#store.state,
      serverOffsetMs: () => this.#clock.offsetMs,
      canvas,
      audioStream: this.#audio.stream,
      audioMeters: () => this.#audio.meters,
      capture: {
        canvas,
        fps: this.#config.fps,
        audio: this.#audio.bus,
        international: () => this.#audio.international(),
        onFrame: (callback) => ticker.onFrame(callback),
      },
      ...(standInRoom === undefined ? {} : { standInRoom }),
    };
    window.pitchside = api;
    return api;
  }
}

function createLiveKitRoom(): Room {
  // The recorder wants every camera at full quality: no adaptive layers, no dynacast pausing.
  return new Room({ adaptiveStream: false, dynacast: false });
}
