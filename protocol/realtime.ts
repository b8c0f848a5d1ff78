// The event WebSocket's whole protocol, both directions, in one place: every frame the controller sends
// (`ServerMessage`) and every frame a client sends (`ClientMessage`), which roles receive which frame,
// and the close codes. Both sides read frames through frameCodec (frame-codec.ts): JSON once, the variant
// by its `type`, a typed handler per type.
//
// Adding a frame type (e.g. WebRTC signalling `offer`/`answer`/`ice`, or an OBS status frame):
//   1. Define its schema next to the component that owns it, as `Type.Object({ type: Type.Literal('x.y'),
//      eventId: EventIdSchema, … }, { additionalProperties: false })`; namespace the type (`rtc.offer`).
//   2. Server → client: add the schema to SERVER_MESSAGE_SCHEMAS and its roles to SERVER_MESSAGE_AUDIENCE
//      (the compiler insists on the second). The controller relays a frame PUBLISHed on the realtime
//      channel only when it matches the union, and only to sockets whose role is in the audience; a frame
//      for one recipient (one camera) also sets `FrameRecipient` rules in controller/routes/realtime.ts.
//   3. Client → server: add the schema to CLIENT_MESSAGE_SCHEMAS and a handler in the controller's
//      dispatcher (controller/routes/realtime.ts), which the compiler also insists on.
//   4. Pages register a handler for the new type on the shared client (client/realtime-client.ts).
// Clients ignore types they do not know, so an added server frame never breaks an older page.
import { Type, type Static } from '@sinclair/typebox';
import { CameraSchema, DestinationViewSchema, EventLogEntrySchema, PresenceSchema, ROLES, type Role } from './api.ts';
import { frameCodec } from './frame-codec.ts';
import { ExportStatusMessageSchema, OutputStatusMessageSchema, RerenderStatusMessageSchema } from './jobs.ts';
import { WatchMessageSchema } from './watch.ts';
import {
  CHAT_ROLES,
  ChatBlockMessageSchema,
  ChatDeleteMessageSchema,
  ChatDeletedMessageSchema,
  ChatHistoryMessageSchema,
  ChatPostedMessageSchema,
  ChatSendMessageSchema,
  ChatSettingsMessageSchema,
  ChatSlowModeMessageSchema,
} from './chat.ts';
import { CameraHealthMessageSchema } from './camera-health.ts';
import { CameraControlMessageSchema, CameraDeviceMessageSchema } from './camera-controls.ts';
import { AudioMetersMessageSchema, AudioMetersReportSchema } from './audio-meters.ts';
import { OGrafFaultReportSchema } from './ograf.ts';
import {
  MediaCameraMessageSchema,
  MediaConfigMessageSchema,
  MediaRefusedDeliveryMessageSchema,
  MediaRefusedMessageSchema,
  MediaRequestDeliveryMessageSchema,
  MediaRequestMessageSchema,
  MediaSignalDeliveryMessageSchema,
  MediaSignalMessageSchema,
} from './direct-media.ts';
import {
  CALLED_ROLES,
  CREW_ROLES,
  CrewCallDeliverySchema,
  CrewCallMessageSchema,
  TALKER_ROLES,
  TalkbackCallDeliverySchema,
  TalkbackCallMessageSchema,
  TalkbackEndDeliverySchema,
  TalkbackEndMessageSchema,
  TalkbackSignalDeliverySchema,
  TalkbackSignalMessageSchema,
} from './talkback.ts';
import {
  CommandMessageSchema,
  ErrorMessageSchema,
  EventIdSchema,
  PingMessageSchema,
  PongMessageSchema,
  StateMessageSchema,
} from './wire.ts';

/** The event's cameras, whole list, whenever one joins or changes status. */
export const CamerasMessageSchema = Type.Object(
  { type: Type.Literal('cameras'), eventId: EventIdSchema, cameras: Type.Array(CameraSchema) },
  { additionalProperties: false },
);
export type CamerasMessage = Static<typeof CamerasMessageSchema>;

/** The event's destinations (keys masked), whenever the event is edited. */
export const DestinationsMessageSchema = Type.Object(
  { type: Type.Literal('destinations'), eventId: EventIdSchema, destinations: Type.Array(DestinationViewSchema) },
  { additionalProperties: false },
);
export type DestinationsMessage = Static<typeof DestinationsMessageSchema>;

/** One new event-log entry (camera connect/disconnect, stream and egress status, errors). */
export const LogMessageSchema = Type.Object(
  { type: Type.Literal('log'), eventId: EventIdSchema, entry: EventLogEntrySchema },
  { additionalProperties: false },
);
export type LogMessage = Static<typeof LogMessageSchema>;

