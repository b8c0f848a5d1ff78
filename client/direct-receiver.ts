// Receives direct cameras (no LiveKit) over browser WebRTC: one RTCPeerConnection per camera for this
// page, asked for through the controller's event WebSocket and kept up by itself. A camera that drops is
// asked again (at once when the controller says its page is back, else with backoff); while it is gone
// its tracks are reported as null, and the program shows the camera slate.
import type {
  ClientMessage,
  FrameHandlers,
  MediaCameraMessage,
  MediaConfigMessage,
  MediaQuality,
  MediaSignalDelivery,
} from '../protocol/index.ts';
import { descriptionSignal, trickleCandidates } from './media-signals.ts';
import type { PageFrame } from './realtime-client.ts';

/** No offer this long after a request: the camera is not there (or lost the request); ask again. */
export const OFFER_TIMEOUT_MS = 5000;
/** ICE `disconnected` often heals by itself (a Wi-Fi blip); past this the session is started again. */
export const DISCONNECTED_GRACE_MS = 4000;
export const RETRY_MIN_MS = 500;
export const RETRY_MAX_MS = 5000;

export type TrackListener = (camera: string, kind: 'video' | 'audio', track: MediaStreamTrack | null) => void;

export interface DirectReceiverOptions {
  quality: MediaQuality;
  /** Sends a frame on the event WebSocket; false when the socket is not open (the frame is dropped). */
  send: (frame: ClientMessage) => boolean;
  onTrack: TrackListener;
  log?: (message: string) => void;
}

interface Session {
  id: string;
  camera: string;
  pc: RTCPeerConnection;
  /** Candidates that arrived before the offer was applied. */
  pending: RTCIceCandidateInit[];
  timer: ReturnType<typeof setTimeout> | undefined;
  connected: boolean;
}

export class DirectReceiver {
  readonly #options: DirectReceiverOptions;
  readonly #wanted = new Set<string>();
  readonly #sessions = new Map<string, Session>();
  readonly #retries = new Map<string, { attempt: number; timer: ReturnType<typeof setTimeout> | undefined }>();
  /** Until the controller says direct transport is on (media.config), nothing is requested. */
  #enabled = false;
  #iceServers: RTCIceServer[] = [];
  #closed = false;

