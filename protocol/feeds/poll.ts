// Polling a JSON URL (a league's live feed): every `intervalSeconds` the controller fetches `url` and reads the
// values the `pointers` name (JSON pointers, RFC 6901) into feed fields of the target names, which the event's
// mapping then places like any packet's (`home.score`, `clock.ms`, …, or free-form names). Requests follow the
// outbound rules of media URLs (no private or loopback address unless allowed), with size and time limits.
import { Type, type Static } from '@sinclair/typebox';
import { FeedFieldNameSchema, type FeedFieldValue, type FeedFields } from '../feed-state.ts';
import type { FeedPacket } from '../feed-packet.ts';

export const POLL_MIN_INTERVAL_SECONDS = 1;
export const POLL_MAX_INTERVAL_SECONDS = 3600;
/** A live-score document is a few KiB; anything past this is not one. */
export const POLL_MAX_BYTES = 256 * 1024;
/** A request that has not answered in full by then is dropped (the next interval tries again). */
export const POLL_TIMEOUT_MS = 5000;
export const MAX_POLL_POINTERS = 64;

export const JsonPointerSchema = Type.String({ pattern: '^(/([^~/]|~[01])*)*$', maxLength: 256 });

export const PollSourceSchema = Type.Object(
  {
    kind: Type.Literal('poll'),
    /** http(s) only, and no `user:password@` (a login belongs in the query the league gives, if anywhere). */
    url: Type.String({ pattern: '^https?://[^/?#@\\s]+([/?#]\\S*)?$', maxLength: 2048 }),
    intervalSeconds: Type.Integer({ minimum: POLL_MIN_INTERVAL_SECONDS, maximum: POLL_MAX_INTERVAL_SECONDS }),
    /** JSON pointer into the document → the feed field it becomes. */
    pointers: Type.Record(JsonPointerSchema, FeedFieldNameSchema, {
      maxProperties: MAX_POLL_POINTERS,
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
);
export type PollSource = Static<typeof PollSourceSchema>;

/** The value a JSON pointer names in a document, undefined when there is none. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let value: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(token)) value = value[Number(token)];
    else if (value !== null && typeof value === 'object' && Object.hasOwn(value, token))
      value = (value as Record<string, unknown>)[token];
    else return undefined;
  }
  return value;
}

/** A polled document as a feed packet: each pointer's value (a string, number, boolean or null) as its field. */
export function pollPacket(document: unknown, pointers: PollSource['pointers']): FeedPacket {
  const fields: FeedFields = {};
  for (const [pointer, field] of Object.entries(pointers)) {
    const value = resolvePointer(document, pointer);
    if (isFieldValue(value)) fields[field] = typeof value === 'string' ? value.slice(0, 200) : value;
  }
  return { fields };
}

function isFieldValue(value: unknown): value is FeedFieldValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
