// Built-in test source camera-N: an exact solid colour that checks can read, with its label, a moving
// marker and a frame counter kept out of CHECK_REGION and out of the plain band the wipe checks sample.
import { CanvasSource, Texture } from 'pixi.js';
import { testSourceColour, testSourceToneHz } from '../../protocol/index.ts';
import type { SourceFeed } from './source-feed.ts';

/** The pattern is drawn at 720p and scaled: the colour stays exact, the drawing stays cheap. */
export const TEST_PATTERN_WIDTH = 1280;
export const TEST_PATTERN_HEIGHT = 720;
/** Test tones sit well below full scale so that a mix of two never clips. */
const TONE_GAIN = 0.25;
/** Label and counter stay in the top 16 % and the marker below this line: y 16–84 % is plain colour. */
const MARKER_BAND_TOP = 0.84;
const MARKER_PERIOD_FRAMES = 120;

export interface TestPatternFeedOptions {
  number: number;
  label: string;
  audioContext: AudioContext;
}

export class TestPatternFeed implements SourceFeed {
  readonly texture: Texture;
  readonly audio: AudioNode;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #oscillator: OscillatorNode;
  readonly #colour: string;
  #label: string;

  constructor(options: TestPatternFeedOptions) {
    this.#colour = testSourceColour(options.number);
    this.#label = options.label;
    this.#canvas = document.createElement('canvas');
    this.#canvas.width = TEST_PATTERN_WIDTH;
    this.#canvas.height = TEST_PATTERN_HEIGHT;
    const context = this.#canvas.getContext('2d', { alpha: false });
    if (context === null) throw new Error('2D canvas unavailable for the test pattern');
    this.#context = context;
    this.texture = new Texture({ source: new CanvasSource({ resource: this.#canvas }) });
    const tone = createTestTone(options.audioContext, options.number);
    this.#oscillator = tone.oscillator;
    this.audio = tone.output;
  }

  set label(label: string) {
    this.#label = label;
  }

  hasFrames(): boolean {
    return true;
  }

  refresh(frameIndex: number): void {
    this.#draw(frameIndex);
    this.texture.source.update();
  }

  #draw(frameIndex: number): void {
    const g = this.#context;
    const w = TEST_PATTERN_WIDTH;
    const h = TEST_PATTERN_HEIGHT;
    g.fillStyle = this.#colour;
    g.fillRect(0, 0, w, h);
    g.fillStyle = '#ffffff';
    g.textBaseline = 'top';
    g.font = `bold ${Math.round(h * 0.07)}px "DejaVu Sans", "Liberation Sans", sans-serif`;
    // Centred at the top: the scorebug (top left) and a PiP (any corner) leave it readable.
    g.textAlign = 'center';
    g.fillText(this.#label, w * 0.5, h * 0.04, w * 0.4);
    g.textAlign = 'right';
    g.font = `${Math.round(h * 0.05)}px "DejaVu Sans Mono", monospace`;
    g.fillText(String(frameIndex).padStart(6, '0'), w * 0.97, h * 0.05);
    const phase = (frameIndex % MARKER_PERIOD_FRAMES) / MARKER_PERIOD_FRAMES;
    const size = h * 0.06;
    const x = w * 0.15 + phase * (w * 0.8 - size);
    g.fillRect(x, h * (MARKER_BAND_TOP + 0.03), size, size);
  }

  close(): void {
    this.#oscillator.stop();
    this.#oscillator.disconnect();
    this.audio.disconnect();
    this.texture.destroy(true);
  }
}

/** Test source N's sound: a sine of 200 + 200·N Hz, running from creation (the mixer gates it). */
export function createTestTone(context: AudioContext, n: number): { oscillator: OscillatorNode; output: GainNode } {
  const oscillator = new OscillatorNode(context, { type: 'sine', frequency: testSourceToneHz(n) });
  const output = new GainNode(context, { gain: TONE_GAIN });
  oscillator.connect(output);
  oscillator.start();
  return { oscillator, output };
}
