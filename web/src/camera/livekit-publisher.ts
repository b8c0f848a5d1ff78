// Publishes this phone's camera and microphone into the event's LiveKit room (a commentary seat: its
// microphone only, and it subscribes to the room for its program return). livekit-client is loaded only
// here and only when the controller handed out a LiveKit token, so pages without LiveKit stay small.
import type { TrackListener } from '../../../client/index.ts';
import type { LiveKitToken } from '../../../protocol/index.ts';
import type { AudioProcessing } from './direct-publisher.ts';

export type Quality = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';
export type PublisherStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface PublisherCallbacks {
  quality(quality: Quality): void;
  status(status: PublisherStatus, detail: string): void;
  /** The local camera track's element, for the framing preview. */
  preview(element: HTMLVideoElement | null): void;
}

export interface DeviceChoice {
  videoDeviceId?: string;
  audioDeviceId?: string;
}

type LiveKit = typeof import('livekit-client');
type Room = InstanceType<LiveKit['Room']>;
type LocalVideoTrack = InstanceType<LiveKit['LocalVideoTrack']>;

export interface LiveKitPublisherOptions {
  /** `microphone`: a commentary seat's token may publish its microphone and nothing else. */
  media?: 'camera' | 'microphone';
  /** The room's remote tracks as they come and go (a seat's program return). */
  onTrack?: TrackListener;
}

export class LiveKitPublisher {
  #room: Room | null = null;
  #lk: LiveKit | null = null;
  readonly #callbacks: PublisherCallbacks;
  readonly #options: LiveKitPublisherOptions;
  /** Applied to the next microphone capture; off (a pitch-side microphone) unless the page sets it. */
  audioProcessing: AudioProcessing = { echoCancellation: false, noiseSuppression: false };

  constructor(callbacks: PublisherCallbacks, options: LiveKitPublisherOptions = {}) {
    this.#callbacks = callbacks;
    this.#options = options;
  }

  /** The published microphone's track (what the page meters and mutes), once published. */
  get microphoneTrack(): MediaStreamTrack | null {
    const lk = this.#lk;
    if (lk === null) return null;
    return (
      this.#room?.localParticipant.getTrackPublication(lk.Track.Source.Microphone)?.track?.mediaStreamTrack ?? null
    );
  }

  async start(token: LiveKitToken, devices: DeviceChoice): Promise<void> {
    const lk = await import('livekit-client');
    this.#lk = lk;
    const room = new lk.Room({ adaptiveStream: false, dynacast: true });
    this.#room = room;
    room
      .on(lk.RoomEvent.ConnectionQualityChanged, (quality, participant) => {
        if (participant === room.localParticipant) this.#callbacks.quality(quality);
      })
      .on(lk.RoomEvent.Reconnecting, () => this.#callbacks.status('reconnecting', 'LiveKit: reconnecting…'))
      .on(lk.RoomEvent.Reconnected, () => this.#callbacks.status('connected', 'LiveKit: connected'))
      .on(lk.RoomEvent.Disconnected, (reason) => {
        // A room this publisher closed itself (leave, or replaced by a reconnect) is no news.
        if (this.#room !== room) return;
        this.#callbacks.status('disconnected', `LiveKit: disconnected (${String(reason ?? 'unknown')})`);
      })
      .on(lk.RoomEvent.LocalTrackPublished, () => this.#refreshPreview())
      .on(lk.RoomEvent.TrackSubscribed, (track, _publication, participant) =>
        this.#options.onTrack?.(
          participant.identity,
          track.kind === lk.Track.Kind.Video ? 'video' : 'audio',
          track.mediaStreamTrack,
        ),
      )
      .on(lk.RoomEvent.TrackUnsubscribed, (track, _publication, participant) =>
        this.#options.onTrack?.(participant.identity, track.kind === lk.Track.Kind.Video ? 'video' : 'audio', null),
      );
    this.#callbacks.status('connecting', 'LiveKit: connecting…');
    await room.connect(token.url, token.token);
    this.#callbacks.status('connected', 'LiveKit: connected');
    if (this.#options.media !== 'microphone')
      await room.localParticipant.setCameraEnabled(
        true,
        devices.videoDeviceId === undefined ? {} : { deviceId: devices.videoDeviceId },
      );
    await room.localParticipant.setMicrophoneEnabled(
      true,
      {
        ...(devices.audioDeviceId === undefined || devices.audioDeviceId === ''
          ? {}
          : { deviceId: devices.audioDeviceId }),
        ...this.audioProcessing,
        autoGainControl: false,
      },
      // A seat's voice is the programme: music bitrate, no DTX (see VOICE_OPUS_FMTP).
      this.#options.media === 'microphone' ? { audioPreset: { maxBitrate: 128_000 }, dtx: false, red: true } : {},
    );
    this.#refreshPreview();
  }

  async setCamera(enabled: boolean): Promise<void> {
    await this.#room?.localParticipant.setCameraEnabled(enabled);
    this.#refreshPreview();
  }

  async setMicrophone(enabled: boolean): Promise<void> {
    await this.#room?.localParticipant.setMicrophoneEnabled(enabled);
  }

  async useDevice(kind: 'videoinput' | 'audioinput', deviceId: string): Promise<void> {
    await this.#room?.switchActiveDevice(kind, deviceId);
  }

  /** The camera facing the other way (a phone's front/back): the published track restarts in place. */
  async useFacing(facing: 'user' | 'environment'): Promise<void> {
    await this.#cameraTrack()?.restartTrack({ facingMode: facing });
    this.#refreshPreview();
  }

  /** The camera track now published, for the lens controls. */
  videoTrack(): MediaStreamTrack | null {
    return this.#cameraTrack()?.mediaStreamTrack ?? null;
  }

  /** LiveKit sizes its simulcast layers from the track itself: nothing to follow. */
  async followCapture(): Promise<void> {}

  async close(): Promise<void> {
    const room = this.#room;
    this.#room = null;
    this.#callbacks.preview(null);
    await room?.disconnect();
  }

  #cameraTrack(): LocalVideoTrack | undefined {
    const room = this.#room;
    const lk = this.#lk;
    if (room === null || lk === null) return undefined;
    return room.localParticipant.getTrackPublication(lk.Track.Source.Camera)?.videoTrack;
  }

  #refreshPreview(): void {
    const track = this.#cameraTrack();
    this.#callbacks.preview(track === undefined || track.isMuted ? null : (track.attach() as HTMLVideoElement));
  }
}
