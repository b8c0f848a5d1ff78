// Sends this phone's camera and microphone straight to the pages that show it (no LiveKit): one
// RTCPeerConnection per receiving page, opened when that page asks (`media.request`) and signalled through
// the controller's WebSocket. Program renderers get the full picture, operator monitors a reduced one
// (RTCRtpSender encodings per connection). Send slots are kept per class (SEND_SLOTS; the controller sets a
// request's class): the recorder and the director's monitors keep theirs however many other pages ask, and a
// receiver that does not answer or connect in time is dropped. The page measures its own link and reports it
// every few seconds.
// A commentary seat's page publishes the same way with `media: 'microphone'`: sound only, full-band Opus.
import { descriptionSignal, trickleCandidates, type PageFrame } from '../../../client/index.ts';
import {
  CAMERA_HEALTH_INTERVAL_MS,
  FULL_MAX_BITRATE_BPS,
  REDUCED_HEIGHT_PX,
  REDUCED_MAX_BITRATE_BPS,
  SEND_SLOT_ANSWER_TIMEOUT_MS,
  SEND_SLOT_CONNECT_TIMEOUT_MS,
  SEND_SLOTS,
  type CameraHealth,
  type ClientMessage,
  type FrameHandlers,
  type MediaQuality,
  type MediaRefusal,
  type MediaRequestDelivery,
  type MediaSignalDelivery,
  type MediaSlotClass,
} from '../../../protocol/index.ts';
import type { DeviceChoice, PublisherCallbacks } from './livekit-publisher.ts';

/** Capture: 720p30 is what the built-in recorder composes four of on two cores (README benchmarks). */
export const CAPTURE = { width: 1280, height: 720, frameRate: 30 } as const;
/**
 * A commentator's voice is the programme: Opus at a music bitrate, no DTX (a gate that chops breaths and
 * the crowd under the voice), in-band FEC for Wi-Fi losses. WebRTC's default is 32 kbit/s speech.
 */
export const VOICE_OPUS_FMTP = { maxaveragebitrate: 128_000, usedtx: 0, useinbandfec: 1 } as const;

/** Voice-call processing of the microphone: off for a pitch-side camera; a commentator chooses. */
export interface AudioProcessing {
  echoCancellation: boolean;
  noiseSuppression: boolean;
}
const NO_PROCESSING: AudioProcessing = { echoCancellation: false, noiseSuppression: false };

interface Session {
  key: string;
  receiver: string;
  id: string;
  quality: MediaQuality;
  slot: MediaSlotClass;
  pc: RTCPeerConnection;
  pending: RTCIceCandidateInit[];
  /** Until ICE connects (SEND_SLOT_CONNECT_TIMEOUT_MS). */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Until the receiver answers the offer (SEND_SLOT_ANSWER_TIMEOUT_MS). */
  answerTimer: ReturnType<typeof setTimeout> | undefined;
  /** bytesSent and its time at the previous health sample, for the bitrate. */
  lastBytes: { bytes: number; at: number } | null;
}

export interface DirectPublisherOptions {
  send: (frame: ClientMessage) => boolean;
  callbacks: PublisherCallbacks;
  /** Each health sample as measured, for the page's own link display. */
  onHealth: (health: CameraHealth) => void;
  /**
   * `camera` (default): picture and sound, health reported to the controller. `microphone`: a commentary
   * seat, sound only at VOICE_OPUS_FMTP, no camera.health (a seat has no camera status).
   */
  media?: 'camera' | 'microphone';
}

export class DirectPublisher {
  readonly #options: DirectPublisherOptions;
  readonly #sessions = new Map<string, Session>();
  #stream: MediaStream | null = null;
  #iceServers: RTCIceServer[] = [];
  #healthTimer: ReturnType<typeof setInterval> | undefined;
  #battery: { level: number; charging: boolean } | null = null;
  #closed = false;
  /** Applied to the next capture (start, useDevice). */
  audioProcessing: AudioProcessing = NO_PROCESSING;

  constructor(options: DirectPublisherOptions) {
    this.#options = options;
  }

