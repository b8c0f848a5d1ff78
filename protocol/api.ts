// HTTP API shapes shared by the controller, the operator pages, the worker and tests. Request bodies are
// checked against these at the controller's boundary; responses are built to them.
import { oneLineText } from './user-text.ts';
import { Type, type Static } from '@sinclair/typebox';
import { ColourSchema, ProgramStateSchema, ReplayStateSchema, TransitionSchema } from './state.ts';
import { EventIdSchema } from './wire.ts';
import { MAX_DESTINATIONS } from './jobs.ts';
import {
  DESTINATION_KINDS,
  DestinationIdSchema,
  DestinationLabelSchema,
  HlsDestinationSchema,
  RtmpDestinationSchema,
  SrtPassphraseSchema,
} from './destinations/index.ts';
import { EventChannelsSchema } from './watch.ts';
import { CameraIngressSchema } from './ingress.ts';
import { SportRulesPatchSchema, SportRulesSchema } from './sport-presets.ts';
import { CameraHealthSchema } from './camera-health.ts';
import { CameraDeviceSchema } from './camera-device.ts';
import { MediaTransportSchema } from './media-transport.ts';
import { COMMENTARY_ROLE, SeatIdSchema, SeatSchema } from './commentary.ts';
import { FEED_ROLE } from './data-feed.ts';

export const RoleSchema = Type.Union(
  ['admin', 'director', 'graphics', 'camera', 'viewer', 'template', 'commentary', 'feed'].map((r) =>
    Type.Literal(r),
  ) as [
    ReturnType<typeof Type.Literal<'admin'>>,
    ReturnType<typeof Type.Literal<'director'>>,
    ReturnType<typeof Type.Literal<'graphics'>>,
    ReturnType<typeof Type.Literal<'camera'>>,
    ReturnType<typeof Type.Literal<'viewer'>>,
    ReturnType<typeof Type.Literal<'template'>>,
    ReturnType<typeof Type.Literal<typeof COMMENTARY_ROLE>>,
    ReturnType<typeof Type.Literal<typeof FEED_ROLE>>,
  ],
);
export type Role = Static<typeof RoleSchema>;
/**
 * The roles of people's pages: a route or frame open to "every role" means these. The feed key (FEED_ROLE,
 * data-feed.ts) is a machine's, and may only post feed packets, so it is not among them.
 */
export const ROLES: readonly Role[] = [
  'admin',
  'director',
  'graphics',
  'camera',
  'viewer',
  'template',
  COMMENTARY_ROLE,
];
/**
 * Roles that have one key per event (admin is global). `commentary` is not one: each seat's key is its own
 * (commentary.ts), as is each joined camera's.
 */
export const EVENT_ROLES = ['director', 'graphics', 'camera', 'viewer', 'template'] as const satisfies readonly Role[];
export type EventRole = (typeof EVENT_ROLES)[number];
export const EventRoleSchema = Type.Union(EVENT_ROLES.map((r) => Type.Literal(r)));

export const ApiErrorSchema = Type.Object(
  {
    error: Type.Object({
      /** Machine-readable: INVALID, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, STALE_REVISION, a reducer code, … */
      code: Type.String(),
      message: Type.String(),
      /** JSON pointer of the offending input field, when one is to blame. */
      field: Type.Optional(Type.String()),
    }),
  },
  { description: 'Every error answer.' },
);
export type ApiError = Static<typeof ApiErrorSchema>;

export const StateResponseSchema = Type.Object({ state: ProgramStateSchema, serverTime: Type.Number() });
export type StateResponse = Static<typeof StateResponseSchema>;

export const CommandResponseSchema = Type.Object({ revision: Type.Integer(), state: ProgramStateSchema });
export type CommandResponse = Static<typeof CommandResponseSchema>;

/** 409 answer to a stale `ifRevision`: the current state comes with it so the client can redo its edit. */
export const StaleRevisionResponseSchema = Type.Object({
  error: ApiErrorSchema.properties.error,
  state: ProgramStateSchema,
});

// ---- Events and destinations -------------------------------------------------------------------

// Stored destinations are jobs.ts's `Destination` (the worker reads them with their keys); the API
// takes them with an optional key and only ever shows them masked.

export const DestinationKindSchema = Type.Union(DESTINATION_KINDS.map((k) => Type.Literal(k)));

/** Any kind's server URL; the kind's module checks its scheme and form (protocol/destinations/). */
const ServerUrlSchema = Type.Optional(Type.String({ pattern: '^[a-z]+://\\S+$', maxLength: 1024 }));

