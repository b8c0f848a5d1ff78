// Live chat beside the Pitchside player, over the event WebSocket: viewers pick a name and send text;
// directors and admins moderate (delete a message, slow mode, block a viewer session). Text only: pages
// render it with textContent, never as markup. Limits are named here so the page can say them.
import { oneLineText } from './user-text.ts';
import { Type, type Static } from '@sinclair/typebox';
import { EventIdSchema } from './wire.ts';

export const CHAT_NAME_MAX = 32;
export const CHAT_TEXT_MAX = 300;
/** Messages one session may send per window (whatever the slow mode), checked on every controller. */
export const CHAT_RATE_LIMIT = 5;
/** Messages one client address (an IPv6 /64) may send per window, whatever sessions it holds: a venue's NAT. */
export const CHAT_ADDRESS_RATE_LIMIT = 15;
/** Messages one key may send per window: the viewer key is everyone's, so this is the whole audience's pace. */
export const CHAT_KEY_RATE_LIMIT = 150;
export const CHAT_RATE_WINDOW_MS = 10_000;
/** The chat stream keeps this many messages (XADD MAXLEN ~); a new socket gets the last CHAT_HISTORY. */
export const CHAT_MAX_ENTRIES = 1_000;
export const CHAT_HISTORY = 50;
export const CHAT_SLOW_MODE_MAX_S = 300;

/** One line of text with no control or bidi-formatting characters (user-text.ts), which no page can be tricked into laying out. */
export const ChatNameSchema = oneLineText(CHAT_NAME_MAX);
export const ChatTextSchema = oneLineText(CHAT_TEXT_MAX);
/**
 * A chat session as others see it: issued by the server, never chosen by the client, so a moderator can
 * block it and nobody can speak as another.
 */
export const ChatSessionSchema = Type.String({ pattern: '^[a-f0-9]{16}$' });
/**
 * The server's signed proof of a session (`payload.signature`, base64url), bound to the event, the client's
 * address and its key. The page keeps it and offers it on the next connection as a WebSocket subprotocol
 * (CHAT_TICKET_PROTOCOL_PREFIX + ticket): a header, so it never reaches an access log as a query would.
 */
export const ChatTicketSchema = Type.String({ pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', maxLength: 512 });
export const CHAT_TICKET_PROTOCOL_PREFIX = 'pitchside.chat.';
/** Offered first beside a ticket: the subprotocol the server selects (a browser needs one selected). */
export const EVENT_SOCKET_PROTOCOL = 'pitchside';
/**
 * After a block, sessions the blocked one's address is issued for this long are blocked too (a reconnect
 * without the ticket is no way back in); sessions it held before the block (a venue's other viewers behind
 * the same NAT) are not.
 */
export const CHAT_ADDRESS_BLOCK_MS = 30 * 60 * 1000;
/** How long a ticket resumes its session; after it the server issues a new session. */
export const CHAT_TICKET_TTL_MS = 24 * 60 * 60 * 1000;

export const ChatEntrySchema = Type.Object(
  {
    /** The Redis stream entry id: unique, in order. */
    id: Type.String({ pattern: '^\\d+-\\d+$' }),
    at: Type.Number(),
    session: ChatSessionSchema,
    name: ChatNameSchema,
    text: ChatTextSchema,
    /** Operators' messages are marked as such. */
    role: Type.Union([Type.Literal('viewer'), Type.Literal('director'), Type.Literal('admin')]),
  },
  { additionalProperties: false },
);
export type ChatEntry = Static<typeof ChatEntrySchema>;

export const ChatSettingsSchema = Type.Object(
  { slowModeSeconds: Type.Integer({ minimum: 0, maximum: CHAT_SLOW_MODE_MAX_S }) },
  { additionalProperties: false },
);
export type ChatSettings = Static<typeof ChatSettingsSchema>;

// ---- Server → client ---------------------------------------------------------------------------

/** On connect: the last messages, the settings, and who this socket is (its session; may it moderate). */
export const ChatHistoryMessageSchema = Type.Object(
  {
    type: Type.Literal('chat.history'),
    eventId: EventIdSchema,
    messages: Type.Array(ChatEntrySchema),
    settings: ChatSettingsSchema,
    session: ChatSessionSchema,
    /** Offer it on the next connection to keep this session (see ChatTicketSchema). */
    ticket: ChatTicketSchema,
    moderator: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ChatHistoryMessage = Static<typeof ChatHistoryMessageSchema>;

export const ChatPostedMessageSchema = Type.Object(
  { type: Type.Literal('chat.message'), eventId: EventIdSchema, message: ChatEntrySchema },
  { additionalProperties: false },
);
export type ChatPostedMessage = Static<typeof ChatPostedMessageSchema>;

/** Messages a moderator removed (one, or all of a blocked session's). */
export const ChatDeletedMessageSchema = Type.Object(
  { type: Type.Literal('chat.deleted'), eventId: EventIdSchema, ids: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type ChatDeletedMessage = Static<typeof ChatDeletedMessageSchema>;

export const ChatSettingsMessageSchema = Type.Object(
  { type: Type.Literal('chat.settings'), eventId: EventIdSchema, settings: ChatSettingsSchema },
  { additionalProperties: false },
);
export type ChatSettingsMessage = Static<typeof ChatSettingsMessageSchema>;

// ---- Client → server (answered by `result` with the same id) -----------------------------------

export const ChatSendMessageSchema = Type.Object(
  { type: Type.Literal('chat.send'), id: Type.String({ maxLength: 64 }), name: ChatNameSchema, text: ChatTextSchema },
  { additionalProperties: false },
);
export type ChatSendMessage = Static<typeof ChatSendMessageSchema>;

export const ChatDeleteMessageSchema = Type.Object(
  { type: Type.Literal('chat.delete'), id: Type.String({ maxLength: 64 }), message: ChatEntrySchema.properties.id },
  { additionalProperties: false },
);
export type ChatDeleteMessage = Static<typeof ChatDeleteMessageSchema>;

export const ChatSlowModeMessageSchema = Type.Object(
  {
    type: Type.Literal('chat.slow'),
    id: Type.String({ maxLength: 64 }),
    seconds: ChatSettingsSchema.properties.slowModeSeconds,
  },
  { additionalProperties: false },
);
export type ChatSlowModeMessage = Static<typeof ChatSlowModeMessageSchema>;

/**
 * Blocks a session for the rest of the event and deletes its messages; the addresses it posted from are
 * blocked with it, so a reconnect that asks for a new session is still blocked.
 */
export const ChatBlockMessageSchema = Type.Object(
  { type: Type.Literal('chat.block'), id: Type.String({ maxLength: 64 }), session: ChatSessionSchema },
  { additionalProperties: false },
);
export type ChatBlockMessage = Static<typeof ChatBlockMessageSchema>;

/** Roles that read and write the chat, and those that moderate it. */
export const CHAT_ROLES = ['admin', 'director', 'viewer'] as const;
export const CHAT_MODERATORS = ['admin', 'director'] as const;
