// A source played by a video element: a LiveKit camera track, a media URL, or a test clip. The texture
// exists once the element has decoded a frame and is refreshed only while the source is on screen.
import { Texture, VideoSource } from 'pixi.js';
import type { SourceFeed } from './source-feed.ts';

export interface VideoFeedOptions {
  video: HTMLVideoElement;
  /** The element's sound as a node of the program's audio context, or null for silence. */
  audio: AudioNode | null;
  /** Called when the element is done with (tracks detach, URLs unload). */
  onClose?: () => void;
}

export class VideoFeed implements SourceFeed {
  readonly audio: AudioNode | null;
  readonly #video: HTMLVideoElement;
  readonly #onClose: (() => void) | undefined;
  #texture: Texture | null = null;
  #lastRefreshTime = -1;

  constructor(options: VideoFeedOptions) {
    this.#video = options.video;
    this.audio = options.audio;
    this.#onClose = options.onClose;
  }

  get texture(): Texture | null {
    if (this.#texture === null && this.hasFrames()) {
      // autoUpdate off: Pixi would otherwise upload every frame from its shared ticker, visible or not.
      const source = new VideoSource({ resource: this.#video, autoPlay: false });
      source.autoUpdate = false;
      this.#texture = new Texture({ source });
    }
    return this.#texture;
  }

  get video(): HTMLVideoElement {
    return this.#video;
  }

  hasFrames(): boolean {
    const quality = this.#video.getVideoPlaybackQuality?.();
    const decoded = quality === undefined ? 0 : quality.totalVideoFrames;
    return this.#video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && this.#video.videoWidth > 0 && (decoded > 0 || this.#video.currentTime > 0);
  }

  refresh(): void {
    const texture = this.texture;
    if (texture === null) return;
    const source = texture.source;
    if (source.width !== this.#video.videoWidth || source.height !== this.#video.videoHeight) {
      source.resize(this.#video.videoWidth, this.#video.videoHeight);
    }
    // Upload only when the element shows a new frame: a 30 fps camera in a 60 fps program uploads 30×/s.
    const time = this.#video.currentTime;
    if (time === this.#lastRefreshTime && this.#video.srcObject === null) return;
    this.#lastRefreshTime = time;
    source.update();
  }

  close(): void {
    this.#video.pause();
    this.audio?.disconnect();
    this.#texture?.destroy(false);
    this.#texture = null;
    this.#onClose?.();
  }
}

export function createVideoElement(): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.autoplay = true;
  video.crossOrigin = 'anonymous';
  return video;
}
