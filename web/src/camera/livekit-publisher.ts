// Publishes this phone's camera and microphone into the event's LiveKit room. livekit-client is loaded
// only here and only when the controller handed out a LiveKit token, so pages without LiveKit stay small.
import type { LiveKitToken } from '../../../protocol/index.ts';

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

export class LiveKitPublisher {
  #room: Room | null = null;
  #lk: LiveKit | null = null;
  readonly #callbacks: PublisherCallbacks;

  constructor(callbacks: PublisherCallbacks) {
    this.#callbacks = callbacks;
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
      .on(lk.RoomEvent.LocalTrackPublished, () => this.#refreshPreview());
    this.#callbacks.status('connecting', 'LiveKit: connecting…');
    await room.connect(token.url, token.token);
    this.#callbacks.status('connected', 'LiveKit: connected');
    await room.localParticipant.setCameraEnabled(
      true,
      devices.videoDeviceId === undefined ? {} : { deviceId: devices.videoDeviceId },
    );
    await room.localParticipant.setMicrophoneEnabled(
      true,
      devices.audioDeviceId === undefined ? {} : { deviceId: devices.audioDeviceId },
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
