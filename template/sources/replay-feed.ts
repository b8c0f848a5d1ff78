// The replay source: the clip media played at the replay's speed, its position a pure function of state and
// server time (protocol replayMediaPositionMs), so every renderer shows the same frame and a page reloaded
// mid-replay seeks straight to it. The element is corrected only when it drifts, never every frame.
import { replayMediaPositionMs, type ReplayState } from '../../protocol/index.ts';
import { createLogger } from '../config/logger.ts';
import type { SourceFeed } from './source-feed.ts';
import { createVideoElement, VideoFeed } from './video-feed.ts';

const log = createLogger('replay');

/** The element is re-seeked when it is this far from where server time says it should be. */
export const REPLAY_MAX_DRIFT_S = 0.2;

export interface ReplayFeedOptions {
  /** URL of a clip media file (served by the controller). */
  mediaUrl: (file: string) => string;
  copyFrames: () => boolean;
}

export class ReplayFeed implements SourceFeed {
  /** The clip's own sound stays out of the mix: slowed sound is not what viewers want under a replay. */
  readonly audio = null;
  readonly #options: ReplayFeedOptions;
  #media = '';
  #video: HTMLVideoElement | null = null;
  #feed: VideoFeed | null = null;

  constructor(options: ReplayFeedOptions) {
    this.#options = options;
  }

  get texture(): VideoFeed['texture'] {
    return this.#feed?.texture ?? null;
  }

  hasFrames(): boolean {
    return this.#feed?.hasFrames() ?? false;
  }

  refresh(): void {
    this.#feed?.refresh();
  }

  /** Every frame, before drawing: the replay now (null once it has ended; the element then holds its frame). */
  sync(replay: ReplayState | null | undefined, serverNow: number): void {
    const video = this.#video;
    if (replay === undefined || replay === null) {
      if (video !== null && !video.paused) video.pause();
      return;
    }
    if (replay.clip.media !== this.#media) this.#load(replay.clip.media);
    const element = this.#video;
    if (element === null || element.readyState < HTMLMediaElement.HAVE_METADATA) return;
    const target = replayMediaPositionMs(replay, serverNow) / 1000;
    const end = (replay.clip.mediaOffsetMs + replay.clip.toMs - replay.clip.fromMs) / 1000;
    if (element.playbackRate !== replay.speed) element.playbackRate = replay.speed;
    const running = serverNow >= replay.startedAt && target < end;
    if (Math.abs(element.currentTime - target) > REPLAY_MAX_DRIFT_S && !element.seeking) element.currentTime = target;
    if (running && element.paused) element.play().catch((error: unknown) => log.warn('clip did not play', error));
    if (!running && !element.paused) element.pause();
  }

  #load(media: string): void {
    this.#release();
    this.#media = media;
    const video = createVideoElement();
    video.autoplay = false;
    video.preload = 'auto';
    video.src = this.#options.mediaUrl(media);
    video.addEventListener('error', () => log.warn(`clip media ${media} failed to load`));
    this.#video = video;
    this.#feed = new VideoFeed({ video, audio: null, copyFrames: this.#options.copyFrames });
    log.info(`replay clip ${media}`);
  }

  #release(): void {
    this.#feed?.close();
    this.#video?.removeAttribute('src');
    this.#video?.load();
    this.#feed = null;
    this.#video = null;
    this.#media = '';
  }

  close(): void {
    this.#release();
  }
}
