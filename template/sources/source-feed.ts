// A source's live picture (and sound) as the scene consumes it, whatever it comes from.
import type { Texture } from 'pixi.js';

export interface SourceFeed {
  /** Null until the source has a first decoded frame: the scene draws black meanwhile. */
  readonly texture: Texture | null;
  /** The source's sound, connected by the program mixer; null for a silent source. */
  readonly audio: AudioNode | null;
  /** True once a frame has been decoded or drawn (START_RECORDING waits for the program source's). */
  hasFrames(): boolean;
  /**
   * Called once per output frame for sources on screen only: the feed brings its texture up to date.
   * Sources off screen are never refreshed, so they cost no upload or drawing.
   */
  refresh(frameIndex: number): void;
  close(): void;
}
