// Timing a page's own microphone, for tests: installed before the page loads (evaluateOnNewDocument), it
// watches every microphone the page captures (a new capture replacing the old) in an AudioWorklet of its own
// and lists the page-clock times (Date.now()) at which the sound stops and starts again. The page's code is
// untouched: the watch sees the captured track itself, as the page's sender and meter do (a track the page
// disables reads as silence here too). A string, not a function: tsx's helpers would not exist in the page.

/** One silence in the captured sound: when it began and ended (page clock, ms); `toMs` null while it lasts. */
export interface CapturedSilence {
  fromMs: number;
  toMs: number | null;
}

declare global {
  interface Window {
    /** Set by SILENCE_WATCH_SCRIPT: the watched microphone's silences, oldest first. */
    pitchsideSilences?: CapturedSilence[];
  }
}

/** A tone at −6 dBFS (0.5) is well above this; a sine's samples dip below it only for a sample or so. */
const LOUD = 0.05;
/** A silence is this long under LOUD (2 ms at 48 kHz): no zero crossing of a kHz tone lasts so long. */
const QUIET_FRAMES = 96;
/**
 * A block is processed in a burst with others, never before its samples arrived: a frame's page time is its
 * place on the audio clock plus the least (processing time − audio time) seen over the last two such spans.
 */
const BASE_SPAN_S = 2;

const PROCESSOR = `
class SilenceWatch extends AudioWorkletProcessor {
  constructor() { super(); this.lastLoud = -1; this.quiet = true; this.span = -1; this.bases = [Infinity, Infinity]; }
  process(inputs) {
    const samples = inputs[0] && inputs[0][0];
    if (samples === undefined) return true;
    const span = Math.floor(currentFrame / sampleRate / ${BASE_SPAN_S});
    if (span !== this.span) { this.span = span; this.bases = [this.bases[1], Infinity]; }
    this.bases[1] = Math.min(this.bases[1], Date.now() - (currentFrame * 1000) / sampleRate);
    const base = Math.min(this.bases[0], this.bases[1]);
    for (let i = 0; i < samples.length; i += 1) {
      const frame = currentFrame + i;
      if (Math.abs(samples[i]) >= ${LOUD}) {
        if (this.quiet) this.port.postMessage({ edge: 'to', at: base + (frame * 1000) / sampleRate });
        this.quiet = false;
        this.lastLoud = frame;
      } else if (!this.quiet && frame - this.lastLoud >= ${QUIET_FRAMES}) {
        this.quiet = true;
        this.port.postMessage({ edge: 'from', at: base + ((this.lastLoud + 1) * 1000) / sampleRate });
      }
    }
    return true;
  }
}
registerProcessor('pitchside-silence-watch', SilenceWatch);`;

export const SILENCE_WATCH_SCRIPT = `(() => {
  const silences = [];
  window.pitchsideSilences = silences;
  let watching = null;
  const watch = async (track) => {
    if (watching !== null) void watching.close();
    const context = new AudioContext({ sampleRate: 48000 });
    watching = context;
    const module = URL.createObjectURL(new Blob([${JSON.stringify(PROCESSOR)}], { type: 'text/javascript' }));
    await context.audioWorklet.addModule(module);
    const node = new AudioWorkletNode(context, 'pitchside-silence-watch', { numberOfOutputs: 1 });
    node.port.onmessage = ({ data }) => {
      const last = silences[silences.length - 1];
      if (data.edge === 'from') silences.push({ fromMs: data.at, toMs: null });
      else if (last !== undefined && last.toMs === null) last.toMs = data.at;
    };
    // Pulled through the destination; it writes nothing, so it plays silence.
    context.createMediaStreamSource(new MediaStream([track])).connect(node).connect(context.destination);
  };
  const devices = navigator.mediaDevices;
  if (devices === undefined) return;
  const capture = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await capture(constraints);
    const track = stream.getAudioTracks()[0];
    if (track !== undefined) await watch(track);
    return stream;
  };
})();`;
