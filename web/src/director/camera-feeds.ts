// Live camera pictures, status and link health for the multiview. Status and health come from the
// controller's `cameras` frames; pictures from LiveKit when the controller has it configured, else straight
// from the camera pages (direct WebRTC, reduced quality). Either way the tracks go into one CameraTrackHub,
// which the page's template iframes (preview/program monitors) share: one connection per camera per page.
import { Type } from '@sinclair/typebox';
import { CameraSchema, LiveKitTokenSchema, parse, type Camera, type LiveKitToken } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { LIVEKIT_RECONNECT_MS, LiveKitTokenKeeper } from '../lib/livekit-token-keeper.ts';
import { ApiError } from '../lib/api-error.ts';
import { notifyError } from '../lib/notices.ts';
import { cameraParticipants, CameraTrackHub, DirectReceiver, type RealtimeClient } from '../../../client/index.ts';
import type { Multiview } from './multiview.ts';

const CamerasAnswerSchema = Type.Object({ cameras: Type.Array(CameraSchema) });
const STATUS_TEXT: Record<Camera['status'], string> = {
  registered: 'joined, no video yet',
  live: 'live',
  disconnected: 'disconnected',
};

type LiveKit = typeof import('livekit-client');

export class CameraFeeds {
  #cameras = new Map<string, Camera>();
  readonly #videos = new Map<string, HTMLVideoElement>();
  readonly hub = new CameraTrackHub();
  readonly #direct: DirectReceiver;
  #tokens: LiveKitTokenKeeper | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
    private readonly realtime: RealtimeClient,
    private readonly multiview: Multiview,
    private readonly onCameras: (cameras: Camera[]) => void = () => undefined,
  ) {
    // Set before the page's template iframes load: they take their camera tracks from here.
    window.pitchsideCameras = this.hub;
    this.#direct = new DirectReceiver({
      quality: 'reduced',
      send: (frame) => realtime.send(frame),
      onTrack: this.hub.handleTrack,
      log: (message) => console.warn(message),
    });
    this.hub.subscribe((camera, kind, track) => {
      if (kind === 'video') this.#setVideo(camera, track);
    });
    realtime.handle(this.#direct.handlers);
    realtime.handle({ cameras: (frame) => this.#setCameras(frame.cameras) });
    realtime.on('state', (state) => this.#direct.want(cameraParticipants(state.sources)));
    realtime.on('status', (status) => {
      if (status === 'online') void this.#loadCameras();
    });
  }

  async start(): Promise<void> {
    let token: LiveKitToken;
    // Room tokens are short-lived: the keeper always holds one valid for reconnecting.
    const tokens = new LiveKitTokenKeeper({
      fetch: async () => {
        const parsed = parse(
          LiveKitTokenSchema,
          await this.api.get<unknown>(`/api/events/${encodeURIComponent(this.eventId)}/livekit-token`),
        );
        if (!parsed.ok) throw new Error(`unreadable LiveKit token: ${parsed.error.message}`);
        return parsed.value;
      },
      now: () => this.realtime.serverNow(),
    });
    try {
      token = await tokens.start();
      this.#tokens = tokens;
    } catch (error) {
      // No LiveKit: the cameras send straight to this page (the DirectReceiver, told so by media.config).
      if (!(error instanceof ApiError && error.code === 'LIVEKIT_NOT_CONFIGURED'))
        notifyError(error, 'Camera pictures');
      this.refresh();
      return;
    }
    await this.#connect(token);
  }

  /** Re-applies status text and pictures after the multiview rebuilt its tiles. */
  refresh(): void {
    for (const source of this.realtime.state?.sources ?? []) {
      if (source.kind !== 'livekit') continue;
      const tile = this.multiview.tile(source.id);
      if (tile === undefined) continue;
      const camera = this.#cameras.get(source.participant ?? source.id);
      const video = this.#videos.get(source.participant ?? source.id);
      tile.setStatus(camera === undefined ? 'not joined' : STATUS_TEXT[camera.status]);
      tile.setHealth(camera?.status === 'disconnected' ? undefined : camera?.health);
      if (video !== undefined && !tile.element.contains(video)) tile.attachMedia(video);
    }
  }

  async #loadCameras(): Promise<void> {
    try {
      const parsed = parse(
        CamerasAnswerSchema,
        await this.api.get<unknown>(`/api/events/${encodeURIComponent(this.eventId)}/cameras`),
      );
      if (parsed.ok) this.#setCameras(parsed.value.cameras);
    } catch (error) {
      notifyError(error, 'Camera list');
    }
  }

  #setCameras(cameras: Camera[]): void {
    this.#cameras = new Map(cameras.map((c) => [c.id, c]));
    this.onCameras(cameras);
    this.refresh();
  }

  #setVideo(camera: string, track: MediaStreamTrack | null): void {
    const old = this.#videos.get(camera);
    if (old !== undefined) {
      old.srcObject = null;
      old.remove();
      this.#videos.delete(camera);
      const source = this.realtime.state?.sources.find((s) => (s.participant ?? s.id) === camera);
      if (source !== undefined) this.multiview.tile(source.id)?.attachMedia(null);
    }
    if (track !== null) {
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.srcObject = new MediaStream([track]);
      this.#videos.set(camera, video);
    }
    this.refresh();
  }

  async #connect(token: LiveKitToken): Promise<void> {
    const lk: LiveKit = await import('livekit-client');
    const room = new lk.Room({ adaptiveStream: true, dynacast: true });
    room
      .on(lk.RoomEvent.TrackSubscribed, (track, _publication, participant) => {
        const kind = track.kind === lk.Track.Kind.Video ? 'video' : 'audio';
        this.hub.handleTrack(participant.identity, kind, track.mediaStreamTrack);
      })
      .on(lk.RoomEvent.Disconnected, () => {
        // LiveKit gave up on this connection: connect again with the current token.
        const current = this.#tokens;
        if (current !== null) setTimeout(() => void this.#connect(current.current), LIVEKIT_RECONNECT_MS);
      })
      .on(lk.RoomEvent.TrackUnsubscribed, (track, _publication, participant) => {
        const kind = track.kind === lk.Track.Kind.Video ? 'video' : 'audio';
        this.hub.handleTrack(participant.identity, kind, null);
      });
    try {
      await room.connect(token.url, token.token);
    } catch (error) {
      notifyError(error, 'Connecting to LiveKit for camera pictures');
    }
    this.refresh();
  }
}
