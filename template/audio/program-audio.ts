// Program sound: every source's audio through its own gain into one bus, the gains set each frame from
// the picture's layer weights (audio follows video, crossfading through a mix). The bus plays to the
// page's output (Egress records the page's sound) and is offered for capture (the built-in recorder).
// A silent mix (the preview monitor) keeps the same graph with the bus at zero and off the speakers.
import type { SourceId } from '../../protocol/index.ts';

/** Gain changes glide with this time constant, so per-frame steps never click. */
const GAIN_SMOOTHING_S = 0.01;
const OUTPUT_SAMPLE_RATE = 48_000;

export interface ProgramAudioOptions {
  /** No sound at all: not to the page's output, not into the capture stream. */
  silent: boolean;
}

export class ProgramAudio {
  readonly context: AudioContext;
  /** The program mix: connect a capture tap here. */
  readonly bus: GainNode;
  /** The same mix as a MediaStream, for consumers outside this audio context. */
  readonly stream: MediaStream;
  readonly #inputs = new Map<SourceId, { gain: GainNode; node: AudioNode | null; weight: number }>();

  constructor(options: ProgramAudioOptions = { silent: false }) {
    this.context = new AudioContext({ sampleRate: OUTPUT_SAMPLE_RATE, latencyHint: 'playback' });
    this.bus = new GainNode(this.context, { gain: options.silent ? 0 : 1 });
    if (!options.silent) this.bus.connect(this.context.destination);
    const capture = this.context.createMediaStreamDestination();
    this.bus.connect(capture);
    this.stream = capture.stream;
  }

  async start(): Promise<void> {
    // The recorder and Egress launch Chromium with autoplay allowed; elsewhere this waits for a gesture.
    if (this.context.state !== 'running') await this.context.resume().catch(() => undefined);
  }

  /** A source's sound appeared or went away (node null). */
  setSourceAudio(source: SourceId, node: AudioNode | null): void {
    const input = this.#inputs.get(source) ?? { gain: new GainNode(this.context, { gain: 0 }), node: null, weight: 0 };
    if (input.node === null) input.gain.connect(this.bus);
    input.node?.disconnect(input.gain);
    input.node = node;
    node?.connect(input.gain);
    this.#inputs.set(source, input);
    if (node === null) {
      input.gain.disconnect();
      this.#inputs.delete(source);
    }
  }

  /** Each source's share of the program picture: its gain follows. */
  applyWeights(weights: ReadonlyMap<SourceId, number>): void {
    const at = this.context.currentTime;
    for (const [source, input] of this.#inputs) {
      const weight = weights.get(source) ?? 0;
      if (weight === input.weight) continue;
      input.weight = weight;
      input.gain.gain.setTargetAtTime(weight, at, GAIN_SMOOTHING_S);
    }
  }

  async close(): Promise<void> {
    for (const source of [...this.#inputs.keys()]) this.setSourceAudio(source, null);
    await this.context.close();
  }
}
