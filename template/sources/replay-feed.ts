// The replay source: the clip media played at the replay's speed, its position a pure function of state and
// server time (protocol replayMediaPositionMs), so every renderer shows the same frame and a page reloaded
// mid-replay seeks straight to it. The element is corrected only when it drifts, never every frame.
//
// Never black: until the clip has decoded the frame the replay is at, the replay source stands in with the
// live source it left (the replay's returnTo, the outgoing picture), as a broadcast replay server holds the
// live picture until its clip is cued. The cued clip (state.replayCue, set when a clip is marked) is loaded
// ahead, so a renderer normally has it decoded on its first frame long before a director plays it.
import { replayMediaPositionMs, type ReplayClipRef, type ReplayState, type SourceId } from '../../protocol/index.ts';
import { createLogger } from '../config/logger.ts';
import type { SourceFeed } from './source-feed.ts';
import { createVideoElement, VideoFeed } from './video-feed.ts';

const log = createLogger('replay');

/** The element is re-seeked when it is this far from where server time says it should be. */
export const REPLAY_MAX_DRIFT_S = 0.2;
/**
 * The clip replaces the live stand-in once it shows a decoded frame this close to its position (media s):
 * looser than the drift bound, because on a loaded machine a clip a few frames off (being corrected) is
 * still the replay viewers expect, where the live picture is not.
 */
export const REPLAY_SHOW_TOLERANCE_S = 0.5;

export interface ReplayFeedOptions {
  /** URL of a clip media file (served by the controller). */
  mediaUrl: (file: string) => string;
  copyFrames: () => boolean;
}

/** One clip's media in a video element. */
interface ClipPlayer {
  media: string;
  video: HTMLVideoElement;
  feed: VideoFeed;
  /** How long this element's last seek took (s): a seek while running aims that far ahead of the position. */
  seekS: number;
}

export class ReplayFeed implements SourceFeed {
  /** The clip's own sound stays out of the mix: slowed sound is not what viewers want under a replay. */
  readonly audio = null;
  readonly #options: ReplayFeedOptions;
  /** At most two: the clip on program (or the last one, holding its frame for the wipe out) and the cued one. */
  readonly #players = new Map<string, ClipPlayer>();
  #current: ClipPlayer | null = null;
  /** The replay whose clip has shown its frame (`startedAt` + media): from then on the clip, never the stand-in. */
  #shownFor = '';
  #standIn: SourceId | null = null;

  constructor(options: ReplayFeedOptions) {
    this.#options = options;
  }

  /**
   * The live source to draw in the replay's place (SourceFeeds.get hands out its feed): set while the replay's
   * clip has not decoded the frame it is at, null once it has (or with no replay).
   */
  get standIn(): SourceId | null {
    return this.#standIn;
  }

  get texture(): VideoFeed['texture'] {
    return this.#current?.feed.texture ?? null;
  }

  hasFrames(): boolean {
    return this.#current?.feed.hasFrames() ?? false;
  }

  refresh(): void {
    this.#current?.feed.refresh();
  }

  /**
   * Every frame, before drawing: the replay now (null once it has ended; the element then holds its frame)
   * and the cued clip, which is loaded and parked on its in point.
   */
  sync(replay: ReplayState | null | undefined, cue: ReplayClipRef | null | undefined, serverNow: number): void {
    if (replay === undefined || replay === null) {
      this.#standIn = null;
      const video = this.#current?.video;
      if (video !== undefined && !video.paused) video.pause();
    } else {
      this.#play(replay, serverNow);
    }
    if (cue !== undefined && cue !== null && cue.media !== this.#current?.media)
      this.#park(this.#player(cue.media), cue);
    for (const [media, player] of this.#players)
      if (player !== this.#current && media !== cue?.media) this.#release(player);
  }

  #play(replay: ReplayState, serverNow: number): void {
    const player = this.#player(replay.clip.media);
    this.#current = player;
    const element = player.video;
    const key = `${replay.startedAt}/${replay.clip.media}`;
    const target = replayMediaPositionMs(replay, serverNow) / 1000;
    if (element.readyState >= HTMLMediaElement.HAVE_METADATA) {
      const end = (replay.clip.mediaOffsetMs + replay.clip.toMs - replay.clip.fromMs) / 1000;
      if (element.playbackRate !== replay.speed) element.playbackRate = replay.speed;
      const running = serverNow >= replay.startedAt && target < end;
      if (Math.abs(element.currentTime - target) > REPLAY_MAX_DRIFT_S && !element.seeking)
        seek(player, running ? Math.min(end, target + player.seekS * replay.speed) : target);
      if (running && element.paused) element.play().catch((error: unknown) => log.warn('clip did not play', error));
      if (!running && !element.paused) element.pause();
    }
    // Shown once the element presents a decoded frame near the position; a later drift correction keeps the
    // clip's last frame up while it seeks (the live picture flashing back in would read as a glitch).
    if (this.#shownFor !== key && onFrame(player, target)) {
      this.#shownFor = key;
      log.info(`replay clip ${replay.clip.media} on its first frame`);
    }
    this.#standIn = this.#shownFor === key ? null : replay.returnTo;
  }

  /** The cued clip waits on its in point, so its first frame is decoded before it is played. */
  #park(player: ClipPlayer, cue: ReplayClipRef): void {
    const video = player.video;
    if (video.readyState < HTMLMediaElement.HAVE_METADATA || video.seeking || !video.paused) return;
    const inPoint = cue.mediaOffsetMs / 1000;
    if (Math.abs(video.currentTime - inPoint) > REPLAY_MAX_DRIFT_S) seek(player, inPoint);
  }

  #player(media: string): ClipPlayer {
    const existing = this.#players.get(media);
    if (existing !== undefined) return existing;
    const video = createVideoElement();
    video.autoplay = false;
    video.preload = 'auto';
    video.src = this.#options.mediaUrl(media);
    video.addEventListener('error', () => log.warn(`clip media ${media} failed to load`));
    const feed = new VideoFeed({ video, audio: null, copyFrames: this.#options.copyFrames });
    const player: ClipPlayer = { media, video, feed, seekS: 0 };
    this.#players.set(media, player);
    log.info(`loading replay clip ${media}`);
    return player;
  }

  #release(player: ClipPlayer): void {
    player.feed.close();
    player.video.removeAttribute('src');
    player.video.load();
    this.#players.delete(player.media);
    if (this.#current === player) this.#current = null;
  }

  close(): void {
    for (const player of [...this.#players.values()]) this.#release(player);
    this.#standIn = null;
  }
}

/**
 * Seeks and measures how long it takes: a seek on a loaded machine can outlast the drift bound, and a
 * running replay aimed at where it was when the seek started would land behind and seek again forever.
 */
function seek(player: ClipPlayer, seconds: number): void {
  const started = performance.now();
  player.video.addEventListener('seeked', () => (player.seekS = (performance.now() - started) / 1000), { once: true });
  player.video.currentTime = seconds;
}

/** The element shows a decoded frame near `target` seconds (REPLAY_SHOW_TOLERANCE_S; not seeking to it). */
function onFrame(player: ClipPlayer, target: number): boolean {
  const video = player.video;
  return !video.seeking && player.feed.hasFrames() && Math.abs(video.currentTime - target) <= REPLAY_SHOW_TOLERANCE_S;
}
