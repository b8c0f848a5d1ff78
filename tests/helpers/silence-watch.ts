// Timing a page's own microphone, for tests: installed before the page loads (evaluateOnNewDocument), it
// watches every microphone the page captures (a new capture replacing the old) through a
// MediaStreamTrackProcessor and lists the page-clock times (Date.now()) at which its sound stops and starts
// again. Each 10 ms chunk carries its capture time (performance.now()'s clock), so the times are the
// capture's own, however late the page reads them. The page's code is untouched: the watch reads the
// captured track itself, as the page's sender does (a track the page disables reads as silence from its next
// chunk). A string, not a function: tsx's helpers would not exist in the page.

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
 * Script text that hands every microphone track a page captures to `watch` (the text of a function of the
 * track), from a script run before the page's own: the page's getUserMedia, wrapped.
 */
export function onEachMicrophone(watch: string): string {
  return `const devices = navigator.mediaDevices;
  if (devices === undefined) return;
  const capture = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await capture(constraints);
    const track = stream.getAudioTracks()[0];
    if (track !== undefined) (${watch})(track);
    return stream;
  };`;
}

/** Chunks (10 ms each) kept for a page too busy to read them at once; older ones are dropped. */
const BUFFER_CHUNKS = 100;

export const SILENCE_WATCH_SCRIPT = `(() => {
  const silences = [];
  window.pitchsideSilences = silences;
  let watching = null;
  const watch = async (track) => {
    watching?.cancel();
    const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: ${BUFFER_CHUNKS} }).readable.getReader();
    watching = reader;
    // Unknown until a sound is heard.
    let quiet = null;
    let quietFrames = 0;
    let lastLoudMs = 0;
    let nextMs = null;
    let samples = new Float32Array(0);
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      // The capture's clock is performance.now()'s; Date.now() counts whole ms (half a ms short on average).
      const captureMs = chunk.timestamp / 1000;
      const startMs = captureMs + (Date.now() + 0.5 - performance.now());
      const frameMs = 1000 / chunk.sampleRate;
      // Chunks the page read too late to keep: a silence may have begun in them, unseen (one already
      // begun goes on: only its end may be late).
      if (nextMs !== null && Math.abs(captureMs - nextMs) > frameMs * 24 && quiet === false) quiet = null;
      nextMs = captureMs + chunk.numberOfFrames * frameMs;
      if (samples.length !== chunk.numberOfFrames) samples = new Float32Array(chunk.numberOfFrames);
      chunk.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
      chunk.close();
      for (let i = 0; i < samples.length; i += 1) {
        const atMs = startMs + i * frameMs;
        if (Math.abs(samples[i]) >= ${LOUD}) {
          const last = silences[silences.length - 1];
          if (quiet === true && last !== undefined && last.toMs === null) last.toMs = atMs;
          quiet = false;
          quietFrames = 0;
          lastLoudMs = atMs;
        } else if (quiet === false && ++quietFrames >= ${QUIET_FRAMES}) {
          quiet = true;
          silences.push({ fromMs: lastLoudMs + frameMs, toMs: null });
        }
      }
    }
  };
  ${onEachMicrophone('(track) => void watch(track)')}
})();`;