  get #microphoneOnly(): boolean {
    return this.#options.media === 'microphone';
  }

  async start(devices: DeviceChoice): Promise<void> {
    await this.#capture(devices);
    this.#healthTimer = setInterval(() => void this.#reportHealth(), CAMERA_HEALTH_INTERVAL_MS);
    void this.#watchBattery();
    this.#options.callbacks.status('connected', 'Direct: waiting for the director and the recorder to connect…');
  }

  /** The capture (camera and microphone), once started. */
  get stream(): MediaStream | null {
    return this.#stream;
  }

  /** Register on the page's RealtimeClient: `client.handle(publisher.handlers)`. */
  readonly handlers: FrameHandlers<PageFrame> = {
    'media.config': (frame) => void (this.#iceServers = frame.iceServers),
    'media.request': (frame) => void (this.#closed ? undefined : this.#open(frame)),
    'media.signal': (frame) => void (this.#closed ? undefined : this.#handleSignal(frame)),
  };

  async setCamera(enabled: boolean): Promise<void> {
    for (const track of this.#stream?.getVideoTracks() ?? []) track.enabled = enabled;
    this.#options.callbacks.preview(enabled ? this.#previewElement() : null);
  }

  async setMicrophone(enabled: boolean): Promise<void> {
    for (const track of this.#stream?.getAudioTracks() ?? []) track.enabled = enabled;
  }

  /** Another camera or microphone: the new track replaces the old one on every connection, no renegotiation. */
  async useDevice(kind: 'videoinput' | 'audioinput', deviceId: string): Promise<void> {
    const choice = kind === 'videoinput' ? { videoDeviceId: deviceId } : { audioDeviceId: deviceId };
    await this.#replace(constraints(choice, kind, this.audioProcessing));
  }

  /** The camera facing the other way (a phone's front/back), on every connection at once. */
  async useFacing(facing: 'user' | 'environment'): Promise<void> {
    const video = constraints({}, 'videoinput').video as MediaTrackConstraints;
    await this.#replace({ video: { ...video, facingMode: { exact: facing } } });
  }

  /** The camera track now sending, for the lens controls. */
  videoTrack(): MediaStreamTrack | null {
    return this.#stream?.getVideoTracks()[0] ?? null;
  }

  /** The capture changed size (the director asked for another): each connection's encoding follows it. */
  async followCapture(): Promise<void> {
    const track = this.videoTrack();
    if (track === null) return;
    for (const session of this.#sessions.values())
      for (const sender of session.pc.getSenders())
        if (sender.track === track) await applyQuality(sender, session.quality, track);
  }

  async #replace(wanted: MediaStreamConstraints): Promise<void> {
    const old = this.#stream;
    const next = await navigator.mediaDevices.getUserMedia(wanted);
    const track = next.getTracks()[0];
    if (track === undefined || old === null) return;
    const previous = track.kind === 'video' ? old.getVideoTracks()[0] : old.getAudioTracks()[0];
    for (const session of this.#sessions.values()) {
      for (const sender of session.pc.getSenders()) {
        if (sender.track?.kind !== track.kind) continue;
        await sender.replaceTrack(track);
        if (track.kind === 'video') await applyQuality(sender, session.quality, track);
      }
    }
    if (previous !== undefined) {
      old.removeTrack(previous);
      previous.stop();
    }
    old.addTrack(track);
    if (track.kind === 'video') this.#options.callbacks.preview(this.#previewElement());
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#healthTimer);
    for (const session of [...this.#sessions.values()]) this.#end(session);
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    this.#options.callbacks.preview(null);
  }

  async #capture(devices: DeviceChoice): Promise<void> {
    this.#stream = await navigator.mediaDevices.getUserMedia({
      video: this.#microphoneOnly ? false : constraints(devices, 'videoinput').video,
      audio: constraints(devices, 'audioinput', this.audioProcessing).audio,
    });
    this.#options.callbacks.preview(this.#previewElement());
  }

  #previewElement(): HTMLVideoElement | null {
    if (this.#stream === null) return null;
    const video = document.createElement('video');
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream(this.#stream.getVideoTracks());
    return video;
  }

  async #open(request: MediaRequestDelivery): Promise<void> {
    const stream = this.#stream;
    if (stream === null) return; // no capture yet: the receiver asks again
    // A receiver asking again has given up on its earlier session.
    for (const session of [...this.#sessions.values()]) if (session.receiver === request.from) this.#end(session);
    if (!this.#hasSlot(request.slot)) {
      this.#refuse(request.from, request.session, 'slots-full');
      return;
    }
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
    const session: Session = {
      key: `${request.from}/${request.session}`,
      receiver: request.from,
      id: request.session,
      quality: request.quality,
      slot: request.slot,
      pc,
      pending: [],
      timer: undefined,
      answerTimer: undefined,
      lastBytes: null,
    };
    this.#sessions.set(session.key, session);
    trickleCandidates(pc, session.receiver, session.id, this.#options.send);
    pc.addEventListener('connectionstatechange', () => {
      const state = pc.connectionState;
      if (state === 'connected') clearTimeout(session.timer);
      if (state === 'failed' || state === 'closed') this.#end(session);
      if (state === 'connected' || state === 'failed') void this.#reportHealth();
    });
    session.timer = setTimeout(() => {
      if (pc.connectionState !== 'connected') this.#expire(session);
    }, SEND_SLOT_CONNECT_TIMEOUT_MS);
    try {
      for (const track of stream.getTracks()) {
        pc.addTransceiver(track, {
          direction: 'sendonly',
          streams: [stream],
          ...(track.kind === 'video'
            ? { sendEncodings: [encodingFor(session.quality, track)] }
            : { sendEncodings: [{ maxBitrate: VOICE_OPUS_FMTP.maxaveragebitrate }] }),
        });
      }
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (this.#sessions.get(session.key) !== session) return;
      this.#options.send(descriptionSignal(session.receiver, session.id, 'offer', offer));
      session.answerTimer = setTimeout(() => this.#expire(session), SEND_SLOT_ANSWER_TIMEOUT_MS);
    } catch (error) {
      this.#options.callbacks.status('connected', `Direct: a receiver could not be offered video (${String(error)})`);
      this.#end(session);
    }
  }

  async #handleSignal(signal: MediaSignalDelivery): Promise<void> {
    const session = this.#sessions.get(`${signal.from}/${signal.session}`);
    if (session === undefined) return;
    const { pc } = session;
    try {
      if (signal.description?.type === 'answer') {
        clearTimeout(session.answerTimer);
        const { sdp } = signal.description;
        // The encoder follows the receiver's Opus parameters: a seat asks for its voice at full quality.
        await pc.setRemoteDescription(
          this.#microphoneOnly ? { type: 'answer', sdp: withOpusParameters(sdp, VOICE_OPUS_FMTP) } : signal.description,
        );
        for (const candidate of session.pending.splice(0)) await pc.addIceCandidate(candidate);
      }
      if (signal.candidate !== undefined) {
        const candidate = signal.candidate ?? { candidate: '' };
        if (pc.remoteDescription === null) session.pending.push(candidate);
        else await pc.addIceCandidate(candidate);
      }
    } catch {
      this.#end(session);
    }
  }

  #end(session: Session): void {
    if (this.#sessions.get(session.key) !== session) return;
    this.#sessions.delete(session.key);
    clearTimeout(session.timer);
    clearTimeout(session.answerTimer);
    session.pc.close();
  }

  /**
   * A slot of the receiver's class, else a shared one. Reserved slots are used first, so the shared ones
   * hold only what overflows a class: `other` receivers can fill the shared slots, never the reserved.
   */
  #hasSlot(slot: MediaSlotClass): boolean {
    const held = { program: 0, monitor: 0, other: 0 };
    for (const session of this.#sessions.values()) held[session.slot] += 1;
    if (slot !== 'other' && held[slot] < SEND_SLOTS[slot]) return true;
    const shared =
      held.other + Math.max(0, held.program - SEND_SLOTS.program) + Math.max(0, held.monitor - SEND_SLOTS.monitor);
    return shared < SEND_SLOTS.shared;
  }

  /** A receiver that did not answer or connect in time: its slot is freed and it is told so. */
  #expire(session: Session): void {
    if (this.#sessions.get(session.key) !== session) return;
    this.#end(session);
    this.#refuse(session.receiver, session.id, 'expired');
  }

  #refuse(receiver: string, session: string, reason: MediaRefusal): void {
    this.#options.send({ type: 'media.refused', to: receiver, session, reason });
  }

  async #reportHealth(): Promise<void> {
    const health = await this.#measure();
    this.#options.onHealth(health);
    if (!this.#microphoneOnly) this.#options.send({ type: 'camera.health', health });
    const receivers = health.peers;
    this.#options.callbacks.status(
      'connected',
      receivers === 0
        ? 'Direct: waiting for the director and the recorder to connect…'
        : `Direct: sending to ${receivers} page${receivers === 1 ? '' : 's'}`,
    );
  }

  async #measure(): Promise<CameraHealth> {
    const health: CameraHealth = {
      peers: 0,
      width: 0,
      height: 0,
      fps: 0,
      bitrateKbps: 0,
      packetLossPct: 0,
      rttMs: null,
    };
    const now = performance.now();
    for (const session of this.#sessions.values()) {
      if (session.pc.connectionState !== 'connected') continue;
      health.peers += 1;
      let bytes = 0;
      const report = await session.pc.getStats();
      report.forEach((stat: Record<string, unknown>) => {
        if (stat['type'] === 'outbound-rtp') {
          bytes += Number(stat['bytesSent'] ?? 0);
          const width = Number(stat['frameWidth'] ?? 0);
          if (stat['kind'] === 'video' && width > health.width) {
            health.width = width;
            health.height = Number(stat['frameHeight'] ?? 0);
            health.fps = Number(stat['framesPerSecond'] ?? 0);
          }
        } else if (stat['type'] === 'remote-inbound-rtp') {
          health.packetLossPct = Math.max(health.packetLossPct, 100 * Number(stat['fractionLost'] ?? 0));
          const rtt = stat['roundTripTime'];
          if (typeof rtt === 'number') health.rttMs = Math.max(health.rttMs ?? 0, rtt * 1000);
        }
      });
      if (session.lastBytes !== null && now > session.lastBytes.at)
        health.bitrateKbps += ((bytes - session.lastBytes.bytes) * 8) / (now - session.lastBytes.at);
      session.lastBytes = { bytes, at: now };
    }
    health.bitrateKbps = Math.max(0, Math.round(health.bitrateKbps));
    health.packetLossPct = Math.min(100, Math.round(health.packetLossPct * 10) / 10);
    health.fps = Math.round(health.fps * 10) / 10;
    if (health.rttMs !== null) health.rttMs = Math.round(health.rttMs);
    if (this.#battery !== null) {
      health.batteryPct = Math.round(this.#battery.level * 100);
      health.charging = this.#battery.charging;
    }
    return health;
  }

  async #watchBattery(): Promise<void> {
    const getBattery = (navigator as { getBattery?: () => Promise<BatteryLike> }).getBattery;
    if (getBattery === undefined) return;
    try {
      const battery = await getBattery.call(navigator);
      const read = (): void => void (this.#battery = { level: battery.level, charging: battery.charging });
      read();
      battery.addEventListener('levelchange', read);
      battery.addEventListener('chargingchange', read);
    } catch {
      // Not exposed here: the report simply has no battery.
    }
  }
}

interface BatteryLike extends EventTarget {
  level: number;
  charging: boolean;
}

function constraints(
  devices: DeviceChoice,
  kind: 'videoinput' | 'audioinput',
  processing: AudioProcessing = NO_PROCESSING,
): MediaStreamConstraints {
  if (kind === 'videoinput')
    return {
      video: {
        ...(devices.videoDeviceId === undefined ? {} : { deviceId: { exact: devices.videoDeviceId } }),
        width: { ideal: CAPTURE.width },
        height: { ideal: CAPTURE.height },
        frameRate: { ideal: CAPTURE.frameRate },
      },
    };
  // A pitch-side microphone carries the ground's sound: no voice-call processing that would pump or gate it.
  // Automatic gain is never on: the mixer's fader sets a voice's level, not the browser.
  return {
    audio: {
      ...(devices.audioDeviceId === undefined || devices.audioDeviceId === ''
        ? {}
        : { deviceId: { exact: devices.audioDeviceId } }),
      ...processing,
      autoGainControl: false,
    },
  };
}

/** Adds (or replaces) parameters on every Opus payload's `a=fmtp` line of a session description. */
export function withOpusParameters(sdp: string, parameters: Readonly<Record<string, number>>): string {
  const opus = [...sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000/gim)].map((m) => m[1]);
  return sdp.replace(/^a=fmtp:(\d+) ([^\r\n]*)/gm, (line, payload: string, rest: string) => {
    if (!opus.includes(payload)) return line;
    const fields = new Map(
      rest
        .trim()
        .split(';')
        .filter((f) => f !== '')
        .map((f) => f.split('=') as [string, string]),
    );
    for (const [name, value] of Object.entries(parameters)) fields.set(name, String(value));
    return `a=fmtp:${payload} ${[...fields].map(([k, v]) => `${k}=${v}`).join(';')}`;
  });
}

/** Full picture for program renderers, about 320×180 at a low bitrate for monitors. */
export function encodingFor(
  quality: MediaQuality,
  track: MediaStreamTrack,
): { scaleResolutionDownBy: number; maxBitrate: number } {
  const height = track.getSettings().height ?? CAPTURE.height;
  if (quality === 'reduced')
    return { scaleResolutionDownBy: Math.max(1, height / REDUCED_HEIGHT_PX), maxBitrate: REDUCED_MAX_BITRATE_BPS };
  return {
    scaleResolutionDownBy: 1,
    maxBitrate: height > 720 ? FULL_MAX_BITRATE_BPS[1080] : FULL_MAX_BITRATE_BPS[720],
  };
}

/** A new capture (another device, another size): the connection's encoding follows it without renegotiation. */
async function applyQuality(sender: RTCRtpSender, quality: MediaQuality, track: MediaStreamTrack): Promise<void> {
  const parameters = sender.getParameters();
  const encoding = parameters.encodings[0];
  if (encoding === undefined) return;
  Object.assign(encoding, encodingFor(quality, track));
  await sender.setParameters(parameters);
}
