// A source played by a video element: a LiveKit camera track, a media URL, or a test clip. The texture
// exists once the element has decoded a frame and is refreshed only while the source is on screen.
import { CanvasSource, Texture, VideoSource } from 'pixi.js';
import type { SourceFeed } from './source-feed.ts';

export interface VideoFeedOptions {
  video: HTMLVideoElement;
  /** The element's sound as a node of the program's audio context, or null for silence. */
  audio: AudioNode | null;
  /** Called when the element is done with (tracks detach, URLs unload). */
  onClose?: () => void;
  /**
   * Asked when the texture is made: true (the canvas renderer) keeps an RGB copy of each new video frame.
   * Software drawImage(video) converts the whole YUV frame on EVERY draw (~5 ms for 720p here), so a source
   * drawn twice in a frame (an interrupted mix, PiP of the program source) or twice per decoded frame (a
   * 30 fps camera in a 60 fps program) paid for it again; with a copy, each decoded frame converts once.
   * A GPU renderer uploads the video directly instead.
   */
  copyFrames?: () => boolean;
}

export class VideoFeed implements SourceFeed {
  readonly audio: AudioNode | null;
  readonly #video: HTMLVideoElement;
  readonly #onClose: (() => void) | undefined;
  readonly #copyFrames: () => boolean;
  #texture: Texture | null = null;
  #lastRefreshTime = -1;
  #copy: { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } | null = null;
  /** Set by requestVideoFrameCallback when the element presents a new frame. */
  #fresh = true;

  constructor(options: VideoFeedOptions) {
    this.#video = options.video;
    this.audio = options.audio;
    this.#onClose = options.onClose;
    this.#copyFrames = options.copyFrames ?? (() => false);
  }

  get texture(): Texture | null {
    if (this.#texture === null && this.hasFrames()) {
      this.#texture = this.#copyFrames() ? this.#copyTexture() : this.#videoTexture();
    }
    return this.#texture;
  }

  #videoTexture(): Texture {
    // autoUpdate off: Pixi would otherwise upload every frame from its shared ticker, visible or not.
    // autoLoad off and a fixed alpha mode: VideoSource's load() probes WebGL for the video alpha mode,
    // which on a machine without a GPU spins up SwiftShader for nothing; camera pictures are opaque.
    const source = new VideoSource({
      resource: this.#video,
      autoPlay: false,
      autoLoad: false,
      alphaMode: 'premultiply-alpha-on-upload',
      width: this.#video.videoWidth,
      height: this.#video.videoHeight,
    });
    source.autoUpdate = false;
    return new Texture({ source });
  }

  #copyTexture(): Texture {
    const canvas = document.createElement('canvas');
    canvas.width = this.#video.videoWidth;
    canvas.height = this.#video.videoHeight;
    const context = canvas.getContext('2d', { alpha: false });
    if (context === null) throw new Error('2D canvas unavailable for video frame copies');
    this.#copy = { canvas, context };
    this.#watchFrames();
    return new Texture({ source: new CanvasSource({ resource: canvas }) });
  }

  #watchFrames(): void {
    if (typeof this.#video.requestVideoFrameCallback !== 'function') return;
    this.#video.requestVideoFrameCallback(() => {
      this.#fresh = true;
      if (this.#copy !== null) this.#watchFrames();
    });
  }

  get video(): HTMLVideoElement {
    return this.#video;
  }

  hasFrames(): boolean {
    const quality = this.#video.getVideoPlaybackQuality?.();
    const decoded = quality === undefined ? 0 : quality.totalVideoFrames;
    return (
      this.#video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA &&
      this.#video.videoWidth > 0 &&
      (decoded > 0 || this.#video.currentTime > 0)
    );
  }

  refresh(): void {
    const texture = this.texture;
    if (texture === null) return;
    const { videoWidth, videoHeight } = this.#video;
    const copy = this.#copy;
    if (copy !== null) {
      // Without requestVideoFrameCallback every refresh copies (correct, just not cheaper).
      if (!this.#fresh && typeof this.#video.requestVideoFrameCallback === 'function') return;
      this.#fresh = false;
      if (copy.canvas.width !== videoWidth || copy.canvas.height !== videoHeight) {
        copy.canvas.width = videoWidth;
        copy.canvas.height = videoHeight;
        this.#resize(texture, videoWidth, videoHeight);
      }
      copy.context.drawImage(this.#video, 0, 0);
      this.#texture?.source.update();
      return;
    }
    if (texture.source.width !== videoWidth || texture.source.height !== videoHeight)
      this.#resize(texture, videoWidth, videoHeight);
    const source = this.#texture?.source;
    if (source === undefined) return;
    // Upload only when the element shows a new frame: a 30 fps camera in a 60 fps program uploads 30×/s.
    const time = this.#video.currentTime;
    if (time === this.#lastRefreshTime && this.#video.srcObject === null) return;
    this.#lastRefreshTime = time;
    source.update();
  }

  /**
   * The picture changed size (a WebRTC sender adapting to bandwidth or CPU does, mid-stream): resize the
   * source and hand out a new Texture over it. Sprites keep the frame of the texture they were given, so the
   * old object, resized in place, would draw the new picture at its old size (shrunk into a corner).
   */
  #resize(texture: Texture, width: number, height: number): void {
    texture.source.resize(width, height);
    this.#texture = new Texture({ source: texture.source });
    texture.destroy(false);
  }

  close(): void {
    this.#video.pause();
    this.audio?.disconnect();
    this.#texture?.destroy(false);
    this.#texture = null;
    this.#copy = null;
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
