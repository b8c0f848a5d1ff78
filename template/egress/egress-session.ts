// Egress mode: the page runs inside LiveKit Egress's Chrome. It joins the room with Egress's token to
// receive camera tracks and program-state data messages, follows Egress layout changes live, and tells
// Egress to start recording only once the program has a picture (see program-page.ts `ready`).
import EgressHelper from '@livekit/egress-sdk';
import { RoomEvent, Track, type RemoteParticipant, type RemoteTrack, type Room } from 'livekit-client';
import { PROGRAM_TOPIC, type LayoutPreset } from '../../protocol/index.ts';
import { createLogger } from '../config/logger.ts';
import type { SourceFeeds } from '../sources/index.ts';
import type { StateStore } from '../state/index.ts';
import { mapEgressLayout } from './egress-layout.ts';

const log = createLogger('egress');

/** Builds the room: livekit-client's Room in production, the in-page stand-in in contract tests. */
export type RoomFactory = () => Room | Promise<Room>;

export interface EgressSessionOptions {
  createRoom: RoomFactory;
  store: StateStore;
  feeds: SourceFeeds;
}

export class EgressSession {
  readonly #options: EgressSessionOptions;
  #room: Room | null = null;
  #layout: LayoutPreset | null = null;
  #recording = false;
  layoutChanges = 0;

  constructor(options: EgressSessionOptions) {
    this.#options = options;
  }

  /** Egress's layout, when it named one we know; null leaves the layout to the program state. */
  get layout(): LayoutPreset | null {
    return this.#layout;
  }

  async start(): Promise<void> {
    // Registered before setRoom: the SDK calls the callback from setRoom without a null check.
    EgressHelper.onLayoutChanged((layout) => this.#applyLayout(layout));
    this.#applyLayout(EgressHelper.getLayout());
    const room = await this.#options.createRoom();
    this.#room = room;
    room.on(RoomEvent.TrackSubscribed, (track, _publication, participant) =>
      this.#handleTrack(track, participant, true),
    );
    room.on(RoomEvent.TrackUnsubscribed, (track, _publication, participant) =>
      this.#handleTrack(track, participant, false),
    );
    room.on(RoomEvent.DataReceived, (payload, _participant, _kind, topic) => this.#handleData(payload, topic));
    await room.connect(EgressHelper.getLiveKitURL(), EgressHelper.getAccessToken(), { autoSubscribe: true });
    EgressHelper.setRoom(room);
    log.info('joined the room');
  }

  /** The START_RECORDING signal, once. */
  startRecording(): void {
    if (this.#recording) return;
    this.#recording = true;
    EgressHelper.startRecording();
  }

  async close(): Promise<void> {
    await this.#room?.disconnect();
    this.#room = null;
  }

  #applyLayout(name: string): void {
    const layout = mapEgressLayout(name);
    if (name !== '' && layout === null) log.warn(`unknown Egress layout "${name}": the program state's layout applies`);
    if (layout === this.#layout) return;
    this.#layout = layout;
    this.layoutChanges += 1;
    log.info(`layout ${layout ?? '(from state)'}`);
  }

  #handleTrack(track: RemoteTrack, participant: RemoteParticipant, subscribed: boolean): void {
    if (track.kind !== Track.Kind.Video && track.kind !== Track.Kind.Audio) return;
    this.#options.feeds.handleTrack(participant.identity, track.kind, subscribed ? track.mediaStreamTrack : null);
  }

  #handleData(payload: Uint8Array, topic: string | undefined): void {
    if (topic !== PROGRAM_TOPIC) return;
    try {
      this.#options.store.offer(JSON.parse(new TextDecoder().decode(payload)));
    } catch {
      log.warn('ignored a program data message that is not JSON');
    }
  }
}