export const PresenceMessageSchema = Type.Object(
  { type: Type.Literal('presence'), eventId: EventIdSchema, presence: PresenceSchema },
  { additionalProperties: false },
);
export type PresenceMessage = Static<typeof PresenceMessageSchema>;

/** The answer to a `command` frame, matched by `id`. */
export const ResultMessageSchema = Type.Object(
  {
    type: Type.Literal('result'),
    id: Type.String(),
    ok: Type.Boolean(),
    revision: Type.Optional(Type.Integer()),
    error: Type.Optional(
      Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
    ),
  },
  { additionalProperties: false },
);
export type ResultMessage = Static<typeof ResultMessageSchema>;

/** Every frame the controller sends on the event WebSocket. */
export const SERVER_MESSAGE_SCHEMAS = [
  StateMessageSchema,
  PongMessageSchema,
  ErrorMessageSchema,
  ResultMessageSchema,
  CamerasMessageSchema,
  DestinationsMessageSchema,
  LogMessageSchema,
  PresenceMessageSchema,
  WatchMessageSchema,
  OutputStatusMessageSchema,
  ExportStatusMessageSchema,
  RerenderStatusMessageSchema,
  MediaConfigMessageSchema,
  MediaCameraMessageSchema,
  MediaRequestDeliveryMessageSchema,
  MediaSignalDeliveryMessageSchema,
  MediaRefusedDeliveryMessageSchema,
  ChatHistoryMessageSchema,
  ChatPostedMessageSchema,
  ChatDeletedMessageSchema,
  ChatSettingsMessageSchema,
  AudioMetersMessageSchema,
  CameraControlMessageSchema,
  TalkbackCallDeliverySchema,
  TalkbackEndDeliverySchema,
  TalkbackSignalDeliverySchema,
  CrewCallDeliverySchema,
] as const;
export const ServerMessageSchema = Type.Union([...SERVER_MESSAGE_SCHEMAS]);
export type ServerMessage = Static<typeof ServerMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
/** Server frames that belong to one event (everything but the direct answers), as the relay carries them. */
export type EventFrame = Extract<ServerMessage, { eventId: string }>;

/** Every frame a client sends on the event WebSocket. */
export const CLIENT_MESSAGE_SCHEMAS = [
  PingMessageSchema,
  CommandMessageSchema,
  MediaRequestMessageSchema,
  MediaSignalMessageSchema,
  MediaRefusedMessageSchema,
  CameraHealthMessageSchema,
  ChatSendMessageSchema,
  ChatDeleteMessageSchema,
  ChatSlowModeMessageSchema,
  ChatBlockMessageSchema,
  AudioMetersReportSchema,
  CameraDeviceMessageSchema,
  TalkbackCallMessageSchema,
  TalkbackEndMessageSchema,
  TalkbackSignalMessageSchema,
  CrewCallMessageSchema,
  OGrafFaultReportSchema,
] as const;
export const ClientMessageSchema = Type.Union([...CLIENT_MESSAGE_SCHEMAS]);
export type ClientMessage = Static<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];

export const serverMessages = frameCodec(SERVER_MESSAGE_SCHEMAS);
export const clientMessages = frameCodec(CLIENT_MESSAGE_SCHEMAS);

const OPERATORS = ['admin', 'director'] as const satisfies readonly Role[];
/** Pages that send media over direct signalling: a camera, a commentary seat (its microphone only). */
export const MEDIA_PUBLISHERS = ['camera', 'commentary'] as const satisfies readonly Role[];
/** Pages that show camera pictures (monitors, the program template): direct-media receivers. */
export const MEDIA_RECEIVERS = ['admin', 'director', 'graphics', 'template'] as const satisfies readonly Role[];

/**
 * Which roles receive each server frame. Public keys (viewer, camera, template) and commentary seats see the
 * program state and nothing operational: destinations carry hosts and key tails, job status carries paths and encoder
 * errors, the event log and camera list carry operator detail.
 */
