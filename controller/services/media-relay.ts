// Direct-camera signalling over the event WebSocket: who may send which frame to whom. Every frame is
// addressed (a camera or commentary seat id, or a receiver id), stamped with the sender's identity by the
// controller, and published on the event's realtime channel, where only the addressed socket of that same
// event takes it. A commentary seat publishes like a camera, sound only: an offer of video is refused.
import { randomBytes } from 'node:crypto';
import {
  FULL_QUALITY_ROLES,
  MEDIA_RECEIVERS,
  MONITOR_SLOT_ROLES,
  isPublisherId,
  offersVideo,
  type Role,
  type CameraHealth,
  type MediaRefusedDelivery,
  type MediaRefusedMessage,
  type MediaRequestDelivery,
  type MediaRequestMessage,
  type MediaSignalDelivery,
  type MediaSignalMessage,
  type MediaSlotClass,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';
import type { CameraRegistry } from './camera-registry.ts';
import type { CommentarySeats } from './commentary-seats.ts';
import type { AuthContext } from './key-store.ts';
import type { RealtimeHub } from './realtime-hub.ts';
/** Signalling frames one socket may send per window: a session needs a few dozen (offer, answer, ICE). */
export const SIGNAL_FRAME_LIMIT = 400;
export const SIGNAL_WINDOW_MS = 10_000;

/**
 * A socket's identity in signalling: its camera or seat, or a receiver id the controller made for it. A seat
 * has both: it publishes its microphone as the seat and receives the program return's cameras (and the other
 * seats) under a receiver id of its own, so the two roles never share a session namespace.
 */
export type MediaPeer =
  | { kind: 'camera'; id: string }
  | { kind: 'seat'; id: string; receiver: string }
  | { kind: 'receiver'; id: string }
  | { kind: 'none' };

/**
 * A camera key is bound to one camera at join, so a camera socket signals as that camera and no other (a
 * commentary seat's key likewise as its seat); pages that show cameras get a receiver id made here. Viewers
 * never receive camera media.
 */
export function mediaPeerOf(auth: AuthContext): MediaPeer {
  if (auth.role === 'camera')
    return auth.cameraId === undefined ? { kind: 'none' } : { kind: 'camera', id: auth.cameraId };
  if (auth.role === 'commentary')
    return auth.seatId === undefined ? { kind: 'none' } : { kind: 'seat', id: auth.seatId, receiver: receiverId() };
  if ((MEDIA_RECEIVERS as readonly string[]).includes(auth.role)) return { kind: 'receiver', id: receiverId() };
  return { kind: 'none' };
}

/**
 * Which of a camera's send slots a socket's requests may take: the director's and admin's monitors, the
 * program renderer (a template key that also shows the controller's program pass for it), or the rest.
 */
export function mediaSlotClassOf(auth: AuthContext, programPass: boolean): MediaSlotClass {
  if ((MONITOR_SLOT_ROLES as readonly string[]).includes(auth.role)) return 'monitor';
  return auth.role === 'template' && programPass ? 'program' : 'other';
}

function receiverId(): string {
  return `rx-${randomBytes(8).toString('hex')}`;
}

/** The id a socket receives media under: a receiving page's own, a seat's return, none for a camera. */
function receiverIdOf(peer: MediaPeer): string | null {
  if (peer.kind === 'receiver') return peer.id;
  if (peer.kind === 'seat') return peer.receiver;
  return null;
}

export interface MediaRelayOptions {
  hub: RealtimeHub;
  cameras: CameraRegistry;
  seats: CommentarySeats;
  /** False when LiveKit carries the cameras: direct signalling is then refused. */
  direct: boolean;
}

/** One per socket: holds its identity and rate budget; throws AppError for a frame it refuses. */
export class MediaRelay {
  readonly #options: MediaRelayOptions;
  readonly #eventId: string;
  #windowStart = 0;
  #framesInWindow = 0;

  constructor(
    options: MediaRelayOptions,
    eventId: string,
    readonly peer: MediaPeer,
    /** The socket key's role: which quality it may ask for (FULL_QUALITY_ROLES). */
    private readonly role: Role,
    /** Which of a camera's send slots this socket's requests may take (mediaSlotClassOf). */
    private readonly slot: MediaSlotClass = 'other',
  ) {
    this.#options = options;
    this.#eventId = eventId;
  }

  /** True when a published addressed frame is for this socket. */
  isAddressee(frame: { [field: string]: unknown }): boolean {
    if (this.peer.kind === 'none') return false;
    return frame['to'] === this.peer.id || frame['to'] === receiverIdOf(this.peer);
  }

  async request(message: MediaRequestMessage): Promise<void> {
    this.#admit();
    const receiver = receiverIdOf(this.peer);
    if (receiver === null)
      throw new AppError(
        403,
        'FORBIDDEN',
        'Only monitor and program pages (and a seat, for its return) receive camera media.',
        '/type',
      );
    if (this.peer.kind === 'seat' && message.camera === this.peer.id)
      throw new AppError(
        403,
        'FORBIDDEN',
        'A seat hears its own microphone locally, not through the controller.',
        '/camera',
      );
    // The addressed camera (or seat) must be this event's: a page cannot reach a socket of another event.
    await this.requirePublisher(message.camera, '/camera');
    if (message.quality === 'full' && !(FULL_QUALITY_ROLES as readonly string[]).includes(this.role))
      throw new AppError(
        403,
        'FORBIDDEN',
        `The ${this.role} role receives cameras at reduced quality; full quality is for the program renderers.`,
        '/quality',
      );
    const delivery: MediaRequestDelivery = {
      type: 'media.request',
      eventId: this.#eventId,
      to: message.camera,
      from: receiver,
      session: message.session,
      quality: message.quality,
      slot: this.slot,
    };
    await this.#options.hub.publish(delivery);
  }

  /** A camera (or seat) tells a receiver it has no slot for it, or has dropped it. */
  async refuse(message: MediaRefusedMessage): Promise<void> {
    this.#admit();
    if (this.peer.kind !== 'camera' && this.peer.kind !== 'seat')
      throw new AppError(403, 'FORBIDDEN', 'Only a camera or a seat refuses a receiver.', '/type');
    const delivery: MediaRefusedDelivery = { ...message, eventId: this.#eventId, from: this.peer.id };
    await this.#options.hub.publish(delivery);
  }

  async signal(message: MediaSignalMessage): Promise<void> {
    this.#admit();
    if (this.peer.kind === 'none')
      throw new AppError(403, 'FORBIDDEN', 'This connection has no camera, seat or receiver identity.', '/type');
    // A publisher (camera, seat) talks only to receivers and a receiver only to publishers: no camera or
    // seat reaches another's sessions, no page reaches another page. A seat signals to a publisher only as
    // the receiver of its return, and then only to answer (the publisher offers).
    const toPublisher = isPublisherId(message.to);
    const receiver = receiverIdOf(this.peer);
    const asReceiver = toPublisher && this.peer.kind === 'seat';
    if (toPublisher && receiver === null)
      throw new AppError(403, 'FORBIDDEN', `A ${this.peer.kind} signals only to receiving pages.`, '/to');
    if (this.peer.kind === 'receiver' && !toPublisher)
      throw new AppError(403, 'FORBIDDEN', 'A receiving page signals only to cameras and seats.', '/to');
    if (asReceiver && (message.to === this.peer.id || message.description?.type === 'offer'))
      throw new AppError(
        403,
        'FORBIDDEN',
        'A seat answers the cameras and seats of its return; it offers only its own microphone, to receiving pages.',
        message.to === this.peer.id ? '/to' : '/description/type',
      );
    if (toPublisher) await this.requirePublisher(message.to, '/to');
    // A seat's key publishes its microphone, never a picture (it would be a camera no one added).
    if (
      this.peer.kind === 'seat' &&
      !asReceiver &&
      message.description !== undefined &&
      offersVideo(message.description.sdp)
    )
      throw new AppError(
        403,
        'FORBIDDEN',
        'A commentary seat sends sound only: no video in its offer.',
        '/description/sdp',
      );
    if (message.description === undefined && message.candidate === undefined)
      throw new AppError(400, 'INVALID', 'A signal carries a description or a candidate.', '/description');
    const from = toPublisher && receiver !== null ? receiver : this.peer.id;
    const delivery: MediaSignalDelivery = { ...message, eventId: this.#eventId, from };
    await this.#options.hub.publish(delivery);
  }

  async health(health: CameraHealth): Promise<void> {
    this.#admit();
    if (this.peer.kind !== 'camera')
      throw new AppError(403, 'FORBIDDEN', 'Only a camera reports its own link.', '/type');
    await this.#options.cameras.setHealth(this.#eventId, this.peer.id, health);
  }

  #admit(): void {
    if (!this.#options.direct)
      throw new AppError(
        409,
        'TRANSPORT_LIVEKIT',
        'Cameras of this deployment publish to LiveKit: direct media is off.',
        '/type',
      );
    this.countFrame();
  }

  /** One more signalling frame of this socket (talkback's too: one budget); throws past the limit. */
  countFrame(): void {
    const now = Date.now();
    if (now - this.#windowStart > SIGNAL_WINDOW_MS) {
      this.#windowStart = now;
      this.#framesInWindow = 0;
    }
    this.#framesInWindow += 1;
    if (this.#framesInWindow > SIGNAL_FRAME_LIMIT)
      throw new AppError(
        429,
        'RATE_LIMITED',
        `More than ${SIGNAL_FRAME_LIMIT} media frames in ${SIGNAL_WINDOW_MS / 1000} s.`,
        '/type',
      );
  }

  /** Throws 404 naming `field` unless `id` is one of this event's cameras or seats. */
  async requirePublisher(id: string, field: string): Promise<void> {
    if (id.startsWith('seat-')) {
      if ((await this.#options.seats.get(this.#eventId, id)) === null)
        throw new AppError(404, 'UNKNOWN_SEAT', `Seat "${id}" is not one of this event's commentary seats.`, field);
      return;
    }
    if ((await this.#options.cameras.get(this.#eventId, id)) === null)
      throw new AppError(404, 'UNKNOWN_CAMERA', `Camera "${id}" is not one of this event's cameras.`, field);
  }
}
