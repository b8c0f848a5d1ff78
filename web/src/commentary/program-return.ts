// The commentator's program return: the real template page in an iframe, as the director's program monitor
// renders it (same state, same sources, low latency), with its sound minus this seat's own voice (the
// template's `minus` query). This page receives the cameras and the other seats (direct: reduced quality,
// as a monitor; LiveKit: the room) into a CameraTrackHub the iframe takes its tracks from, and puts its own
// microphone there too, so the return ducks under the commentator's voice as the program does.
import {
  CameraTrackHub,
  cameraParticipants,
  DirectReceiver,
  type RealtimeClient,
  type TrackListener,
} from '../../../client/index.ts';
import { TEMPLATE_QUERY, type SeatId } from '../../../protocol/index.ts';
import { templateFrame } from '../lib/template-frame.ts';
import type { PageParams } from '../lib/page-params.ts';

/** How often the page looks for the template's page API (its mix stream) while the iframe loads. */
const API_POLL_MS = 200;

export interface ProgramReturnOptions {
  params: PageParams;
  seatId: SeatId;
  realtime: RealtimeClient;
  /** The template's mix stream, once its page is up: the page taps it for its return meter. */
  onStream: (stream: MediaStream) => void;
}

export class ProgramReturn {
  readonly hub = new CameraTrackHub();
  readonly #options: ProgramReturnOptions;
  readonly #direct: DirectReceiver;
  readonly #unsubscribe: (() => void)[] = [];
  #frame: HTMLElement | null = null;
  #poll: ReturnType<typeof setInterval> | undefined;
  /** Nothing is received before Join: a seat link left open must not make every phone encode for it. */
  #started = false;

  constructor(options: ProgramReturnOptions) {
    this.#options = options;
    const { realtime } = options;
    // Set before the iframe loads: the template takes its tracks from here instead of asking for its own.
    // The receiver exists from the start so it hears media.config, which comes once per connection.
    window.pitchsideCameras = this.hub;
    this.#direct = new DirectReceiver({
      quality: 'reduced',
      send: (frame) => realtime.send(frame),
      onTrack: this.hub.handleTrack,
      log: (message) => console.warn(message),
    });
    this.#unsubscribe.push(
      realtime.handle(this.#direct.handlers),
      realtime.on('state', () => this.#want()),
    );
  }

  #want(): void {
    if (!this.#started) return;
    const sources = this.#options.realtime.state?.sources ?? [];
    this.#direct.want(cameraParticipants(sources).filter((id) => id !== this.#options.seatId));
  }

  /** Tracks from the LiveKit room (with LiveKit, the direct receiver stays idle: media.config says so). */
  readonly handleRoomTrack: TrackListener = (participant, kind, track) => {
    if (participant !== this.#options.seatId) this.hub.handleTrack(participant, kind, track);
  };

  /** This seat's own microphone, for the return's ducking (its sound is left out: `minus`). */
  setOwnVoice(track: MediaStreamTrack | null): void {
    this.hub.handleTrack(this.#options.seatId, 'audio', track);
  }

  /**
   * Starts receiving and returns the iframe: called on Join, so its sound may start (the click is the
   * page's permission to play).
   */
  start(): HTMLElement {
    if (this.#frame !== null) return this.#frame;
    this.#started = true;
    this.#want();
    const box = templateFrame(this.#options.params, { [TEMPLATE_QUERY.minus]: this.#options.seatId }, 'Program return');
    box.querySelector('iframe')?.setAttribute('allow', 'autoplay');
    this.#frame = box;
    this.#poll = setInterval(() => {
      const stream = this.#pageApi()?.audioStream;
      if (stream === undefined) return;
      clearInterval(this.#poll);
      this.#options.onStream(stream);
    }, API_POLL_MS);
    return box;
  }

  close(): void {
    clearInterval(this.#poll);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#direct.close();
  }

  #pageApi(): Window['pitchside'] {
    try {
      return this.#frame?.querySelector('iframe')?.contentWindow?.pitchside;
    } catch {
      return undefined; // navigated away
    }
  }
}