/**
 * A destination as a client sends it; which fields a kind takes is its module's to say. On update, a
 * destination that keeps its `id` (and server) and leaves out a secret keeps the stored one: clients
 * never see secrets, so they cannot send them back.
 */
export const DestinationInputSchema = Type.Object(
  {
    id: Type.Optional(DestinationIdSchema),
    kind: DestinationKindSchema,
    label: DestinationLabelSchema,
    /** RTMP kinds (rtmp:// or rtmps://) and `srt` (srt://host:port). */
    serverUrl: ServerUrlSchema,
    /** RTMP kinds: the stream key; `srt`: the stream id. */
    streamKey: Type.Optional(RtmpDestinationSchema.properties.streamKey),
    /** `srt` only; empty turns encryption off. */
    passphrase: Type.Optional(Type.Union([Type.Literal(''), SrtPassphraseSchema])),
    /** `hls` only. */
    dvrWindowSeconds: HlsDestinationSchema.properties.dvrWindowSeconds,
  },
  { additionalProperties: false },
);
export type DestinationInput = Static<typeof DestinationInputSchema>;

/** A destination as any API answer shows it: secrets only as a fingerprint (`••••#1a2b3c`). */
export const DestinationViewSchema = Type.Object(
  {
    id: DestinationIdSchema,
    kind: DestinationKindSchema,
    label: DestinationLabelSchema,
    serverUrl: ServerUrlSchema,
    /** The stream key's (or SRT stream id's) fingerprint. */
    streamKeyMasked: Type.Optional(Type.String()),
    /** `srt`: the passphrase's fingerprint, when it has one. */
    passphraseMasked: Type.Optional(Type.String()),
    dvrWindowSeconds: HlsDestinationSchema.properties.dvrWindowSeconds,
  },
  { additionalProperties: false },
);
export type DestinationView = Static<typeof DestinationViewSchema>;

export const TeamInfoSchema = Type.Object(
  {
    name: oneLineText(40),
    short: Type.Optional(oneLineText(4)),
    colour: Type.Optional(ColourSchema),
  },
  { additionalProperties: false },
);
export type TeamInfo = Static<typeof TeamInfoSchema>;

/** Join codes are read aloud at the pitch: no 0/O or 1/I. */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/**
 * A join code yields a camera key, so guessing one must be hopeless for the life of an event even
 * against many addresses. 32^10 = 2^50 ≈ 1.1e15 codes. The join limit (JOIN_ATTEMPT_LIMIT = 20 per
 * minute per client address, an IPv6 /64 counting as one) lets 10,000 addresses make
 * 20 × 60 × 24 × 30 × 10^4 ≈ 8.6e9 guesses in 30 days: a 7.7e-6 chance of finding one given event, 7.7e-4
 * with 100 events live at once. (Six characters, 2^30 ≈ 1.1e9, fell to 1,000 addresses in about 9 hours.)
 */
export const JOIN_CODE_LENGTH = 10;

export const JoinCodeSchema = Type.String({
  // Events created before codes grew to ten characters keep their six until rotated.
  pattern: '^[A-Z0-9]{6,16}$',
  description: `${JOIN_CODE_LENGTH} characters, A-Z and 2-9 (case-insensitive on input).`,
});

/**
 * Whether the event's self-hosted playback (HLS destinations) and its watch info may be fetched without
 * the viewer key, e.g. a player embedded on the club's site. Off by default: the viewer link is the key.
 */
export const PublicPlaybackSchema = Type.Boolean({
  description: 'HLS playback without the viewer key (an embedded player on a public site).',
});

export const EventCreateSchema = Type.Object(
  {
    /** Left out: derived from the name. */
    id: Type.Optional(EventIdSchema),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    /** A preset id of sport-presets.ts (football, basketball, …) or any other name (custom rules). */
    sport: Type.String({ minLength: 1, maxLength: 40 }),
    /** Overrides of the sport preset's rules, field by field. */
    rules: Type.Optional(SportRulesPatchSchema),
    home: TeamInfoSchema,
    away: TeamInfoSchema,
    destinations: Type.Optional(Type.Array(DestinationInputSchema, { maxItems: MAX_DESTINATIONS })),
    /** Public channel ids for the viewer page's players (never stream keys). */
    channels: Type.Optional(EventChannelsSchema),
    publicPlayback: Type.Optional(PublicPlaybackSchema),
  },
  { additionalProperties: false },
);
export type EventCreate = Static<typeof EventCreateSchema>;

