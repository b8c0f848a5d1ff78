// This camera's own (ISO) recording for instant replay: the page encodes its capture with MediaRecorder and
// uploads complete segments of ISO_SEGMENT_MS, stamped with server time, to the controller. Chosen by
// measurement (bench/iso-recording): the encode runs on the phone, so the server only writes bytes, where
// recording what the recorder receives would cost it one more encode per camera. Each segment is a whole
// file (the next recorder starts before the last one stops), so every uploaded segment plays on its own.
// A commentary seat records its microphone alone the same way (`media: 'microphone'`), so an export can
// carry each commentator as a track of their own.
import { ISO_SEGMENT_MS } from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/index.ts';

/** What the ISO records: a camera's picture and sound, or a commentary seat's microphone alone. */
export type IsoMedia = 'camera' | 'microphone';

/**
 * Preferred first: VP8 is the cheapest software encoder Chromium has; Safari records only MP4. A voice is
 * Opus, as it is sent.
 */
const MEDIA_TYPES: Record<IsoMedia, readonly string[]> = {
  camera: ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4'],
  microphone: ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'],
};
/** The recording's bitrate: the full picture's WebRTC bitrate, so a replay looks as good as the live picture. */
export const ISO_BITRATE_BPS = 2_500_000;
/** A voice's ISO at the bitrate the seat sends it with (full-band Opus). */
export const ISO_VOICE_BITRATE_BPS = 128_000;
/** Segments kept for upload while the controller is unreachable (about a minute), oldest dropped first. */
const MAX_QUEUED_SEGMENTS = 30;
const UPLOAD_RETRY_MS = 1000;

export interface IsoRecorderOptions {
  /** Left out: a camera. */
  media?: IsoMedia;
  /** The capture now (the device may change between segments). */
  stream: () => MediaStream | null;
  serverNow: () => number;
  /** Upload URL of a segment with its server-time span. */
  url: (startMs: number, endMs: number) => string;
  key: string;
  onStatus: (text: string) => void;
}

interface Recording {
  recorder: MediaRecorder;
  startMs: number;
  /** Set when it is asked to stop. */
  endMs: number;
}

interface Segment {
  startMs: number;
  endMs: number;
  blob: Blob;
}

export class IsoRecorder {
  readonly #options: IsoRecorderOptions;
  readonly #queue: Segment[] = [];
  #current: Recording | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #uploading = false;
  #closed = false;
  #uploaded = 0;

  constructor(options: IsoRecorderOptions) {
    this.#options = options;
  }

  static supported(media: IsoMedia = 'camera'): boolean {
    return typeof MediaRecorder !== 'undefined' && MEDIA_TYPES[media].some((t) => MediaRecorder.isTypeSupported(t));
  }

  get #media(): IsoMedia {
    return this.#options.media ?? 'camera';
  }

  start(): void {
    this.#current = this.#startSegment();
    this.#timer = setInterval(() => {
      // The end is when the next segment was asked for, not when the encoder has flushed the last one.
      const endMs = this.#options.serverNow();
      const next = this.#startSegment();
      this.#stopSegment(endMs);
      this.#current = next;
    }, ISO_SEGMENT_MS);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#stopSegment(this.#options.serverNow());
    this.#current = null;
  }

  #stopSegment(endMs: number): void {
    const current = this.#current;
    if (current === null || current.recorder.state === 'inactive') return;
    current.endMs = endMs;
    current.recorder.stop();
  }

  #startSegment(): Recording | null {
    const stream = this.#options.stream();
    const voice = this.#media === 'microphone';
    const tracks = voice ? (stream?.getAudioTracks() ?? []) : (stream?.getTracks() ?? []);
    if (stream === null || this.#closed || (voice ? tracks.length === 0 : stream.getVideoTracks().length === 0))
      return null;
    const mimeType = MEDIA_TYPES[this.#media].find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
    const recorder = new MediaRecorder(
      new MediaStream(tracks),
      voice
        ? { mimeType, audioBitsPerSecond: ISO_VOICE_BITRATE_BPS }
        : { mimeType, videoBitsPerSecond: ISO_BITRATE_BPS },
    );
    const recording: Recording = { recorder, startMs: 0, endMs: 0 };
    const chunks: Blob[] = [];
    recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
    recorder.addEventListener('stop', () => {
      if (recording.startMs === 0 || chunks.length === 0) return;
      const endMs = recording.endMs || this.#options.serverNow();
      this.#enqueue({ startMs: recording.startMs, endMs, blob: new Blob(chunks, { type: mimeType }) });
    });
    // Stamped when asked to start: the 'start' event comes late on a busy phone (half a second seen here),
    // while the recorder takes frames from the call on, so the event's time would open false gaps.
    recording.startMs = this.#options.serverNow();
    recorder.start();
    return recording;
  }

  #enqueue(segment: Segment): void {
    this.#queue.push(segment);
    while (this.#queue.length > MAX_QUEUED_SEGMENTS) this.#queue.shift();
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#uploading) return;
    this.#uploading = true;
    try {
      while (this.#queue.length > 0) {
        const segment = this.#queue[0]!;
        const ok = await this.#upload(segment);
        if (ok === 'retry') {
          await new Promise((resolve) => setTimeout(resolve, UPLOAD_RETRY_MS));
          continue;
        }
        this.#queue.shift();
        if (ok === 'done') this.#uploaded += 1;
      }
      this.#options.onStatus(`Replay recording: ${this.#uploaded} segments sent`);
    } finally {
      this.#uploading = false;
    }
  }

  async #upload(segment: Segment): Promise<'done' | 'retry' | 'refused'> {
    try {
      const response = await fetch(this.#options.url(Math.round(segment.startMs), Math.round(segment.endMs)), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#options.key}`, 'content-type': segment.blob.type.split(';')[0]! },
        body: segment.blob,
      });
      if (response.ok) return 'done';
      // A refusal will not change on a retry (a bad segment, a removed camera): drop it, keep recording.
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        this.#options.onStatus(`Replay recording: a segment was refused (${response.status})`);
        return 'refused';
      }
      return 'retry';
    } catch {
      return this.#closed ? 'refused' : 'retry';
    }
  }
}

export interface IsoArmingOptions extends Omit<IsoRecorderOptions, 'serverNow'> {
  /** The page's event link: its state (`isoArmed`) and server clock. */
  realtime: Pick<RealtimeClient, 'state' | 'on' | 'serverNow'>;
}

/**
 * Records while the event's ISO recording is armed and stops when it is disarmed, following every state.
 * Returns a close function (leaving the page).
 */
export function followIsoArming(options: IsoArmingOptions): () => void {
  const { realtime, ...rest } = options;
  if (!IsoRecorder.supported(options.media)) {
    options.onStatus('Replay recording: not supported here');
    return () => undefined;
  }
  let iso: IsoRecorder | null = null;
  const follow = (): void => {
    const armed = realtime.state?.isoArmed === true;
    if (armed && iso === null) {
      iso = new IsoRecorder({ ...rest, serverNow: () => realtime.serverNow() });
      iso.start();
      options.onStatus('Replay recording: on');
    } else if (!armed && iso !== null) {
      iso.close();
      iso = null;
      options.onStatus('Replay recording: off');
    }
  };
  realtime.on('state', follow);
  follow();
  return () => {
    iso?.close();
    iso = null;
  };
}
