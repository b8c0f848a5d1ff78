// ISO recordings with LiveKit: one participant egress per camera writes the camera's picture and sound as
// HLS segments (each a whole, playable file; the playlist names them in order) into shared storage, under
// the same per-event, per-camera directory the built-in path uses. Segments make the recording readable up
// to its last one after a crash, like the built-in path's uploaded WebM segments.
import { EgressClient, SegmentedFileOutput, SegmentedFileProtocol, type EgressInfo } from 'livekit-server-sdk';
import { eventRoom, ISO_SEGMENT_MS } from '../protocol/index.ts';

export const ISO_PLAYLIST = 'index.m3u8';

export interface IsoEgressOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The ISO root as Egress sees the shared storage (e.g. /data/iso in docker/compose.yaml). */
  isoRoot: string;
}

export class IsoEgress {
  readonly client: EgressClient;

  constructor(private readonly options: IsoEgressOptions) {
    this.client = new EgressClient(options.url, options.apiKey, options.apiSecret);
  }

  /** The segmented output of one camera: `<root>/<event>/<camera>/<n>.ts` and its playlist. */
  output(eventId: string, camera: string): SegmentedFileOutput {
    const dir = `${this.options.isoRoot.replace(/\/+$/, '')}/${eventId}/${camera}`;
    return new SegmentedFileOutput({
      protocol: SegmentedFileProtocol.HLS_PROTOCOL,
      filenamePrefix: `${dir}/iso`,
      playlistName: `${dir}/${ISO_PLAYLIST}`,
      segmentDuration: ISO_SEGMENT_MS / 1000,
    });
  }

  /**
   * Starts recording a camera on its own. `identity` is the camera's LiveKit participant identity (the source's
   * `participant`, else its id); the room is the event's, the one its camera token was granted for.
   */
  async start(eventId: string, camera: string, identity: string): Promise<EgressInfo> {
    return this.client.startParticipantEgress(eventRoom(eventId), identity, {
      segments: this.output(eventId, camera),
    });
  }

  async stop(egressId: string): Promise<EgressInfo> {
    return this.client.stopEgress(egressId);
  }
}