export const EventUpdateSchema = Type.Object(
  {
    name: Type.Optional(EventCreateSchema.properties.name),
    sport: Type.Optional(EventCreateSchema.properties.sport),
    /** Replaces the overrides ({} = the sport preset as it is). */
    rules: Type.Optional(SportRulesPatchSchema),
    home: Type.Optional(TeamInfoSchema),
    away: Type.Optional(TeamInfoSchema),
    /** Replaces the whole list (see DestinationInputSchema for keeping keys). */
    destinations: Type.Optional(Type.Array(DestinationInputSchema, { maxItems: MAX_DESTINATIONS })),
    /** Replaces the public channels ({} clears them). */
    channels: Type.Optional(EventChannelsSchema),
    publicPlayback: Type.Optional(PublicPlaybackSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type EventUpdate = Static<typeof EventUpdateSchema>;

export const EventSchema = Type.Object(
  {
    id: EventIdSchema,
    name: Type.String(),
    sport: Type.String(),
    /** The sport preset with the event's overrides applied. */
    rules: SportRulesSchema,
    /** Just the overrides, as the producer set them. */
    ruleOverrides: SportRulesPatchSchema,
    home: TeamInfoSchema,
    away: TeamInfoSchema,
    joinCode: JoinCodeSchema,
    /** The LiveKit room the event's cameras publish into. */
    room: Type.String(),
    destinations: Type.Array(DestinationViewSchema),
    channels: EventChannelsSchema,
    publicPlayback: PublicPlaybackSchema,
    createdAt: Type.Number(),
    updatedAt: Type.Number(),
  },
  { additionalProperties: false },
);
export type PitchsideEvent = Static<typeof EventSchema>;

// ---- Cameras -----------------------------------------------------------------------------------

export const CameraStatusSchema = Type.Union([
  Type.Literal('registered'),
  Type.Literal('live'),
  Type.Literal('disconnected'),
]);
export type CameraStatus = Static<typeof CameraStatusSchema>;

export const CameraIdSchema = Type.String({ pattern: '^cam-[a-z0-9]{6}$' });

export const CameraSchema = Type.Object(
  {
    /** Also the program source id and the LiveKit participant identity. */
    id: CameraIdSchema,
    label: Type.String(),
    status: CameraStatusSchema,
    joinedAt: Type.Number(),
    lastSeen: Type.Number(),
    /** Set for an RTMP/WHIP camera added by an operator (LiveKit Ingress); its status follows the encoder. */
    ingress: Type.Optional(CameraIngressSchema),
    /** Direct transport only: the link as the camera page last measured it. */
    health: Type.Optional(CameraHealthSchema),
    /** A phone camera's lens controls as its page last reported them (while its page is connected). */
    device: Type.Optional(CameraDeviceSchema),
  },
  { additionalProperties: false },
);
export type Camera = Static<typeof CameraSchema>;

/** How long a LiveKit room token the controller hands out admits (a bound on a leaked or revoked one). */
export const LIVEKIT_TOKEN_TTL_MS = 10 * 60_000;
/** Pages fetch a fresh token this long before theirs runs out (and keep it for reconnecting). */
export const LIVEKIT_TOKEN_REFRESH_BEFORE_MS = 3 * 60_000;
/** However a token's clock reads, a page never asks for another more often than this. */
export const LIVEKIT_TOKEN_MIN_REFRESH_MS = 5_000;

/** When a page holding `token` should fetch the next one, from now (server time, ms). */
export function livekitTokenRefreshDelay(token: { expiresAt: number }, now: number): number {
  return Math.max(LIVEKIT_TOKEN_MIN_REFRESH_MS, token.expiresAt - LIVEKIT_TOKEN_REFRESH_BEFORE_MS - now);
}

export const LiveKitTokenSchema = Type.Object({
  url: Type.String(),
  token: Type.String(),
  room: Type.String(),
  identity: Type.String(),
  /** Server time (ms) the token stops admitting: pages fetch a fresh one before then (see livekitRefreshDelay). */
  expiresAt: Type.Number(),
});
export type LiveKitToken = Static<typeof LiveKitTokenSchema>;

/** What a join code makes: a camera (the default), or a commentary seat (sound only, commentary.ts). */
export const JoinAsSchema = Type.Union([Type.Literal('camera'), Type.Literal('commentary')]);
export type JoinAs = Static<typeof JoinAsSchema>;

export const JoinRequestSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9]{6,16}$' }),
    label: Type.Optional(oneLineText(64)),
    /** Left out: `camera`. The join page offers "Camera" and "Commentary". */
    as: Type.Optional(JoinAsSchema),
  },
  { additionalProperties: false },
);
export type JoinRequest = Static<typeof JoinRequestSchema>;

