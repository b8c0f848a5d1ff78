// Direct camera media (no LiveKit): the camera page sends its camera and microphone straight to each page
// that shows it, over browser WebRTC; a commentary seat's page sends its microphone the same way (sound only). These are the signalling frames the controller's event WebSocket
// relays between a camera and a receiving page of the same event; no media ever passes through Node.
//
// A receiver asks a camera for its media (`media.request`), the camera answers with an offer, both sides
// trickle ICE candidates (`media.signal`). The controller stamps `from` itself: a camera signals only as
// the camera its socket belongs to, a receiver only as its own connection.
import { Type, type Static } from '@sinclair/typebox';
import { CameraIdSchema, type Role } from './api.ts';
import { SeatIdSchema } from './commentary.ts';
import { MediaTransportSchema } from './media-transport.ts';
import { EventIdSchema } from './wire.ts';

/**
 * full: the camera's own resolution, for program renderers (the recorder's template).
 * reduced: about 320×180 at a low bitrate, for operator monitors (multiview, preview/program monitors).
 */
export const MediaQualitySchema = Type.Union([Type.Literal('full'), Type.Literal('reduced')]);
export type MediaQuality = Static<typeof MediaQualitySchema>;

/**
 * The roles that may ask a camera for `full` quality: the program renderers (the recorder's and Egress's
 * template) and the admin. Operator pages show cameras as monitors, `reduced`: a graphics key handed to a
 * volunteer cannot make every phone encode its full picture once more for it.
 */
export const FULL_QUALITY_ROLES = ['admin', 'template'] as const;

/** Height a reduced picture is scaled to (scaleResolutionDownBy = source height / this). */
export const REDUCED_HEIGHT_PX = 180;
export const REDUCED_MAX_BITRATE_BPS = 300_000;
/** Ceiling for a full picture: H.264/VP8 at 720p30 looks clean at 2.5 Mbit/s; 1080p gets 4.5. */
export const FULL_MAX_BITRATE_BPS = { 720: 2_500_000, 1080: 4_500_000 } as const;

/**
 * Who a camera keeps a send slot for (the controller tags each request; the page never says which it is):
 * program: a program renderer (the recorder's or Egress's template page, proven by its program pass);
 * monitor: the director's and admin's pages (their program and preview monitors) and the commentators' program
 *   returns (on-air people working from that picture);
 * other: every other receiver (graphics pages, template-key pages that are not the renderer).
 */
export const MediaSlotClassSchema = Type.Union([
  Type.Literal('program'),
  Type.Literal('monitor'),
  Type.Literal('other'),
]);
export type MediaSlotClass = Static<typeof MediaSlotClassSchema>;
/** The roles whose pages get the `monitor` class. */
export const MONITOR_SLOT_ROLES = ['admin', 'director', 'commentary'] as const satisfies readonly Role[];
/**
 * A phone encodes one picture per receiving page. Reserved slots are kept for their class only; the shared
 * ones go to any class, first come. 2 + 2 + 4 = 8 encodes, what a mid-range phone sustains.
 */
export const SEND_SLOTS = { program: 2, monitor: 2, shared: 4 } as const;
export const MAX_SEND_SLOTS = SEND_SLOTS.program + SEND_SLOTS.monitor + SEND_SLOTS.shared;
/**
 * A receiver that has not answered the camera's offer this long after it was sent is dropped and its slot
 * freed: a real page answers within milliseconds (its OFFER_TIMEOUT_MS of 5 s is the same bound from its side).
 */
export const SEND_SLOT_ANSWER_TIMEOUT_MS = 5000;
/** A receiver whose ICE has not connected this long after its request is dropped and its slot freed. */
export const SEND_SLOT_CONNECT_TIMEOUT_MS = 15_000;
/** The program renderer's pass (TEMPLATE_QUERY.programPass on its template URL and its socket's URL). */
export const ProgramPassSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });

/** Why a camera refused or dropped a receiver: no slot of its class free, or no answer in time. */
export const MediaRefusalSchema = Type.Union([Type.Literal('slots-full'), Type.Literal('expired')]);
export type MediaRefusal = Static<typeof MediaRefusalSchema>;

/** A session description is a few KiB; anything near the socket limit is not one. */
export const SIGNAL_SDP_MAX_CHARS = 32 * 1024;
export const SIGNAL_CANDIDATE_MAX_CHARS = 1024;

/** A receiver's signalling identity: the id the controller gives its socket (never chosen by the page). */
export const ReceiverIdSchema = Type.String({ pattern: '^rx-[a-f0-9]{16}$' });
/** Chosen by the receiver per request: frames of an older attempt are told apart from the current one. */
export const MediaSessionSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{8,40}$' });

export const SessionDescriptionSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('offer'), Type.Literal('answer')]),
    sdp: Type.String({ minLength: 1, maxLength: SIGNAL_SDP_MAX_CHARS }),
  },
  { additionalProperties: false },
);
export type SessionDescription = Static<typeof SessionDescriptionSchema>;

export const IceCandidateSchema = Type.Object(
  {
    candidate: Type.String({ maxLength: SIGNAL_CANDIDATE_MAX_CHARS }),
    sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
    sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 64 }), Type.Null()])),
    usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type IceCandidate = Static<typeof IceCandidateSchema>;

