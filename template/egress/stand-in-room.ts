// A STAND-IN for livekit-client's Room, for Egress contract tests only (`?room=stand-in`): no LiveKit
// server runs here, so tests drive what a room would deliver through window.pitchside.standInRoom.
// It implements only the part of Room that egress-session.ts and @livekit/egress-sdk use.
import { ParticipantEvent, RoomEvent, type Room } from 'livekit-client';
import { PROGRAM_TOPIC } from '../../protocol/index.ts';

type Listener = (...args: never[]) => void;

class Emitter {
  readonly #listeners = new Map<string, Set<Listener>>();

  on(event: string, listener: Listener): this {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener);
    this.#listeners.set(event, set);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }
}

/** A token with this value makes connect() fail, as a wrong token would. */
export const STAND_IN_REJECTED_TOKEN = 'stand-in-rejected';
const CAMERA_FPS = 30;

export class StandInRoom extends Emitter {
  readonly localParticipant = Object.assign(new Emitter(), {
    identity: 'EG_stand_in',
    metadata: undefined as string | undefined,
  });
  readonly connects: { url: string; token: string }[] = [];
  readonly #cameras: { stop: () => void }[] = [];

  async connect(url: string, token: string): Promise<void> {
    this.connects.push({ url, token });
    if (token === STAND_IN_REJECTED_TOKEN) throw new Error('could not establish signal connection: invalid token');
  }

  async disconnect(): Promise<void> {
    for (const camera of this.#cameras) camera.stop();
    this.emit(RoomEvent.Disconnected);
  }

  /** What UpdateLayout does: the egress participant's metadata becomes `{"layout": …}`. */
  setLayout(layout: string): void {
    this.localParticipant.metadata = JSON.stringify({ layout });
    this.localParticipant.emit(ParticipantEvent.ParticipantMetadataChanged, undefined);
  }

  /** A camera publishes: a solid-colour canvas captured as a video track, subscribed at once. */
  publishCamera(identity: string, colour: string): void {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const context = canvas.getContext('2d');
    const draw = () => {
      if (context === null) return;
      context.fillStyle = colour;
      context.fillRect(0, 0, canvas.width, canvas.height);
    };
    draw();
    const timer = setInterval(draw, 1000 / CAMERA_FPS);
    const [mediaStreamTrack] = canvas.captureStream(CAMERA_FPS).getVideoTracks();
    if (mediaStreamTrack === undefined) throw new Error('captureStream gave no video track');
    this.#cameras.push({ stop: () => (clearInterval(timer), mediaStreamTrack.stop()) });
    this.emit(RoomEvent.TrackSubscribed, { kind: 'video', mediaStreamTrack }, {}, { identity });
  }

  /** What RoomServiceClient.sendData delivers: a StateMessage on the program topic. */
  sendProgramData(message: unknown, topic = PROGRAM_TOPIC): void {
    const payload = new TextEncoder().encode(JSON.stringify(message));
    this.emit(RoomEvent.DataReceived, payload, undefined, undefined, topic);
  }

  /** The room as egress-session.ts types it. */
  asRoom(): Room {
    return this as unknown as Room;
  }
}
