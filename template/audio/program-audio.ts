// Program sound: the one mixing graph every renderer builds from the state (the built-in recorder's page,
// Egress's page, the monitors), so they all make the same mix.
//
//   source ─┬─ delay ─ gain (fader × mode × mute × picture weight) ─ duck ─┐
//           └─ source meter (pre-fader level; speaking, when it ducks)     │
//   master: bus (master fader × mute × leveler) ← ───────────────────────┘
//           ─ limiter (true peak, look-ahead) ─ program ─┬─ speakers (Egress records them) / capture stream
//                                                       └─ program meter (BS.1770)
//   international (built only when a recorder records it, audio.master.international): every gain ─ intl (0 for
//           a commentary seat; ducked only by voices that are not commentary) ─ master fader × leveler
//           ─ a limiter of its own (reporting nothing) ─ international
//
// The worklets load asynchronously: until they have (or if they cannot), the bus feeds the program
// directly. `mixer: 'bypass'` keeps only audio-follow-video (the benchmark's baseline).
import {
  AUDIO_METER_FLOOR_DB,
  audioSourceSettings,
  defaultAudioMaster,
  faderGain,
  type AudioMaster,
  type AudioMeters,
  type AudioState,
  type Source,
  type SourceId,
  type SourceMeter,
} from '../../protocol/index.ts';
import { createLogger } from '../config/logger.ts';
import { LoudnessMeter, toDb, type MeterBlock } from './dsp/index.ts';
import workletUrl from './program-worklet.ts?worker&url';
import {
  PROCESSOR,
  type LimiterMessage,
  type LimiterProcessorOptions,
  type SourceMeterMessage,
} from './worklet-messages.ts';

const log = createLogger('audio');

/** Gain changes glide with this time constant, so per-frame steps never click. */
const GAIN_SMOOTHING_S = 0.01;
/** Ducking: down in about 50 ms (three time constants), back up in about 500 ms after the speaker's hold. */
const DUCK_ATTACK_S = 0.016;
const DUCK_RELEASE_S = 0.17;
const DELAY_SMOOTHING_S = 0.02;
const MAX_DELAY_S = 1.05;
const OUTPUT_SAMPLE_RATE = 48_000;
/** The leveler rides at most this fast and this far, and only while there is programme to measure. */
const LEVELER_DB_PER_BLOCK = 0.05;
const LEVELER_RANGE_DB = 12;
const LEVELER_MIN_LUFS = -50;
const METER_MAX_DB = 40;

export interface ProgramAudioOptions {
  /** No sound at all: not to the page's output, not into the capture stream. */
  silent: boolean;
  /** `bypass`: audio follows video and nothing else (no delay, fader, ducking, limiter or meters). */
  mixer?: 'full' | 'bypass';
  /** Server time now, for the meters' `at`. */
  serverNow?: () => number;
  /**
   * A source kept out of this page's sound (a mix-minus): its gain is 0 here, but its level still keys the
   * ducking, so everything else sounds as in program.
   */
  minus?: SourceId | null;
}

interface Input {
  node: AudioNode;
  /** This source's share of the international sound (null until that mix is asked for). */
  intl: GainNode | null;
  intlValue: number;
  /**
   * A commentary seat: kept out of the international sound, and its voice ducks nothing there. Null until a
   * state has said what the source is (silent there until then).
   */
  commentary: boolean | null;
  delay: DelayNode | null;
  gain: GainNode;
  duck: GainNode | null;
  meter: AudioWorkletNode | null;
  level: SourceMeter | null;
  /** Last values set, so a frame that changes nothing schedules nothing. */
  gainValue: number;
  delayMs: number;
  duckValue: number;
  /** Ducking others now: an `on` source marked duckOthers whose level is over the threshold. */
  speaking: boolean;
  keyThreshold: number | null;
}

export class ProgramAudio {
  readonly context: AudioContext;
  /** The program mix, after the limiter: connect a capture tap here. */
  readonly bus: GainNode;
  /** The same mix as a MediaStream, for consumers outside this audio context. */
  readonly stream: MediaStream;
  readonly #options: ProgramAudioOptions;
  readonly #full: boolean;
  readonly #inputs = new Map<SourceId, Input>();
  /** Master fader × mute × leveler, before the limiter. */
  readonly #master: GainNode;
  /** Where the meters' (silent) outputs go so the graph pulls them. */
  readonly #sink: GainNode;
  #limiter: AudioWorkletNode | null = null;
  /**
   * "International sound": the program mix without the commentary seats, for a second track in the
   * recording. It is mixed here, from the same state and the same inputs, and not derived later: a voice
   * cannot be subtracted from the limited, ducked full mix, and an export-time mix from the ISOs would miss
   * the fader moves, the ducking, the replays and every source without an ISO.
   */
  #international: { master: GainNode; bus: GainNode; limiter: AudioWorkletNode | null } | null = null;
  #meter: AudioWorkletNode | null = null;
  #settings: AudioMaster = defaultAudioMaster();
  #masterValue = 1;
  #levelerDb = 0;
  #duckDepth = 1;
  #loudness = new LoudnessMeter(AUDIO_METER_FLOOR_DB);
  #truePeakMax = 0;
  #limiterGain = 1;
  #meters: AudioMeters | null = null;
  readonly #listeners = new Set<(meters: AudioMeters) => void>();

