// The program picture: video by layout, then PiP, scorebug and lower third on top. The scene only
// reads state: every frame is state + server time → pixels, so a reload draws the same frame.
import { Container, type Renderer } from 'pixi.js';
import {
  REPLAY_DUCK_GAIN,
  REPLAY_SOURCE_ID,
  type LayoutPreset,
  type ProgramState,
  type SourceId,
} from '../../protocol/index.ts';
import type { SourceFeeds } from '../sources/index.ts';
import { FrameSources } from './frame-sources.ts';
import { LogoTextures } from './logo-textures.ts';
import { LowerThirdView } from './lower-third-view.ts';
import { layerWeights } from './picture-layers.ts';
import { PipView } from './pip-view.ts';
import { ReplayBadgeView } from './replay-badge-view.ts';
import { ScorebugView } from './scorebug-view.ts';
import { SponsorView } from './sponsor-view.ts';
import { VideoLayer } from './video-layer.ts';

export interface ProgramSceneOptions {
  width: number;
  height: number;
  feeds: SourceFeeds;
  /** Lets transitions be composited at the sources' resolution; leave out to draw every layer at output size. */
  renderer?: Renderer;
}

export class ProgramScene {
  readonly root = new Container();
  readonly #sources: FrameSources;
  readonly #video: VideoLayer;
  readonly #pip: PipView;
  readonly scorebug: ScorebugView;
  readonly #lowerThird: LowerThirdView;
  readonly #replayBadge: ReplayBadgeView;
  readonly #sponsor: SponsorView;
  #state: ProgramState | null = null;

  constructor(options: ProgramSceneOptions) {
    this.#sources = new FrameSources(options.feeds);
    this.#video = new VideoLayer(options.width, options.height, options.renderer ?? null);
    this.#pip = new PipView(options.width, options.height);
    // Team logos and sponsor artwork are stored and served alike (team-logo.ts): one texture cache.
    const images = new LogoTextures();
    this.scorebug = new ScorebugView(options.height, images);
    this.#sponsor = new SponsorView(options.width, options.height, images);
    this.#lowerThird = new LowerThirdView(options.height);
    this.#replayBadge = new ReplayBadgeView(options.width, options.height);
    this.root.addChild(
      this.#video.view,
      this.#pip.view,
      this.#lowerThird.view,
      this.scorebug.view,
      this.#sponsor.view,
      this.#replayBadge.view,
    );
  }

  /**
   * @param layout the layout on screen (Egress's, when it set one, else the state's)
   * @param serverNow server time of this frame: transitions and the clock
   * @param now local time (performance.now()): graphics animations
   */
  update(state: ProgramState, layout: LayoutPreset, frameIndex: number, serverNow: number, now: number): void {
    this.#sources.begin(frameIndex);
    this.#video.update(state, layout, serverNow, this.#sources);
    this.#pip.update(state.pip, now, this.#sources);
    this.scorebug.update(state, serverNow, now);
    this.#lowerThird.update(state.lowerThird, now);
    this.#replayBadge.update(state, now);
    this.#sponsor.update(state, serverNow);
    this.#state = state;
  }

  /**
   * Each source's share of the program sound: audio follows video, except under a replay, whose clip is
   * silent while the live source it left plays on, ducked or muted (the replay's setting).
   */
  programWeights(): Map<SourceId, number> {
    const weights = layerWeights(this.#video.programLayers);
    const replay = this.#state?.replay;
    const replayWeight = weights.get(REPLAY_SOURCE_ID) ?? 0;
    if (replay !== undefined && replay !== null && replay.returnTo !== null && replayWeight > 0) {
      const live = replay.audio === 'duck' ? replayWeight * REPLAY_DUCK_GAIN : 0;
      weights.set(replay.returnTo, (weights.get(replay.returnTo) ?? 0) + live);
    }
    return weights;
  }

  /** What the replay on screen leaves of the live sound: 1 without one, its duck gain, or 0 when it mutes. */
  liveUnderReplay(): number {
    const replay = this.#state?.replay;
    if (replay === undefined || replay === null) return 1;
    const replayWeight = layerWeights(this.#video.programLayers).get(REPLAY_SOURCE_ID) ?? 0;
    return 1 - replayWeight * (1 - (replay.audio === 'duck' ? REPLAY_DUCK_GAIN : 0));
  }
}
