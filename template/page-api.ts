// window.pitchside: the page's documented surface for the built-in recorder (worker/recorder, which
// reads `capture`), tests and the benchmark. Shapes shared with Node live in protocol/template-page.ts.
import type { AudioMeters, FrameInfo, FrameStats, ProgramState } from '../protocol/index.ts';
import type { FrameCallback } from './ticker/index.ts';

export interface PitchsideCapture {
  canvas: HTMLCanvasElement;
  fps: number;
  /** The program mix (an AudioNode of the page's AudioContext). */
  audio: AudioNode;
  /**
   * The international sound (the program mix without the commentary seats) in the same context, made on the
   * first call; null where the mixer is bypassed. The built-in recorder calls it only when the event records
   * international sound (audio.master.international), and records it as the recording's second track.
   */
  international?: () => AudioNode | null;
  /** Called after each rendered output frame with its slot index and slot time (performance.now clock). */
  onFrame(callback: FrameCallback): () => void;
}

export interface PitchsidePageApi {
  /** Resolves when the program has a picture: the moment START_RECORDING is (or would be) logged. */
  ready: Promise<void>;
  /** Frame statistics since start or the last resetStats(). */
  stats(): FrameStats;
  resetStats(): void;
  /** What the last rendered frame showed and for which server time. */
  frame(): FrameInfo;
  /** The program state on screen (the highest revision received). */
  state(): ProgramState | null;
  /** Estimated server time minus local time, ms. */
  serverOffsetMs(): number;
  canvas: HTMLCanvasElement;
  /** The program audio as a MediaStream, for consumers outside the page's AudioContext. */
  audioStream: MediaStream;
  /** The program meters' latest reading (what the output page reports); null before the first. */
  audioMeters(): AudioMeters | null;
  capture: PitchsideCapture;
  /** Only with `?room=stand-in` (Egress contract tests): the LiveKit room stand-in. */
  standInRoom?: unknown;
}

declare global {
  interface Window {
    pitchside?: PitchsidePageApi;
  }
}