  constructor(options: ProgramAudioOptions = { silent: false }) {
    this.#options = options;
    this.#full = options.mixer !== 'bypass';
    this.context = new AudioContext({ sampleRate: OUTPUT_SAMPLE_RATE, latencyHint: 'playback' });
    this.#master = new GainNode(this.context, { gain: 1 });
    this.bus = new GainNode(this.context, { gain: options.silent ? 0 : 1 });
    this.#master.connect(this.bus);
    if (!options.silent) this.bus.connect(this.context.destination);
    const capture = this.context.createMediaStreamDestination();
    this.bus.connect(capture);
    this.stream = capture.stream;
    this.#sink = new GainNode(this.context, { gain: 0 });
    this.#sink.connect(this.context.destination);
  }

  async start(): Promise<void> {
    // The recorder and Egress launch Chromium with autoplay allowed; elsewhere this waits for a gesture.
    if (this.context.state !== 'running') await this.context.resume().catch(() => undefined);
    if (!this.#full) return;
    try {
      await this.context.audioWorklet.addModule(workletUrl);
    } catch (error) {
      log.warn('mixer worklets did not load: no limiter and no meters', error);
      return;
    }
    const limiter = this.#newLimiter(true);
    limiter.port.onmessage = (event: MessageEvent<number>) =>
      (this.#limiterGain = Math.min(this.#limiterGain, event.data));
    this.#master.disconnect(this.bus);
    this.#master.connect(limiter).connect(this.bus);
    this.#limiter = limiter;
    const meter = new AudioWorkletNode(this.context, PROCESSOR.meter, {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      channelCount: 2,
      channelCountMode: 'explicit',
    });
    meter.port.onmessage = (event: MessageEvent<MeterBlock>) => this.#measured(event.data);
    this.bus.connect(meter).connect(this.#sink);
    this.#meter = meter;
    for (const input of this.#inputs.values()) input.meter = this.#sourceMeter(input);
  }

  /**
   * The international sound (every source as the mixer has it but the commentary seats, through the same
   * master fader and a limiter of its own), built on the first call: only the built-in recorder asks, and only
   * when the event records it (audio.master.international as the recorder starts), so no monitor and no
   * recording without it pays for a second mix. Null with the mixer bypassed.
   */
  international(): AudioNode | null {
    if (!this.#full) return null;
    if (this.#international === null) {
      const master = new GainNode(this.context, { gain: this.#masterValue });
      const bus = new GainNode(this.context, { gain: 1 });
      const limiter = this.#limiter === null ? null : this.#newLimiter(false);
      if (limiter === null) master.connect(bus);
      else master.connect(limiter).connect(bus);
      this.#international = { master, bus, limiter };
      for (const input of this.#inputs.values()) this.#tapInternational(input);
      this.#updateDucking();
    }
    return this.#international.bus;
  }

  /** The latest meter reading (null until the first 100 ms of program, or without the worklets). */
  get meters(): AudioMeters | null {
    return this.#meters;
  }

  /** Called with each meter reading, every 100 ms; returns an unsubscribe function. */
  onMeters(listener: (meters: AudioMeters) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A source's sound appeared or went away (node null). */
  setSourceAudio(source: SourceId, node: AudioNode | null): void {
    const old = this.#inputs.get(source);
    if (old !== undefined) {
      old.node.disconnect(old.delay ?? old.gain);
      if (old.meter !== null) old.node.disconnect(old.meter);
      old.meter?.disconnect();
      old.meter?.port.close();
      old.duck?.disconnect();
      old.intl?.disconnect();
      old.gain.disconnect();
      old.delay?.disconnect();
      this.#inputs.delete(source);
      if (old.speaking) this.#updateDucking();
    }
    if (node === null) return;
    const gain = new GainNode(this.context, { gain: 0 });
    const delay = this.#full ? new DelayNode(this.context, { maxDelayTime: MAX_DELAY_S, delayTime: 0 }) : null;
    const duck = this.#full ? new GainNode(this.context, { gain: 1 }) : null;
    if (delay !== null) node.connect(delay).connect(gain);
    else node.connect(gain);
    if (duck !== null) gain.connect(duck).connect(this.#master);
    else gain.connect(this.#master);
    const input: Input = {
      node,
      intl: null,
      intlValue: 0,
      commentary: null,
      delay,
      gain,
      duck,
      meter: null,
      level: null,
      gainValue: 0,
      delayMs: 0,
      duckValue: 1,
      speaking: false,
      keyThreshold: null,
    };
    input.meter = this.#sourceMeter(input);
    this.#inputs.set(source, input);
    this.#tapInternational(input);
  }

  /**
   * Sets every gain from the state and the picture, once per rendered frame.
   * @param weights each source's share of the program picture (audio follows video)
   * @param liveUnderReplay what a replay leaves of the live sound (1 without a replay, 0.25 ducked, 0 muted)
   */
  apply(
    audio: AudioState | undefined,
    sources: readonly Source[],
    weights: ReadonlyMap<SourceId, number>,
    liveUnderReplay = 1,
  ): void {
    const at = this.context.currentTime;
    const byId = new Map(sources.map((s) => [s.id, s]));
    for (const [id, input] of this.#inputs) {
      const weight = weights.get(id) ?? 0;
      if (!this.#full) {
        this.#setGain(input, weight, at);
        continue;
      }
      const source = byId.get(id) ?? { id, kind: 'test' };
      const settings = audioSourceSettings(audio, source);
      if (input.commentary !== (source.kind === 'commentary')) {
        input.commentary = source.kind === 'commentary';
        // Only the international sound depends on it: without that mix the program's ducking is left as is.
        if (this.#international !== null) this.#updateDucking();
      }
      // An `on` source is live sound too, so a replay ducks or mutes it, except a voice that ducks others
      // (commentary talks over replays).
      const mode =
        settings.mode === 'follow' ? weight : settings.mode === 'on' ? (settings.duckOthers ? 1 : liveUnderReplay) : 0;
      const wasSilent = input.gainValue === 0;
      const heard = !settings.muted && id !== this.#options.minus;
      this.#setGain(input, heard ? faderGain(settings.gainDb) * mode : 0, at);
      if (settings.delayMs !== input.delayMs && input.delay !== null) {
        input.delayMs = settings.delayMs;
        // Heard, a new delay glides in (a jump would click); silent (a source just joined, or muted), it is
        // set at once, so a returning source starts exactly as late as it is set to.
        if (wasSilent) input.delay.delayTime.setValueAtTime(settings.delayMs / 1000, at);
        else input.delay.delayTime.setTargetAtTime(settings.delayMs / 1000, at, DELAY_SMOOTHING_S);
      }
      const keys = settings.duckOthers && settings.mode === 'on' && !settings.muted;
      const threshold = keys ? (audio?.master.duck.thresholdDb ?? this.#settings.duck.thresholdDb) : null;
      if (threshold !== input.keyThreshold) {
        input.keyThreshold = threshold;
        input.meter?.port.postMessage(threshold);
        if (threshold === null && input.speaking) {
          input.speaking = false;
          this.#updateDucking();
        }
      }
    }
    if (this.#full) this.#applyMaster(audio?.master ?? defaultAudioMaster(), at);
  }

  async close(): Promise<void> {
    for (const source of [...this.#inputs.keys()]) this.setSourceAudio(source, null);
    this.#listeners.clear();
    await this.context.close();
  }

  #setGain(input: Input, value: number, at: number): void {
    if (value === input.gainValue) return;
    input.gainValue = value;
    input.gain.gain.setTargetAtTime(value, at, GAIN_SMOOTHING_S);
  }

  #applyMaster(master: AudioMaster, at: number): void {
    const limiterChanged =
      master.limiter.on !== this.#settings.limiter.on ||
      master.limiter.ceilingDbtp !== this.#settings.limiter.ceilingDbtp;
    const depth = 10 ** (master.duck.depthDb / 20);
    this.#settings = master;
    if (limiterChanged) {
      this.#limiter?.port.postMessage(this.#limiterSettings());
      this.#international?.limiter?.port.postMessage(this.#limiterSettings());
    }
    if (!master.loudness.leveler) this.#levelerDb = 0;
    const value = master.muted ? 0 : faderGain(master.gainDb) * 10 ** (this.#levelerDb / 20);
    if (value !== this.#masterValue) {
      this.#masterValue = value;
      this.#master.gain.setTargetAtTime(value, at, GAIN_SMOOTHING_S);
      this.#international?.master.gain.setTargetAtTime(value, at, GAIN_SMOOTHING_S);
    }
    if (depth !== this.#duckDepth) {
      this.#duckDepth = depth;
      this.#updateDucking();
    }
  }

  /** `report`: post the gain reduction for the meters (the program's); the international limiter's is unread. */
  #newLimiter(report: boolean): AudioWorkletNode {
    return new AudioWorkletNode(this.context, PROCESSOR.limiter, {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      processorOptions: { ...this.#limiterSettings(), report } satisfies LimiterProcessorOptions,
    });
  }

  /** The source into the international sound, after its fader, mode and picture weight (not its duck). */
  #tapInternational(input: Input): void {
    if (this.#international === null || input.intl !== null) return;
    input.intl = new GainNode(this.context, { gain: 0 });
    input.intlValue = 0;
    input.gain.connect(input.intl).connect(this.#international.master);
  }

  #limiterSettings(): LimiterMessage {
    return { ceilingDbtp: this.#settings.limiter.ceilingDbtp, on: this.#settings.limiter.on };
  }

  #sourceMeter(input: Input): AudioWorkletNode | null {
    if (!this.#full || this.#meter === null) return null;
    const meter = new AudioWorkletNode(this.context, PROCESSOR.sourceMeter, {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
    });
    meter.port.onmessage = (event: MessageEvent<SourceMeterMessage>) => {
      const message = event.data;
      if (message.kind === 'level') {
        input.level = { peakDb: meterDb(message.peak), rmsDb: meterDb(message.rms) };
        return;
      }
      input.speaking = message.speaking;
      this.#updateDucking();
    };
    if (input.keyThreshold !== null) meter.port.postMessage(input.keyThreshold);
    input.node.connect(meter).connect(this.#sink);
    return meter;
  }

  /**
   * While any ducking source speaks, every other source goes down by the duck depth. In the international
   * sound only a voice that is not commentary ducks (its listeners do not hear the commentators), and a
   * commentary seat is silent.
   */
  #updateDucking(): void {
    const inputs = [...this.#inputs.values()];
    const speaking = inputs.some((i) => i.speaking);
    const speakingIntl = inputs.some((i) => i.speaking && i.commentary === false);
    const at = this.context.currentTime;
    const glide = (param: AudioParam, value: number, from: number): void => {
      param.setTargetAtTime(value, at, value < from ? DUCK_ATTACK_S : DUCK_RELEASE_S);
    };
    for (const input of inputs) {
      const ducked = input.keyThreshold === null ? this.#duckDepth : 1;
      const value = speaking ? ducked : 1;
      if (value !== input.duckValue && input.duck !== null) {
        glide(input.duck.gain, value, input.duckValue);
        input.duckValue = value;
      }
      const intl = input.commentary !== false ? 0 : speakingIntl ? ducked : 1;
      if (intl !== input.intlValue && input.intl !== null) {
        glide(input.intl.gain, intl, input.intlValue);
        input.intlValue = intl;
      }
    }
  }

  #measured(block: MeterBlock): void {
    this.#loudness.push(block.meanSquare);
    this.#truePeakMax = Math.max(this.#truePeakMax, block.truePeak);
    const loudness = this.#loudness.reading();
    this.#ride(loudness.shortTermLufs);
    const gainReductionDb = Math.max(-60, Math.min(0, toDb(this.#limiterGain, -60)));
    this.#limiterGain = 1;
    const sources: Record<string, SourceMeter> = {};
    for (const [id, input] of this.#inputs) if (input.level !== null) sources[id] = input.level;
    const meters: AudioMeters = {
      at: Math.max(0, this.#options.serverNow?.() ?? Date.now()),
      master: {
        ...loudness,
        truePeakDbtp: meterDb(block.truePeak),
        truePeakMaxDbtp: meterDb(this.#truePeakMax),
        channels: block.peak.map((peak, c) => ({ peakDb: meterDb(peak), rmsDb: meterDb(block.rms[c] ?? 0) })),
        gainReductionDb,
      },
      sources,
    };
    this.#meters = meters;
    for (const listener of this.#listeners) listener(meters);
  }

  /** The leveler: a slow ride of the master toward the loudness target, within a bounded range. */
  #ride(shortTermLufs: number): void {
    const { leveler, targetLufs } = this.#settings.loudness;
    if (!leveler || shortTermLufs < LEVELER_MIN_LUFS) return;
    const step = Math.max(-LEVELER_DB_PER_BLOCK, Math.min(LEVELER_DB_PER_BLOCK, targetLufs - shortTermLufs));
    this.#levelerDb = Math.max(-LEVELER_RANGE_DB, Math.min(LEVELER_RANGE_DB, this.#levelerDb + step));
  }
}

function meterDb(linear: number): number {
  return Math.min(METER_MAX_DB, toDb(linear, AUDIO_METER_FLOOR_DB));
}