/** One of ICE_SERVERS (RTCIceServer): STUN/TURN for networks where host candidates do not reach. */
export const IceServerSchema = Type.Object(
  {
    urls: Type.Union([
      Type.String({ pattern: '^(stuns?|turns?):' }),
      Type.Array(Type.String({ pattern: '^(stuns?|turns?):' }), { minItems: 1 }),
    ]),
    username: Type.Optional(Type.String()),
    credential: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type IceServer = Static<typeof IceServerSchema>;
export const IceServersSchema = Type.Array(IceServerSchema);

// ---- Client → controller ----------------------------------------------------------------------

/**
 * A page that sends media: a camera (picture and sound), or a commentary seat (its microphone only: its
 * offers carry no video, see offersVideo). Frames name it in their `camera` field either way.
 */
export const PublisherIdSchema = Type.Union([CameraIdSchema, SeatIdSchema]);
/** A publisher or a receiving page: who a signal is addressed to or comes from. */
const PeerIdSchema = Type.Union([CameraIdSchema, SeatIdSchema, ReceiverIdSchema]);

/** Publisher ids start so (`cam-…`, `seat-…`); receiver ids with `rx-`. */
export function isPublisherId(id: string): boolean {
  return id.startsWith('cam-') || id.startsWith('seat-');
}

/** Whether a session description asks for a video stream (an `m=video` section): a seat may send none. */
export function offersVideo(sdp: string): boolean {
  return /^m=video /m.test(sdp);
}

/** What a request says, as the receiver sends it and as the camera gets it. */
const requestFields = { session: MediaSessionSchema, quality: MediaQualitySchema };
/** What a signal says, as its sender sends it and as its addressee gets it (talkback.ts signals alike). */
export const signalFields = {
  to: PeerIdSchema,
  session: MediaSessionSchema,
  description: Type.Optional(SessionDescriptionSchema),
  /** null: the sender has gathered all its candidates. */
  candidate: Type.Optional(Type.Union([IceCandidateSchema, Type.Null()])),
};

/**
 * A receiving page asks a camera (or a commentary seat) for its media (again, after a failure: a new
 * session). A seat ignores `quality`: it has one sound.
 */
export const MediaRequestMessageSchema = Type.Object(
  { type: Type.Literal('media.request'), camera: PublisherIdSchema, ...requestFields },
  { additionalProperties: false },
);
export type MediaRequestMessage = Static<typeof MediaRequestMessageSchema>;

/** An offer/answer or ICE candidate for one session; `to` is a camera id or a receiver id. */
export const MediaSignalMessageSchema = Type.Object(
  { type: Type.Literal('media.signal'), ...signalFields },
  { additionalProperties: false },
);
export type MediaSignalMessage = Static<typeof MediaSignalMessageSchema>;

/** A camera tells a receiver it has no slot for it (or dropped it): the receiver asks again later. */
export const MediaRefusedMessageSchema = Type.Object(
  {
    type: Type.Literal('media.refused'),
    to: ReceiverIdSchema,
    session: MediaSessionSchema,
    reason: MediaRefusalSchema,
  },
  { additionalProperties: false },
);
export type MediaRefusedMessage = Static<typeof MediaRefusedMessageSchema>;

// ---- Controller → client ----------------------------------------------------------------------

/** Sent on connect to pages that send or show camera media: the transport and the ICE servers to use. */
export const MediaConfigMessageSchema = Type.Object(
  {
    type: Type.Literal('media.config'),
    eventId: EventIdSchema,
    transport: MediaTransportSchema,
    iceServers: IceServersSchema,
  },
  { additionalProperties: false },
);
export type MediaConfigMessage = Static<typeof MediaConfigMessageSchema>;

/**
 * A direct camera's page connected to the controller (online) or went away: receivers ask it for its
 * media at once instead of waiting for their retry, or show its slate.
 */
export const MediaCameraMessageSchema = Type.Object(
  { type: Type.Literal('media.camera'), eventId: EventIdSchema, camera: PublisherIdSchema, online: Type.Boolean() },
  { additionalProperties: false },
);
export type MediaCameraMessage = Static<typeof MediaCameraMessageSchema>;

/** A request relayed to the camera, with the receiver's id as the controller knows it. */
export const MediaRequestDeliveryMessageSchema = Type.Object(
  {
    type: Type.Literal('media.request'),
    eventId: EventIdSchema,
    to: PublisherIdSchema,
    from: ReceiverIdSchema,
    ...requestFields,
    /** Set by the controller from the receiver's key (and pass): which of the camera's slots it may take. */
    slot: MediaSlotClassSchema,
  },
  { additionalProperties: false },
);
export type MediaRequestDelivery = Static<typeof MediaRequestDeliveryMessageSchema>;

/** A signal relayed to its addressee, `from` stamped by the controller. */
export const MediaSignalDeliveryMessageSchema = Type.Object(
  { type: Type.Literal('media.signal'), eventId: EventIdSchema, from: PeerIdSchema, ...signalFields },
  { additionalProperties: false },
);
export type MediaSignalDelivery = Static<typeof MediaSignalDeliveryMessageSchema>;

/** A camera's refusal relayed to the receiver, `from` stamped by the controller. */
export const MediaRefusedDeliveryMessageSchema = Type.Object(
  {
    type: Type.Literal('media.refused'),
    eventId: EventIdSchema,
    from: PublisherIdSchema,
    to: ReceiverIdSchema,
    session: MediaSessionSchema,
    reason: MediaRefusalSchema,
  },
  { additionalProperties: false },
);
export type MediaRefusedDelivery = Static<typeof MediaRefusedDeliveryMessageSchema>;

/** Frames relayed to one socket only (their `to`), never to the whole event (camera.control: camera-controls.ts). */
export const ADDRESSED_FRAME_TYPES: ReadonlySet<string> = new Set([
  'media.request',
  'media.signal',
  'media.refused',
  'camera.control',
  'talkback.signal',
]);
