// The AudioWorkletGlobalScope module of the program mixer (loaded once per AudioContext with
// audioWorklet.addModule; Vite bundles it with its imports through `?worker&url`). Three processors, each a
// thin shell over a DSP core in dsp/ that the unit tests run in Node:
//   pitchside-limiter       the master's true-peak limiter (in place, stereo); posts its gain reduction (the
//                           international sound's, which nobody meters, posts nothing)
//   pitchside-meter         the program meter: posts a MeterBlock every 100 ms (a tap: it outputs silence)
//   pitchside-source-meter  a source's level before its fader, and its speaking state when it ducks others
import { LimiterCore, MeterCore, SourceLevel, SUB_BLOCK_MS } from './dsp/index.ts';
import {
  PROCESSOR,
  type LimiterMessage,
  type LimiterProcessorOptions,
  type SourceMeterMessage,
} from './worklet-messages.ts';

// The worklet scope's globals (not in TypeScript's DOM lib).
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: new (options: AudioWorkletNodeOptions) => unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

class LimiterProcessor extends AudioWorkletProcessor {
  readonly #core: LimiterCore;
  /** The international sound's limiter posts nothing: unread messages would only queue on its port. */
  readonly #report: boolean;
  #quanta = 0;
  readonly #reportEvery = Math.round((sampleRate * SUB_BLOCK_MS) / 1000 / 128);

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const { report, ...settings } = options.processorOptions as LimiterProcessorOptions;
    this.#report = report;
    this.#core = new LimiterCore({ sampleRate, channels: 2, ...settings });
    this.port.onmessage = (event: MessageEvent<LimiterMessage>) =>
      this.#core.configure(event.data.ceilingDbtp, event.data.on);
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const output = outputs[0] ?? [];
    const length = output[0]?.length ?? 128;
    for (let c = 0; c < output.length; c += 1) {
      const source = input[c] ?? input[0];
      if (source === undefined) output[c]?.fill(0);
      else output[c]?.set(source);
    }
    this.#core.process(output, length);
    if (!this.#report) return true;
    this.#quanta += 1;
    if (this.#quanta >= this.#reportEvery) {
      this.#quanta = 0;
      this.port.postMessage(this.#core.takeMinGain());
    }
    return true;
  }
}

class MeterProcessor extends AudioWorkletProcessor {
  readonly #core = new MeterCore(sampleRate, 2, SUB_BLOCK_MS);

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    this.#core.process(input, input[0]?.length ?? 128, (block) => this.port.postMessage(block));
    return true;
  }
}

class SourceMeterProcessor extends AudioWorkletProcessor {
  readonly #core = new SourceLevel(sampleRate, SUB_BLOCK_MS);

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<number | null>) => this.#core.setThreshold(event.data);
  }

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    this.#core.process(
      input,
      input[0]?.length ?? 128,
      (block) => this.port.postMessage({ kind: 'level', ...block } satisfies SourceMeterMessage),
      (speaking) => this.port.postMessage({ kind: 'speaking', speaking } satisfies SourceMeterMessage),
    );
    return true;
  }
}

registerProcessor(PROCESSOR.limiter, LimiterProcessor);
registerProcessor(PROCESSOR.meter, MeterProcessor);
registerProcessor(PROCESSOR.sourceMeter, SourceMeterProcessor);