  constructor(options: DirectReceiverOptions) {
    this.#options = options;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The cameras this page shows (participant ids of the state's camera sources). */
  want(cameras: Iterable<string>): void {
    const next = new Set(cameras);
    for (const camera of this.#wanted) if (!next.has(camera)) this.#forget(camera);
    for (const camera of next) {
      if (this.#wanted.has(camera)) continue;
      this.#wanted.add(camera);
      this.#request(camera);
    }
  }

  /** Register on the page's RealtimeClient: `client.handle(receiver.handlers)`. */
  readonly handlers: FrameHandlers<PageFrame> = {
    'media.config': (frame) => this.#handleConfig(frame),
    'media.signal': (frame) => void this.#handleSignal(frame),
    'media.camera': (frame) => this.#handleCamera(frame),
    // No slot for this page (or it was dropped): asked again after the backoff, when a slot may be free.
    'media.refused': (frame) => {
      const session = this.#sessions.get(frame.from);
      if (this.#closed || session === undefined || session.id !== frame.session) return;
      this.#options.log?.(`camera ${frame.from}: ${frame.reason === 'slots-full' ? 'no send slot free' : 'dropped'}`);
      this.#restart(frame.from);
    },
    error: (frame) => {
      if (frame.code !== 'TRANSPORT_LIVEKIT') return;
      this.#enabled = false;
      for (const camera of this.#wanted) this.#endSession(camera);
    },
  };

  #handleConfig(config: MediaConfigMessage): void {
    if (this.#closed) return;
    this.#iceServers = config.iceServers;
    this.#enabled = config.transport === 'direct';
    // A (re)connected socket has a new receiver id: sessions still negotiating cannot finish.
    for (const camera of this.#wanted) {
      const session = this.#sessions.get(camera);
      if (session === undefined || !session.connected) this.#restart(camera, 0);
    }
  }

  #handleCamera(frame: MediaCameraMessage): void {
    if (this.#closed || !this.#wanted.has(frame.camera)) return;
    if (!frame.online) {
      // The camera's page is gone: its picture is gone too, whatever ICE still believes.
      if (this.#sessions.has(frame.camera)) this.#restart(frame.camera);
    } else if (!this.#sessions.get(frame.camera)?.connected) {
      // Back (or just opened): ask now instead of waiting for the backoff.
      this.#restart(frame.camera, 0);
    }
  }

  /** Per-session getStats() of every connected camera (health badges, benches). */
  async stats(): Promise<Map<string, RTCStatsReport>> {
    const reports = new Map<string, RTCStatsReport>();
    for (const [camera, session] of this.#sessions)
      if (session.connected) reports.set(camera, await session.pc.getStats());
    return reports;
  }

  close(): void {
    this.#closed = true;
    for (const camera of [...this.#wanted]) this.#forget(camera);
  }

  #forget(camera: string): void {
    this.#wanted.delete(camera);
    this.#endSession(camera);
    const retry = this.#retries.get(camera);
    clearTimeout(retry?.timer);
    this.#retries.delete(camera);
  }

  #request(camera: string): void {
    if (!this.#enabled || this.#closed || !this.#wanted.has(camera)) return;
    this.#endSession(camera);
    const session: Session = {
      id: newSessionId(),
      camera,
      pc: new RTCPeerConnection({ iceServers: this.#iceServers }),
      pending: [],
      timer: undefined,
      connected: false,
    };
    this.#sessions.set(camera, session);
    const { pc } = session;
    pc.addEventListener('track', (event) => {
      if (this.#sessions.get(camera) !== session) return;
      const kind = event.track.kind === 'audio' ? 'audio' : 'video';
      this.#options.onTrack(camera, kind, event.track);
    });
    trickleCandidates(pc, camera, session.id, this.#options.send);
    pc.addEventListener('connectionstatechange', () => this.#handleState(session));
    const sent = this.#options.send({
      type: 'media.request',
      camera,
      session: session.id,
      quality: this.#options.quality,
    });
    session.timer = setTimeout(() => this.#restart(camera), sent ? OFFER_TIMEOUT_MS : RETRY_MIN_MS);
  }

  async #handleSignal(signal: MediaSignalDelivery): Promise<void> {
    if (this.#closed) return;
    const session = this.#sessions.get(signal.from);
    if (session === undefined || session.id !== signal.session) return; // an older attempt's frame
    const { pc } = session;
    try {
      if (signal.description !== undefined) {
        if (signal.description.type !== 'offer') return;
        await pc.setRemoteDescription(signal.description);
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        this.#options.send(descriptionSignal(session.camera, session.id, 'answer', answer));
        for (const candidate of session.pending.splice(0)) await pc.addIceCandidate(candidate);
        // Negotiated: now ICE has to connect (or fail) on its own.
        clearTimeout(session.timer);
        session.timer = setTimeout(() => {
          if (!session.connected) this.#restart(session.camera);
        }, OFFER_TIMEOUT_MS * 2);
      }
      if (signal.candidate !== undefined) {
        const candidate = signal.candidate ?? { candidate: '' };
        if (pc.remoteDescription === null) session.pending.push(candidate);
        else await pc.addIceCandidate(candidate);
      }
    } catch (error) {
      this.#options.log?.(`camera ${session.camera}: signalling failed (${(error as Error).message})`);
      if (this.#sessions.get(session.camera) === session) this.#restart(session.camera);
    }
  }

  #handleState(session: Session): void {
    if (this.#sessions.get(session.camera) !== session) return;
    const state = session.pc.connectionState;
    if (state === 'connected') {
      session.connected = true;
      clearTimeout(session.timer);
      const retry = this.#retries.get(session.camera);
      clearTimeout(retry?.timer);
      this.#retries.delete(session.camera);
    } else if (state === 'failed' || state === 'closed') {
      this.#restart(session.camera);
    } else if (state === 'disconnected') {
      clearTimeout(session.timer);
      session.timer = setTimeout(() => {
        if (session.pc.connectionState !== 'connected') this.#restart(session.camera);
      }, DISCONNECTED_GRACE_MS);
    }
  }

  /** Ends the camera's session (its tracks go null) and asks again after a delay that grows per attempt. */
  #restart(camera: string, delayMs?: number): void {
    this.#endSession(camera);
    if (!this.#wanted.has(camera) || this.#closed) return;
    const retry = this.#retries.get(camera) ?? { attempt: 0, timer: undefined };
    clearTimeout(retry.timer);
    const delay = delayMs ?? Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** retry.attempt);
    retry.attempt += 1;
    retry.timer = setTimeout(() => this.#request(camera), delay);
    this.#retries.set(camera, retry);
  }

  #endSession(camera: string): void {
    const session = this.#sessions.get(camera);
    if (session === undefined) return;
    this.#sessions.delete(camera);
    clearTimeout(session.timer);
    session.pc.close();
    this.#options.onTrack(camera, 'video', null);
    this.#options.onTrack(camera, 'audio', null);
  }
}

export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
