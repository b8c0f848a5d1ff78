// The in-page half of `npm run bench:commentary`: timestamps (Date.now()) each onset of a keyed tone in a
// page's audio. Installed before a page loads, it watches every microphone the page captures (under the name
// `mic`, a new capture replacing the old); `window.benchWatchOnsets(name, stream)` watches any other stream
// (the program return). A string, not a function: tsx's helpers would not exist in the page.

import { onEachMicrophone } from '../../tests/helpers/silence-watch.ts';

/** A tone at −6 dBFS (0.5) is well above this; silence and Opus's noise between pulses are well below. */
export const ONSET_THRESHOLD = 0.05;
/**
 * An onset follows at least this long below the threshold, watched across polls: a sine crosses zero every
 * few samples, and a short dropout inside a pulse (a late packet) is not a new pulse.
 */
export const ONSET_QUIET_MS = 200;
/** The page polls the analyser this often; its 2048-sample window (43 ms at 48 kHz) overlaps each poll. */
export const ONSET_POLL_MS = 5;

export const ONSET_WATCH_SCRIPT = `(() => {
  const THRESHOLD = ${ONSET_THRESHOLD};
  const POLL_MS = ${ONSET_POLL_MS};
  const QUIET_MS = ${ONSET_QUIET_MS};
  const onsets = {};
  const watches = {};
  window.benchOnsets = onsets;
  const watch = (name, stream) => {
    if (watches[name]) { clearInterval(watches[name].timer); void watches[name].context.close(); }
    const context = new AudioContext({ sampleRate: 48000 });
    const analyser = new AnalyserNode(context, { fftSize: 2048, channelCount: 1, channelCountMode: 'explicit' });
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const list = onsets[name] ?? (onsets[name] = []);
    // Quiet is counted from when the watch starts: a pulse already sounding then is not an onset.
    let lastLoud = Date.now();
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      const end = Date.now();
      const n = samples.length;
      for (let i = 0; i < n; i += 1) {
        if (Math.abs(samples[i]) < THRESHOLD) continue;
        const at = end - ((n - i) * 1000) / context.sampleRate;
        if (at - lastLoud >= QUIET_MS) list.push(at);
        lastLoud = Math.max(lastLoud, at);
      }
    }, POLL_MS);
    watches[name] = { timer, context };
  };
  window.benchWatchOnsets = watch;
  ${onEachMicrophone("(track) => watch('mic', new MediaStream([track]))")}
})();`;

/** The onsets a page has seen so far, by name (Date.now() ms). */
export const READ_ONSETS = `JSON.stringify(window.benchOnsets ?? {})`;