/** What a join answer carries beside what it made (a camera, or a commentary seat). */
const JOIN_ANSWER_FIELDS = {
  /** The camera's or seat's own key (bound to its id), for the page's later API and WebSocket calls. */
  key: Type.String(),
  /** null when LiveKit is not configured. */
  livekit: Type.Union([LiveKitTokenSchema, Type.Null()]),
  /** livekit: publish into the room with `livekit`; direct: send to the receiving pages over WebRTC. */
  transport: MediaTransportSchema,
};

export const JoinResponseSchema = Type.Object({ eventId: EventIdSchema, camera: CameraSchema, ...JOIN_ANSWER_FIELDS });
export type JoinResponse = Static<typeof JoinResponseSchema>;

/** The answer to a join `as: 'commentary'`: the seat made, and its own key (role `commentary`). */
export const CommentaryJoinResponseSchema = Type.Object({
  eventId: EventIdSchema,
  seat: SeatSchema,
  ...JOIN_ANSWER_FIELDS,
});
export type CommentaryJoinResponse = Static<typeof CommentaryJoinResponseSchema>;

// ---- Keys ---------------------------------------------------------------------------------------

export const RoleKeySchema = Type.Object({
  role: EventRoleSchema,
  key: Type.String(),
  keyId: Type.String(),
  createdAt: Type.Number(),
});
export type RoleKey = Static<typeof RoleKeySchema>;

export const WhoAmISchema = Type.Object({
  role: RoleSchema,
  eventId: Type.Union([EventIdSchema, Type.Null()]),
  keyId: Type.String(),
  /** A camera's own key: the camera it acts as. */
  cameraId: Type.Optional(CameraIdSchema),
  /** A commentary seat's key: the seat it acts as. */
  seatId: Type.Optional(SeatIdSchema),
});
export type WhoAmI = Static<typeof WhoAmISchema>;

// ---- Logs and presence --------------------------------------------------------------------------

export const SwitchLogEntrySchema = Type.Object(
  {
    /** Redis stream id: ms-seq, increasing. */
    id: Type.String(),
    time: Type.Number(),
    revision: Type.Integer(),
    source: Type.String(),
    from: Type.Union([Type.String(), Type.Null()]),
    transition: TransitionSchema,
    /** role:keyId of the caller. */
    who: Type.String(),
    /** A take of the replay source: what it played (clip, speed, start), so a re-render can play it again. */
    replay: Type.Optional(ReplayStateSchema),
  },
  { additionalProperties: false },
);
export type SwitchLogEntry = Static<typeof SwitchLogEntrySchema>;

export const EventLogLevelSchema = Type.Union([Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]);
export type EventLogLevel = Static<typeof EventLogLevelSchema>;

export const EventLogEntrySchema = Type.Object(
  {
    id: Type.String(),
    time: Type.Number(),
    level: EventLogLevelSchema,
    /** Namespaced like commands: camera.connected, camera.live, stream.started, stream.failed, egress.status, error, … */
    kind: Type.String({ maxLength: 64 }),
    message: Type.String({ maxLength: 1000 }),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type EventLogEntry = Static<typeof EventLogEntrySchema>;
export type EventLogInput = Omit<EventLogEntry, 'id' | 'time'> & { time?: number };

export const TimeRangeQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch, inclusive' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch, inclusive' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
export type TimeRangeQuery = Static<typeof TimeRangeQuerySchema>;

export const PresenceSchema = Type.Object({
  /** Open viewer (watch page) connections. */
  viewers: Type.Integer({ minimum: 0 }),
  /** Open connections per panel role. */
  panels: Type.Object({
    admin: Type.Integer({ minimum: 0 }),
    director: Type.Integer({ minimum: 0 }),
    graphics: Type.Integer({ minimum: 0 }),
    camera: Type.Integer({ minimum: 0 }),
    template: Type.Integer({ minimum: 0 }),
    commentary: Type.Integer({ minimum: 0 }),
  }),
});
export type Presence = Static<typeof PresenceSchema>;
