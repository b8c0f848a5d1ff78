// Realtime wire messages: the controller's WebSocket and LiveKit data messages carry the same frames.
import { Type, type Static } from '@sinclair/typebox';
import { CommandSchema } from './commands.ts';
import { ProgramStateSchema } from './state.ts';

/** LiveKit data message topic for program state (RoomServiceClient.sendData → RoomEvent.DataReceived). */
export const PROGRAM_TOPIC = 'pitchside.program';

export const EventIdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'Event id.' });

/** A full program state at a revision: receivers keep the highest revision they have seen. */
export const StateMessageSchema = Type.Object(
  {
    type: Type.Literal('state'),
    eventId: EventIdSchema,
    state: ProgramStateSchema,
    /** The sender's server time when it sent the frame, for clock-offset estimates. */
    serverTime: Type.Number(),
  },
  { additionalProperties: false },
);
export type StateMessage = Static<typeof StateMessageSchema>;

export const PongMessageSchema = Type.Object(
  { type: Type.Literal('pong'), clientTime: Type.Number(), serverTime: Type.Number() },
  { additionalProperties: false },
);
export type PongMessage = Static<typeof PongMessageSchema>;

export const ErrorMessageSchema = Type.Object(
  { type: Type.Literal('error'), code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type ErrorMessage = Static<typeof ErrorMessageSchema>;

export const PingMessageSchema = Type.Object(
  { type: Type.Literal('ping'), clientTime: Type.Number() },
  { additionalProperties: false },
);
export type PingMessage = Static<typeof PingMessageSchema>;

/** A command sent over the socket; `id` comes back in the `result` frame. */
export const CommandMessageSchema = Type.Object(
  { type: Type.Literal('command'), id: Type.String({ maxLength: 64 }), command: CommandSchema },
  { additionalProperties: false },
);
export type CommandMessage = Static<typeof CommandMessageSchema>;
