// What a camera source shows while it has no picture: a plain slate (CAMERA_SLATE_COLOUR) with the
// camera's name and why, drawn once. CHECK_REGION stays plain colour so recordings can be checked.
import { CanvasSource, Texture } from 'pixi.js';
import { CAMERA_SLATE_COLOUR } from '../../protocol/index.ts';
import type { SourceFeed } from './source-feed.ts';

const SLATE_WIDTH = 640;
const SLATE_HEIGHT = 360;

export interface CameraSlateOptions {
  label: string;
  /** True once the camera had a picture in this page: "camera lost" rather than "waiting". */
  lost: boolean;
}

export class CameraSlate implements SourceFeed {
  readonly texture: Texture;
  readonly audio = null;

  constructor(options: CameraSlateOptions) {
    const canvas = document.createElement('canvas');
    canvas.width = SLATE_WIDTH;
    canvas.height = SLATE_HEIGHT;
    const g = canvas.getContext('2d', { alpha: false });
    if (g === null) throw new Error('2D canvas unavailable for the camera slate');
    g.fillStyle = CAMERA_SLATE_COLOUR;
    g.fillRect(0, 0, SLATE_WIDTH, SLATE_HEIGHT);
    g.fillStyle = '#ffffff';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.font = `bold ${Math.round(SLATE_HEIGHT * 0.09)}px "DejaVu Sans", "Liberation Sans", sans-serif`;
    g.fillText(
      options.lost ? 'CAMERA LOST' : 'WAITING FOR CAMERA',
      SLATE_WIDTH / 2,
      SLATE_HEIGHT * 0.42,
      SLATE_WIDTH * 0.6,
    );
    g.font = `${Math.round(SLATE_HEIGHT * 0.065)}px "DejaVu Sans", "Liberation Sans", sans-serif`;
    g.fillText(options.label, SLATE_WIDTH / 2, SLATE_HEIGHT * 0.58, SLATE_WIDTH * 0.6);
    this.texture = new Texture({ source: new CanvasSource({ resource: canvas }) });
  }

  /** Not a picture of the source: START_RECORDING still waits for the camera's first frame. */
  hasFrames(): boolean {
    return false;
  }

  refresh(): void {}

  close(): void {
    this.texture.destroy(true);
  }
}

/** A camera's video, with the slate in its place until the first frame has decoded. */
export class CameraFeed implements SourceFeed {
  constructor(
    private readonly video: SourceFeed,
    private readonly slate: CameraSlate,
  ) {}

  get texture(): Texture | null {
    return this.video.hasFrames() ? this.video.texture : this.slate.texture;
  }

  get audio(): AudioNode | null {
    return this.video.audio;
  }

  hasFrames(): boolean {
    return this.video.hasFrames();
  }

  refresh(frameIndex: number): void {
    if (this.video.hasFrames()) this.video.refresh(frameIndex);
  }

  close(): void {
    this.video.close();
    this.slate.close();
  }
}
