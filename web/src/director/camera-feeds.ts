// Live camera pictures and status for the multiview. Status comes from the controller's `cameras` frames
// (registered, live, disconnected); pictures from LiveKit when the controller has it configured. Without
// LiveKit the controller answers LIVEKIT_NOT_CONFIGURED and the tiles say so instead of staying black.
import { Type } from '@sinclair/typebox';
import { CameraSchema, LiveKitTokenSchema, parse, type Camera, type LiveKitToken } from '../../../protocol/index.ts';
import type { ApiClient } from '../lib/api-client.ts';
import { ApiError } from '../lib/api-error.ts';
import { notifyError } from '../lib/notices.ts';
import type { RealtimeClient } from '../../../client/index.ts';
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
  #liveKitState: 'unknown' | 'absent' | 'connected' = 'unknown';
  readonly #videos = new Map<string, HTMLMediaElement>();

  constructor(
    private readonly api: ApiClient,
    private readonly eventId: string,
    private readonly realtime: RealtimeClient,
    private readonly multiview: Multiview,
  ) {
    realtime.handle({ cameras: (frame) => this.#setCameras(frame.cameras) });
    realtime.on('status', (status) => {
      if (status === 'online') void this.#loadCameras();
    });
  }

  async start(): Promise<void> {
    let token: LiveKitToken;
    try {
      const parsed = parse(
        LiveKitTokenSchema,
        await this.api.get<unknown>(`/api/events/${encodeURIComponent(this.eventId)}/livekit-token`),
      );
      if (!parsed.ok) return;
      token = parsed.value;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'LIVEKIT_NOT_CONFIGURED') this.#liveKitState = 'absent';
      else notifyError(error, 'Camera pictures');
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
      const status = camera === undefined ? 'not joined' : STATUS_TEXT[camera.status];
      tile.setStatus(this.#liveKitState === 'absent' ? `${status} · no LiveKit server` : status);
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
    this.refresh();
  }

  async #connect(token: LiveKitToken): Promise<void> {
    const lk: LiveKit = await import('livekit-client');
    const room = new lk.Room({ adaptiveStream: true, dynacast: true });
    room
      .on(lk.RoomEvent.TrackSubscribed, (track, _publication, participant) => {
        if (track.kind !== lk.Track.Kind.Video) return;
        const element = track.attach();
        element.muted = true;
        this.#videos.set(participant.identity, element);
        this.refresh();
      })
      .on(lk.RoomEvent.TrackUnsubscribed, (track, _publication, participant) => {
        track.detach();
        this.#videos.delete(participant.identity);
        const source = this.realtime.state?.sources.find((s) => (s.participant ?? s.id) === participant.identity);
        if (source !== undefined) this.multiview.tile(source.id)?.attachMedia(null);
        this.refresh();
      });
    try {
      await room.connect(token.url, token.token);
      this.#liveKitState = 'connected';
    } catch (error) {
      notifyError(error, 'Connecting to LiveKit for camera pictures');
    }
    this.refresh();
  }
}