export const SERVER_MESSAGE_AUDIENCE: { readonly [K in ServerMessageType]: readonly Role[] } = {
  state: ROLES,
  // Direct answers to the socket's own ping, command or bad frame.
  pong: ROLES,
  error: ROLES,
  result: ROLES,
  cameras: OPERATORS,
  destinations: OPERATORS,
  log: OPERATORS,
  presence: ['admin', 'director', 'graphics', 'viewer'],
  watch: ['admin', 'director', 'viewer'],
  'job.output': OPERATORS,
  'job.export': OPERATORS,
  'job.rerender': OPERATORS,
  // Direct cameras. Addressed frames (request, signal) also reach only the socket they name.
  'media.config': [...MEDIA_RECEIVERS, ...MEDIA_PUBLISHERS],
  // A seat's page receives the cameras and the other seats too, for its program return.
  'media.camera': [...MEDIA_RECEIVERS, 'commentary'],
  'media.request': MEDIA_PUBLISHERS,
  'media.signal': [...MEDIA_RECEIVERS, ...MEDIA_PUBLISHERS],
  // A seat's page receives too (its program return), under its own receiver id.
  'media.refused': [...MEDIA_RECEIVERS, 'commentary'],
  // Chat beside the Pitchside player; history is the socket's own answer on connect.
  'chat.history': CHAT_ROLES,
  'chat.message': CHAT_ROLES,
  'chat.deleted': CHAT_ROLES,
  'chat.settings': CHAT_ROLES,
  // The program's meters, as the output renderer measured them: for the people who run the sound and the
  // graphics desk's master meter. Not for viewers, cameras or the renderers themselves.
  'audio.meters': ['admin', 'director', 'graphics'],
  // The director's lens controls, addressed to one camera (ADDRESSED_FRAME_TYPES).
  'camera.control': ['camera'],
  // Talkback (talkback.ts): between the talkers' and the crew's pages only. Never a program renderer or a
  // viewer, so the voice cannot reach the program, a recording or the HLS output.
  'talkback.call': CREW_ROLES,
  'talkback.end': CREW_ROLES,
  'talkback.signal': [...TALKER_ROLES, ...CREW_ROLES],
  'crew.call': CALLED_ROLES,
};

export function mayReceive(role: Role, type: ServerMessageType): boolean {
  return SERVER_MESSAGE_AUDIENCE[type].includes(role);
}

/**
 * Close codes of the event WebSocket (4000–4999 are the application's). After a final code the client
 * stops reconnecting and tells the person why; after the others it reconnects with backoff.
 */
export const WS_CLOSE = {
  /** The client heard nothing for too long (it closes the dead link itself and reconnects). */
  SILENT: 4000,
  /** The server's pings went unanswered. */
  DEAD: 4001,
  /** The client did not read its frames fast enough (send buffer over the bound): reconnect for a snapshot. */
  SLOW: 4002,
  /**
   * The client sent more than WS_FRAME_BUDGET allows: its address may open no socket for WS_FLOOD_COOLDOWN_MS,
   * then reconnects with backoff. Also the obs-websocket door's code for the same (outside its own 4000–4012,
   * as is TOO_MANY).
   */
  OVER_BUDGET: 4420,
  /** The key is not valid, or was rotated or revoked while connected. */
  UNAUTHORIZED: 4401,
  /** The key's role may not open this socket (or it is another event's key). */
  FORBIDDEN: 4403,
  /** The event does not exist or was deleted. */
  NOT_FOUND: 4404,
  /** Too many sockets from this address or with this key: retry later. */
  TOO_MANY: 4429,
  /** The server is shutting down or failed: retry. */
  SERVER_ERROR: 1011,
} as const;

/**
 * What one connection may send, on the event WebSocket and the obs-websocket door alike: a token bucket of
 * frames and one of bytes, checked before a frame is decoded (so before any Redis work). Generous for a
 * director hammering hotkeys (a take is one frame), a camera's ICE burst, the template's 10 Hz meter frames
 * and a control surface's polling; a hostile script on the public viewer key is cut off within a second.
 */
export const WS_FRAME_BUDGET = {
  /** Sustained frames per second. */
  framesPerSecond: 40,
  /** Frames sent at once after a quiet spell. */
  burstFrames: 120,
  bytesPerSecond: 128 * 1024,
  /** At least one frame of the largest accepted size (64 KiB) fits. */
  burstBytes: 512 * 1024,
} as const;
export type FrameBudgetLimits = { readonly [K in keyof typeof WS_FRAME_BUDGET]: number };

/**
 * After a socket is closed for going over its budget, its address (an IPv6 /64) may open no other socket
 * (either door) for this long: reconnecting must not buy a fresh burst every few milliseconds.
 */
export const WS_FLOOD_COOLDOWN_MS = 10_000;

export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  WS_CLOSE.UNAUTHORIZED,
  WS_CLOSE.FORBIDDEN,
  WS_CLOSE.NOT_FOUND,
]);

/**
 * Keys that stopped working, published by the process that revoked them (rotation, camera removal, event
 * deletion) on the revocation channel: every controller process closes its sockets authenticated by
 * one of `keyIds` of the event (`all`: every socket of the event).
 */
export const KeyRevocationSchema = Type.Union([
  Type.Object(
    { eventId: EventIdSchema, keyIds: Type.Array(Type.String(), { minItems: 1 }) },
    { additionalProperties: false },
  ),
  Type.Object({ eventId: EventIdSchema, all: Type.Literal(true) }, { additionalProperties: false }),
]);
export type KeyRevocation = Static<typeof KeyRevocationSchema>;
