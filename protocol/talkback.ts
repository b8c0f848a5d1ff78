// Talkback (issue 21 §4): the director or the graphics operator holds a button to talk to one camera, one
// commentary seat or the whole crew, and a camera operator can call the director. The voice goes browser
// to browser, like direct camera media, but the roles turn round: the talker's page holds the microphone
// and each targeted crew page asks for it. The controller relays talkback frames between talkers and crew
// pages only: no program renderer (template) and no viewer ever receives one, so the voice cannot reach
// the program, a recording or the HLS output.
//
// Press: the talker sends `talkback.call {target, session}`; each crew page the target names gets it with
// the talker's receiver id in `from` and offers to receive audio (`talkback.signal`, an offer with one
// recvonly audio section); the talker answers with its microphone. Release: `talkback.end`, the crew pages
// stop showing it and keep the connection (the talker sends nothing on it); the next press to the same
// target calls the same session, which those pages resume without signalling.
import { Type, type Static } from '@sinclair/typebox';
import type { Role } from './api.ts';
import { MediaSessionSchema, PublisherIdSchema, ReceiverIdSchema, signalFields } from './direct-media.ts';
import { EventIdSchema } from './wire.ts';

/** Who may talk: the director's desk (and the admin), and the graphics operator. */
export const TALKER_ROLES = ['admin', 'director', 'graphics'] as const satisfies readonly Role[];
export type TalkerRole = (typeof TALKER_ROLES)[number];
/** Who hears talkback and may call the director: the crew's own pages. */
export const CREW_ROLES = ['camera', 'commentary'] as const satisfies readonly Role[];
/** Who sees a camera's call: the people who run the switcher. */
export const CALLED_ROLES = ['admin', 'director'] as const satisfies readonly Role[];

/** What a crew page shows while a talker's voice plays: who is talking. */
export const TALKER_LABEL: Record<TalkerRole, string> = {
  admin: 'Director',
  director: 'Director',
  graphics: 'Graphics',
};

/** A camera's call flashes on the director's tile until clicked, or this long. */
export const CREW_CALL_FLASH_MS = 30_000;

/** Everyone on the crew, or one camera (`cam-…`) or seat (`seat-…`) of the event. */
export const TalkbackTargetSchema = Type.Union([Type.Literal('all'), PublisherIdSchema]);
export type TalkbackTarget = Static<typeof TalkbackTargetSchema>;

/** A camera's "Call director" at most this often (per socket): a second press within it is refused (429). */
export const CREW_CALL_MIN_GAP_MS = 3000;

/** Whether a crew page (its camera or seat id) is among a call's target. */
export function isTalkbackTarget(target: TalkbackTarget, publisherId: string): boolean {
  return target === 'all' || target === publisherId;
}

// ---- Client → controller ----------------------------------------------------------------------

/** The talk button went down: a new session for the crew pages `target` names. */
export const TalkbackCallMessageSchema = Type.Object(
  { type: Type.Literal('talkback.call'), target: TalkbackTargetSchema, session: MediaSessionSchema },
  { additionalProperties: false },
);
export type TalkbackCallMessage = Static<typeof TalkbackCallMessageSchema>;

/** The talk button came up: the session's crew pages stop showing it and keep its connection, silent. */
export const TalkbackEndMessageSchema = Type.Object(
  { type: Type.Literal('talkback.end'), target: TalkbackTargetSchema, session: MediaSessionSchema },
  { additionalProperties: false },
);
export type TalkbackEndMessage = Static<typeof TalkbackEndMessageSchema>;

/** Offer (crew page) or answer (talker) and ICE candidates of one talkback session. */
export const TalkbackSignalMessageSchema = Type.Object(
  { type: Type.Literal('talkback.signal'), ...signalFields },
  { additionalProperties: false },
);
export type TalkbackSignalMessage = Static<typeof TalkbackSignalMessageSchema>;

/** A camera operator's "Call director" button. */
export const CrewCallMessageSchema = Type.Object({ type: Type.Literal('crew.call') }, { additionalProperties: false });
export type CrewCallMessage = Static<typeof CrewCallMessageSchema>;

// ---- Controller → client ----------------------------------------------------------------------

const deliveryFields = {
  eventId: EventIdSchema,
  /** The talker's receiver id, stamped by the controller: where the crew page sends its offer. */
  from: ReceiverIdSchema,
  talker: Type.Union(TALKER_ROLES.map((role) => Type.Literal(role))),
  target: TalkbackTargetSchema,
  session: MediaSessionSchema,
};

export const TalkbackCallDeliverySchema = Type.Object(
  { type: Type.Literal('talkback.call'), ...deliveryFields },
  { additionalProperties: false },
);
export type TalkbackCallDelivery = Static<typeof TalkbackCallDeliverySchema>;

export const TalkbackEndDeliverySchema = Type.Object(
  { type: Type.Literal('talkback.end'), ...deliveryFields },
  { additionalProperties: false },
);
export type TalkbackEndDelivery = Static<typeof TalkbackEndDeliverySchema>;

/** A talkback signal relayed to its addressee, `from` stamped by the controller. */
export const TalkbackSignalDeliverySchema = Type.Object(
  {
    type: Type.Literal('talkback.signal'),
    eventId: EventIdSchema,
    from: Type.Union([PublisherIdSchema, ReceiverIdSchema]),
    ...signalFields,
  },
  { additionalProperties: false },
);
export type TalkbackSignalDelivery = Static<typeof TalkbackSignalDeliverySchema>;

/** A camera called the director: `from` is the camera's id, stamped by the controller. */
export const CrewCallDeliverySchema = Type.Object(
  { type: Type.Literal('crew.call'), eventId: EventIdSchema, from: PublisherIdSchema },
  { additionalProperties: false },
);
export type CrewCallDelivery = Static<typeof CrewCallDeliverySchema>;

/** Frames a crew page takes only when their `target` names it (or is `all`). */
export const TARGETED_FRAME_TYPES: ReadonlySet<string> = new Set(['talkback.call', 'talkback.end']);
