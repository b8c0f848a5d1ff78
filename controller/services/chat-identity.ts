// Chat identities are issued by the server (protocol/chat.ts ChatTicketSchema): a fresh session for a
// connection that offers no valid ticket, the ticket's session for one that does — but only for the event,
// client address and key it was issued to, and only while it is fresh. The address travels as a keyed
// tag, so neither a ticket nor a stored chat message holds a viewer's IP address.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { CHAT_TICKET_PROTOCOL_PREFIX, CHAT_TICKET_TTL_MS, parse } from '../../protocol/index.ts';

/** Who is chatting, as the limits and blocks count them. */
export interface ChatIdentity {
  session: string;
  /** The signed ticket that resumes `session` on the next connection. */
  ticket: string;
  /** When the session was first issued (a ticket keeps it): blocks of its address count from then on. */
  issuedAt: number;
  /** The client address (an IPv6 /64), as a keyed tag of the event's. */
  addressTag: string;
  /** The key's id: the viewer key is shared by the whole audience. */
  keyId: string;
}

export interface ChatConnection {
  eventId: string;
  /** The rate-limit identity of the client address (auth.ts rateLimitKey). */
  address: string;
  keyId: string;
  /** The Sec-WebSocket-Protocol header the socket was opened with (it carries the ticket, if any). */
  protocols: string | undefined;
}

const TicketPayloadSchema = Type.Object({
  e: Type.String(),
  s: Type.String({ pattern: '^[a-f0-9]{16}$' }),
  a: Type.String(),
  k: Type.String(),
  t: Type.Number(),
  i: Type.Number(),
});

export class ChatIdentities {
  readonly #secret: Buffer;

  /** `secret`: shared by every controller process (derived from the admin key), never sent anywhere. */
  constructor(secret: string) {
    this.#secret = createHash('sha256').update(`pitchside chat tickets\n${secret}`).digest();
  }

  /** The connection's identity: the ticket's session when the ticket is valid for it, else a new one. */
  identify(connection: ChatConnection, now: number = Date.now()): ChatIdentity {
    const addressTag = this.#mac(`address\n${connection.eventId}\n${connection.address}`).slice(0, 16);
    const resumed = this.#verify(ticketOf(connection.protocols), connection, addressTag, now);
    const { session, issuedAt } = resumed ?? { session: randomBytes(8).toString('hex'), issuedAt: now };
    const payload = { e: connection.eventId, s: session, a: addressTag, k: connection.keyId, t: now, i: issuedAt };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { session, ticket: `${body}.${this.#mac(body)}`, issuedAt, addressTag, keyId: connection.keyId };
  }

  #verify(
    ticket: string | null,
    connection: ChatConnection,
    addressTag: string,
    now: number,
  ): { session: string; issuedAt: number } | null {
    if (ticket === null) return null;
    const [body, signature] = ticket.split('.') as [string, string | undefined];
    if (signature === undefined) return null;
    const expected = Buffer.from(this.#mac(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const payload = parse(TicketPayloadSchema, value);
    if (!payload.ok) return null;
    const { e, s, a, k, t, i } = payload.value;
    const fresh = t <= now && now - t < CHAT_TICKET_TTL_MS;
    return e === connection.eventId && a === addressTag && k === connection.keyId && fresh
      ? { session: s, issuedAt: i }
      : null;
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#secret).update(text).digest('base64url');
  }
}

/** The ticket among the offered subprotocols (comma-separated in the header), if any. */
function ticketOf(protocols: string | undefined): string | null {
  for (const offered of (protocols ?? '').split(',')) {
    const protocol = offered.trim();
    if (protocol.startsWith(CHAT_TICKET_PROTOCOL_PREFIX)) return protocol.slice(CHAT_TICKET_PROTOCOL_PREFIX.length);
  }
  return null;
}
