// In-page half of the recorder. Plain browser JS on purpose: it is injected
// as a string (page.evaluate), so it must not go through tsx/esbuild, whose
// helpers (__name etc.) do not exist in the page.
//
// It implements the capture side of the page contract documented in
// worker/recorder/README.md: it reads `window.pitchside.capture`, encodes the
// program canvas with WebCodecs on every rendered frame slot, taps the
// program audio with an AudioWorklet, and ships both to Node as binary
// messages (WebSocket, or a CDP binding as a fallback).
//
// Wire format (little endian), 16-byte header + payload:
//   video: u8 type=1, u8 key, u16 0, u32 streamFrameIndex, f64 timestampUs, Annex-B bytes
//   audio: u8 type=2, u8 channels, u16 0, u32 sampleRate, f64 streamSamplePos, s16le interleaved
//          (2 channels, the program's L R; with `international`, 4: then the international sound's L R,
//          silent when the page has none)
// Stream positions are relative to the first captured frame slot (frame 0 /
// sample 0), so Node can align A/V by counting rather than by wall clock.
(function installPitchsideCapture() {
  'use strict';
  const MSG_VIDEO = 1;
  const MSG_AUDIO = 2;
  const HEADER_BYTES = 16;
  // Keyframe every 2 s: RTMP ingest (YouTube/Twitch) ask for <= 2-4 s, and a
  // restarted destination has to wait for the next keyframe to join.
  const GOP_SECONDS = 2;
  // Audio is batched to 20 ms (960 samples at 48 kHz) to keep the message
  // rate at 50/s instead of one message per 128-sample render quantum.
  const AUDIO_BATCH_MS = 20;
  /** How long to wait for the audio output clock to report a real timestamp before anchoring without it. */
  const OUTPUT_TIMESTAMP_WAIT_MS = 2000;
  // Frames queued in the encoder beyond this mean the encoder cannot keep up;
  // counted so the operator sees it, never silently hidden.
  const ENCODER_BACKLOG_WARN = 3;

  /** @param {{ wsUrl?: string, transport: 'websocket'|'binding', width: number, height: number, fps: number, bitrate: number, codec: string, international: boolean }} opts */
  async function start(opts) {
    const contract = await waitForContract();
    const fps = opts.fps;
    const canvas = contract.canvas;
    const stats = {
      framesRendered: 0, // onFrame callbacks accepted
      framesEncoded: 0, // encoder outputs (incl. duplicates)
      duplicated: 0, // slots the renderer missed, filled by repeating the previous picture
      dropped: 0, // renders that arrived for an already-filled slot (not encoded)
      encoderBacklogMax: 0,
      audioBlocks: 0,
      bytesSent: 0,
      sendErrors: 0,
      encoderErrors: 0,
      startedAt: performance.now(),
    };

    const send = await openTransport(opts);

    const encoder = new VideoEncoder({
      output: (chunk) => {
        stats.framesEncoded++;
        const buf = new ArrayBuffer(HEADER_BYTES + chunk.byteLength);
        const dv = new DataView(buf);
        dv.setUint8(0, MSG_VIDEO);
        dv.setUint8(1, chunk.type === 'key' ? 1 : 0);
        dv.setUint32(4, Math.round((chunk.timestamp * fps) / 1e6), true);
        dv.setFloat64(8, chunk.timestamp, true);
        chunk.copyTo(new Uint8Array(buf, HEADER_BYTES));
        send(buf, stats);
      },
      error: (e) => {
        stats.encoderErrors++;
        console.error('[pitchside-capture] encoder error', e);
      },
    });
    encoder.configure({
      codec: opts.codec,
      width: opts.width,
      height: opts.height,
      framerate: fps,
      bitrate: opts.bitrate,
      bitrateMode: 'constant',
      hardwareAcceleration: 'prefer-software',
      latencyMode: 'realtime',
      avc: { format: 'annexb' },
    });

    const gop = Math.max(1, Math.round(fps * GOP_SECONDS));
    let firstPageFrame = -1; // page frame index that becomes stream frame 0
    let lastStreamFrame = -1;
    /** @type {VideoFrame|null} */
    let prevFrame = null;
    let stopped = false;

    const encodeAt = (frame, streamIndex) => {
      const keyFrame = streamIndex % gop === 0;
      encoder.encode(frame, { keyFrame });
      if (encoder.encodeQueueSize > stats.encoderBacklogMax) stats.encoderBacklogMax = encoder.encodeQueueSize;
      if (encoder.encodeQueueSize > ENCODER_BACKLOG_WARN)
        stats.encoderBacklogEvents = (stats.encoderBacklogEvents || 0) + 1;
    };

    let resolveAnchor;
    const anchorReady = new Promise((r) => (resolveAnchor = r));

    const onFrame = (pageFrameIndex, slotTimeMs) => {
      if (stopped) return;
      if (firstPageFrame < 0) {
        firstPageFrame = pageFrameIndex;
        resolveAnchor(typeof slotTimeMs === 'number' ? slotTimeMs : performance.now());
      }
      const idx = pageFrameIndex - firstPageFrame;
      if (idx <= lastStreamFrame) {
        stats.dropped++;
        return;
      }
      stats.framesRendered++;
      const ts = (i) => Math.round((i * 1e6) / fps);
      // Renderer skipped slots (main thread late): keep the output constant
      // frame rate by repeating the previous picture. Re-wrapping a VideoFrame
      // shares its pixels, so no extra canvas readback.
      if (prevFrame) {
        for (let i = lastStreamFrame + 1; i < idx; i++) {
          const dup = new VideoFrame(prevFrame, { timestamp: ts(i) });
          encodeAt(dup, i);
          dup.close();
          stats.duplicated++;
        }
      }
      const frame = new VideoFrame(canvas, { timestamp: ts(idx) });
      encodeAt(frame, idx);
      if (prevFrame) prevFrame.close();
      prevFrame = frame;
      lastStreamFrame = idx;
    };

    const unsubscribe = contract.onFrame(onFrame);

    let audio = null;
    if (contract.audio) {
      audio = await startAudio(contract, anchorReady, send, stats, opts.international === true);
    }

    window.__pitchsideCaptureControl = {
      stats: () => ({
        ...stats,
        encodeQueueSize: encoder.encodeQueueSize,
        lastStreamFrame,
        audioSampleRate: audio ? audio.sampleRate : 0,
        audioAnchorSample: audio ? audio.anchorSample : 0,
        elapsedMs: performance.now() - stats.startedAt,
      }),
      stop: async () => {
        stopped = true;
        if (typeof unsubscribe === 'function') unsubscribe();
        if (audio) audio.stop();
        try {
          await encoder.flush();
        } catch {
          /* closed */
        }
        encoder.close();
        if (prevFrame) prevFrame.close();
        await send.close();
      },
    };
    return { hasAudio: !!audio, sampleRate: audio ? audio.sampleRate : 0 };
  }

  function waitForContract() {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const poll = () => {
        const c = window.pitchside && window.pitchside.capture;
        if (c && c.canvas && typeof c.onFrame === 'function') return resolve(c);
        if (performance.now() - t0 > 15000) return reject(new Error('window.pitchside.capture not provided by page'));
        setTimeout(poll, 20);
      };
      poll();
    });
  }

  async function openTransport(opts) {
    if (opts.transport === 'binding') {
      // CDP binding: strings only, so base64. Kept as a measured fallback.
      const fn = window.__pitchsideSendB64;
      const enc = (buf) => {
        const u8 = new Uint8Array(buf);
        let s = '';
        const STEP = 0x8000;
        for (let i = 0; i < u8.length; i += STEP) s += String.fromCharCode.apply(null, u8.subarray(i, i + STEP));
        return btoa(s);
      };
      const send = (buf, stats) => {
        stats.bytesSent += buf.byteLength;
        fn(enc(buf)).catch(() => stats.sendErrors++);
      };
      send.close = async () => {};
      return send;
    }
    const ws = new WebSocket(opts.wsUrl);
    ws.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('capture websocket failed'));
    });
    const send = (buf, stats) => {
      if (ws.readyState !== WebSocket.OPEN) {
        stats.sendErrors++;
        return;
      }
      stats.bytesSent += buf.byteLength;
      ws.send(buf);
    };
    send.close = async () => {
      // Let buffered frames drain before closing so the tail is not lost.
      const t0 = performance.now();
      while (ws.bufferedAmount > 0 && performance.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
      ws.close();
    };
    return send;
  }

  const WORKLET_SRC = `
class PitchsideTap extends AudioWorkletProcessor {
  constructor(o) {
    super();
    this.batch = o.processorOptions.batch;
    this.pairs = o.processorOptions.pairs;
    this.buf = new Int16Array(this.batch * 2 * this.pairs);
    this.fill = 0;
    this.startFrame = -1;
    this.running = true;
    this.port.onmessage = (e) => { if (e.data === 'stop') this.running = false; };
  }
  process(inputs) {
    const n = 128;
    if (this.fill === 0) this.startFrame = currentFrame;
    // Input 0 is the program (channels 0-1 of each frame), input 1 the international sound if asked (2-3).
    const width = 2 * this.pairs;
    for (let pair = 0; pair < this.pairs; pair++) {
      const inp = inputs[pair] || [];
      const l = inp[0];
      const r = inp[1] || inp[0];
      for (let i = 0; i < n; i++) {
        const a = l ? l[i] : 0, b = r ? r[i] : 0;
        const at = (this.fill + i) * width + pair * 2;
        this.buf[at] = a <= -1 ? -32768 : a >= 1 ? 32767 : (a * 32767) | 0;
        this.buf[at + 1] = b <= -1 ? -32768 : b >= 1 ? 32767 : (b * 32767) | 0;
      }
    }
    this.fill += n;
    if (this.fill >= this.batch) {
      this.port.postMessage({ frame: this.startFrame, pcm: this.buf.buffer }, [this.buf.buffer]);
      this.buf = new Int16Array(this.batch * width);
      this.fill = 0;
    }
    return this.running;
  }
}
registerProcessor('pitchside-tap', PitchsideTap);
`;

  async function startAudio(contract, anchorReady, send, stats, withInternational) {
    let ctx;
    let source;
    if (typeof MediaStream !== 'undefined' && contract.audio instanceof MediaStream) {
      ctx = new AudioContext({ sampleRate: 48000 });
      source = ctx.createMediaStreamSource(contract.audio);
    } else {
      source = contract.audio;
      ctx = source.context;
    }
    if (ctx.state !== 'running') await ctx.resume();
    const sampleRate = ctx.sampleRate;
    const batch = Math.round((sampleRate * AUDIO_BATCH_MS) / 1000 / 128) * 128;
    const url = URL.createObjectURL(new Blob([WORKLET_SRC], { type: 'application/javascript' }));
    await ctx.audioWorklet.addModule(url);
    // One stereo pair per input: the program, then (only when the recording asks for it) the international
    // sound. Without it the page never builds that mix, so the recorder costs what it did before.
    const pairs = withInternational ? 2 : 1;
    const tap = new AudioWorkletNode(ctx, 'pitchside-tap', {
      numberOfInputs: pairs,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      processorOptions: { batch, pairs },
    });
    // The tap must be pulled by the destination to run; a zero gain keeps it
    // silent so it never doubles the program audio if the page is audible.
    const mute = new GainNode(ctx, { gain: 0 });
    source.connect(tap, 0, 0);
    // The international sound lives in the page's own context (asked for only when the program is a node).
    const international =
      withInternational && typeof contract.international === 'function' && source === contract.audio
        ? contract.international()
        : null;
    if (international) international.connect(tap, 0, 1);
    tap.connect(mute).connect(ctx.destination);

    // Map the first video slot (page clock, ms) to the audio context sample
    // that is output at that instant: both streams then count from the same
    // moment and Node aligns them by sample/frame counts.
    const slotMs = await anchorReady;
    // Right after the context starts, getOutputTimestamp() answers zeros until the first output buffer
    // has played: an anchor taken then is off by the page's age (seen: the audio of a recording a second
    // late). Wait for a real timestamp; past the bound, fall back to currentTime (off by output latency).
    const waitedFrom = performance.now();
    let ots = ctx.getOutputTimestamp();
    while (!(ots.performanceTime > 0) && performance.now() - waitedFrom < OUTPUT_TIMESTAMP_WAIT_MS) {
      await new Promise((r) => setTimeout(r, 10));
      ots = ctx.getOutputTimestamp();
    }
    if (!(ots.performanceTime > 0)) ots = { contextTime: ctx.currentTime, performanceTime: performance.now() };
    const anchorSec = ots.contextTime + (slotMs - ots.performanceTime) / 1000;
    const anchorSample = Math.round(anchorSec * sampleRate);
    const result = { sampleRate, anchorSample, stop: () => {} };

    tap.port.onmessage = (e) => {
      const pcm = new Uint8Array(e.data.pcm);
      const buf = new ArrayBuffer(HEADER_BYTES + pcm.byteLength);
      const dv = new DataView(buf);
      dv.setUint8(0, MSG_AUDIO);
      dv.setUint8(1, 2 * pairs);
      dv.setUint32(4, sampleRate, true);
      dv.setFloat64(8, e.data.frame - anchorSample, true);
      new Uint8Array(buf, HEADER_BYTES).set(pcm);
      stats.audioBlocks++;
      send(buf, stats);
    };
    result.stop = () => {
      tap.port.postMessage('stop');
      try {
        source.disconnect(tap);
        if (international) international.disconnect(tap);
        tap.disconnect();
      } catch {
        /* already gone */
      }
    };
    return result;
  }

  window.__pitchsideStartCapture = start;
})();
