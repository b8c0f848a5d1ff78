// The commentary page's own sound: the microphone's level for its meter, the headphones check tone, and a
// tap on the program return (what the commentator hears), all in one AudioContext at the program's rate.
import { AUDIO_METER_FLOOR_DB } from '../../../protocol/index.ts';

/** The program's sample rate: the return tap reads the mix sample for sample. */
const SAMPLE_RATE = 48_000;
/** The headphones check: a short, clearly audible tone, well under full scale. */
const CHECK_TONE_HZ = 880;
const CHECK_TONE_S = 0.6;
const CHECK_TONE_GAIN = 0.1;
/** About 0.68 s of sound: long enough to tell two tones apart, short enough to follow a change. */
const TAP_SIZE = 32_768;

export class LocalAudio {
  readonly context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
  #mic: { source: MediaStreamAudioSourceNode; analyser: AnalyserNode } | null = null;
  #return: { source: MediaStreamAudioSourceNode; analyser: AnalyserNode } | null = null;
  readonly #buffer = new Float32Array(TAP_SIZE);

  /** Browsers start an AudioContext only from a click: the Join and check buttons call this. */
  async resume(): Promise<void> {
    if (this.context.state !== 'running') await this.context.resume().catch(() => undefined);
  }

  /** Meters this microphone track from now on (a new device replaces the old one). */
  meter(track: MediaStreamTrack | null): void {
    this.#mic?.source.disconnect();
    this.#mic = track === null ? null : this.#analyse(new MediaStream([track]), 2048);
  }

  /** The microphone's peak over the last ~40 ms, in dBFS (the floor when there is none or it is muted). */
  micPeakDb(): number {
    return this.#mic === null ? AUDIO_METER_FLOOR_DB : peakDb(this.#read(this.#mic.analyser));
  }

  /** Taps the program return (the template's own mix stream); heard through the template, not here. */
  tapReturn(stream: MediaStream): void {
    this.#return?.source.disconnect();
    this.#return = this.#analyse(stream, TAP_SIZE);
  }

  /** The return's last TAP_SIZE samples (mono, SAMPLE_RATE), or null before the return plays. */
  returnSamples(): Float32Array | null {
    return this.#return === null ? null : this.#read(this.#return.analyser).slice();
  }

  get sampleRate(): number {
    return this.context.sampleRate;
  }

  /** A short tone on this page's output, where the program return plays: "do I hear it in my headphones?" */
  async headphonesCheck(): Promise<void> {
    await this.resume();
    const at = this.context.currentTime;
    const tone = new OscillatorNode(this.context, { frequency: CHECK_TONE_HZ });
    const gain = new GainNode(this.context, { gain: 0 });
    // Ramped in and out: a tone that starts or stops at full level clicks.
    gain.gain.setTargetAtTime(CHECK_TONE_GAIN, at, 0.01);
    gain.gain.setTargetAtTime(0, at + CHECK_TONE_S - 0.05, 0.01);
    tone.connect(gain).connect(this.context.destination);
    tone.start(at);
    tone.stop(at + CHECK_TONE_S);
    await new Promise((resolve) => tone.addEventListener('ended', resolve, { once: true }));
    gain.disconnect();
  }

  async close(): Promise<void> {
    this.#mic?.source.disconnect();
    this.#return?.source.disconnect();
    await this.context.close();
  }

  #analyse(stream: MediaStream, fftSize: number): { source: MediaStreamAudioSourceNode; analyser: AnalyserNode } {
    const source = this.context.createMediaStreamSource(stream);
    const analyser = new AnalyserNode(this.context, { fftSize, channelCount: 1, channelCountMode: 'explicit' });
    source.connect(analyser);
    return { source, analyser };
  }

  #read(analyser: AnalyserNode): Float32Array {
    const samples = analyser.fftSize === TAP_SIZE ? this.#buffer : new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(samples);
    return samples;
  }
}

function peakDb(samples: Float32Array): number {
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  return peak === 0 ? AUDIO_METER_FLOOR_DB : Math.max(AUDIO_METER_FLOOR_DB, 20 * Math.log10(peak));
}
