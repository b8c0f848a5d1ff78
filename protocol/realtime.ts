// Controller → client WebSocket frames beyond `state`/`pong` (see wire.ts). Clients ignore frame types
// they do not know, so a new frame type is never a breaking change.
import { Type, type Static } from '@sinclair/typebox';
import { CameraSchema, DestinationViewSchema, EventLogEntrySchema, PresenceSchema } from './api.ts';
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

/** Frames this file and wire.ts define; other components (e.g. jobs) add their own `type`s. */
export const ServerMessageSchema = Type.Union([
  StateMessageSchema,
  PongMessageSchema,
  ErrorMessageSchema,
  CamerasMessageSchema,
  DestinationsMessageSchema,
  LogMessageSchema,
  PresenceMessageSchema,
  ResultMessageSchema,
]);
export type ServerMessage = Static<typeof ServerMessageSchema>;

/** Any frame the relay carries: the known ones, or another component's `{ type, eventId, … }`. */
export interface RelayFrame {
  type: string;
  eventId: string;
  [field: string]: unknown;
}

export const ClientMessageSchema = Type.Union([PingMessageSchema, CommandMessageSchema]);
export type ClientMessage = Static<typeof ClientMessageSchema>;

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
