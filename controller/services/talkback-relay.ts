// Talkback over the event WebSocket (protocol/talkback.ts): which socket may talk, to whom, and what each
// side may signal. A talker (director, graphics, admin) calls crew pages and answers their offers with its
// microphone; a crew page (camera, seat) offers to receive and calls the director. The controller stamps
// every `from`, so a camera cannot pose as the director, and SERVER_MESSAGE_AUDIENCE keeps every talkback
// frame away from the program renderers and viewers.
import {
  CREW_CALL_MIN_GAP_MS,
  CREW_ROLES,
  TALKER_ROLES,
  TARGETED_FRAME_TYPES,
  isPublisherId,
  isTalkbackTarget,
  offersVideo,
  type Role,
  type TalkbackCallMessage,
  type TalkbackEndMessage,
  type TalkbackSignalMessage,
  type TalkbackTarget,
  type TalkerRole,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';
import type { MediaRelay } from './media-relay.ts';
import type { RealtimeHub } from './realtime-hub.ts';

function isTalker(role: Role): role is TalkerRole {
  return (TALKER_ROLES as readonly string[]).includes(role);
}

function isCrew(role: Role): boolean {
  return (CREW_ROLES as readonly string[]).includes(role);
}

/** One per socket, beside its MediaRelay (whose identity and frame budget it shares). */
export class TalkbackRelay {
  /** This talker's sessions whose button is still down: session → target. */
  readonly #live = new Map<string, TalkbackTarget>();
  #lastCrewCall = 0;

  constructor(
    private readonly hub: RealtimeHub,
    private readonly eventId: string,
    private readonly media: MediaRelay,
    private readonly role: Role,
  ) {}

  /** False when a published call or end names other crew pages than this socket's. */
  reaches(frame: { type: string; [field: string]: unknown }): boolean {
    if (!TARGETED_FRAME_TYPES.has(frame.type)) return true;
    const peer = this.media.peer;
    if (peer.kind !== 'camera' && peer.kind !== 'seat') return false;
    return isTalkbackTarget(frame['target'] as TalkbackTarget, peer.id);
  }

  async call(message: TalkbackCallMessage): Promise<void> {
    const talker = this.#talker();
    if (message.target !== 'all') await this.media.requirePublisher(message.target, '/target');
    this.#live.set(message.session, message.target);
    await this.hub.publish({ ...message, eventId: this.eventId, from: talker.receiver, talker: talker.role });
  }

  /** The talk button came up. Not checked against the cameras: a target removed meanwhile must still hear it. */
  async end(message: TalkbackEndMessage): Promise<void> {
    const talker = this.#talker();
    this.#live.delete(message.session);
    await this.hub.publish({ ...message, eventId: this.eventId, from: talker.receiver, talker: talker.role });
  }

  /**
   * The talker's socket closed: its sessions end on every crew page now (a tab closed mid-talk, or a release
   * the dropped socket never sent), so no page keeps showing "Director talking".
   */
  async close(): Promise<void> {
    if (!isTalker(this.role) || this.media.peer.kind !== 'receiver') return;
    const from = this.media.peer.id;
    const live = [...this.#live];
    this.#live.clear();
    for (const [session, target] of live)
      await this.hub.publish({ type: 'talkback.end', target, session, eventId: this.eventId, from, talker: this.role });
  }

  async signal(message: TalkbackSignalMessage): Promise<void> {
    this.media.countFrame();
    const peer = this.media.peer;
    const type = message.description?.type;
    let from: string;
    if (isTalker(this.role) && peer.kind === 'receiver') {
      // The talker answers the crew pages that offered: its microphone goes out, nothing comes back.
      if (!isPublisherId(message.to))
        throw new AppError(403, 'FORBIDDEN', 'A talker signals only to camera and seat pages.', '/to');
      if (type === 'offer')
        throw new AppError(403, 'FORBIDDEN', 'The crew pages offer; a talker answers.', '/description/type');
      await this.media.requirePublisher(message.to, '/to');
      from = peer.id;
    } else if (isCrew(this.role) && (peer.kind === 'camera' || peer.kind === 'seat')) {
      if (isPublisherId(message.to))
        throw new AppError(403, 'FORBIDDEN', 'A crew page signals talkback only to a talker.', '/to');
      if (type === 'answer')
        throw new AppError(
          403,
          'FORBIDDEN',
          'A crew page offers to hear the talker; it never answers.',
          '/description/type',
        );
      // Talkback is a voice: a crew page asks for sound only.
      if (message.description !== undefined && offersVideo(message.description.sdp))
        throw new AppError(403, 'FORBIDDEN', 'Talkback carries sound only: no video in the offer.', '/description/sdp');
      from = peer.id;
    } else {
      throw new AppError(403, 'FORBIDDEN', `The ${this.role} role has no part in talkback.`, '/type');
    }
    if (message.description === undefined && message.candidate === undefined)
      throw new AppError(400, 'INVALID', 'A signal carries a description or a candidate.', '/description');
    await this.hub.publish({ ...message, eventId: this.eventId, from });
  }

  /** A camera operator's "Call director": the director's tile for that camera flashes. */
  async crewCall(): Promise<void> {
    this.media.countFrame();
    const peer = this.media.peer;
    if (peer.kind !== 'camera') throw new AppError(403, 'FORBIDDEN', 'Only a camera page calls the director.', '/type');
    // One call flashes the tile until it is seen: more within the gap would only flood the director's pages.
    const now = Date.now();
    if (now - this.#lastCrewCall < CREW_CALL_MIN_GAP_MS)
      throw new AppError(429, 'RATE_LIMITED', 'The director has just been called.', '/type');
    this.#lastCrewCall = now;
    await this.hub.publish({ type: 'crew.call', eventId: this.eventId, from: peer.id });
  }

  #talker(): { role: TalkerRole; receiver: string } {
    this.media.countFrame();
    const peer = this.media.peer;
    if (!isTalker(this.role) || peer.kind !== 'receiver')
      throw new AppError(403, 'FORBIDDEN', `The ${this.role} role may not talk to the crew.`, '/type');
    return { role: this.role, receiver: peer.id };
  }
}
