// Match data from outside (issue 24 §2): a scoring app's JSON push, a venue scoreboard controller, a polled
// league feed. Each arrives as a FeedPacket; the event's mapping turns its free-form fields into scorebug,
// clock and period values (mapFeedPacket), and the result goes through the reducer as a `feed.update` command,
// revisioned and logged like an operator's. See docs/data-feeds.md.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_CLOCK_MS } from './state.ts';
import {
  FeedFieldNameSchema,
  FeedKindSchema,
  FeedTargetSchema,
  type FeedFields,
  type FeedFieldValue,
} from './feed-state.ts';
import { FeedPacketSchema, type FeedPacket } from './feed-packet.ts';
import { DaktronicsSourceSchema } from './feeds/daktronics.ts';
import { PollSourceSchema } from './feeds/poll.ts';

/** The role of an event's feed key: it may post feed packets to its event, and nothing else. */
export const FEED_ROLE = 'feed';
/** Who may post feed packets: the feed's own key, and the operators who could set the same values by hand. */
export const FEED_SENDER_ROLES = ['admin', 'director', FEED_ROLE] as const;
/** Who sets the feed up (its key, source, mapping and staleness) in the console. */
export const FEED_MANAGER_ROLES = ['admin', 'director'] as const;

/** Where a mapped field goes: a scorebug or clock value, or (any other name) a free-form field of that name. */
export const FEED_MAPPING_TARGETS = ['home.score', 'away.score', 'period', 'clock.ms', 'clock.running'] as const;
export const MAX_FEED_MAPPINGS = 64;
export const FeedMappingSchema = Type.Record(FeedFieldNameSchema, FeedFieldNameSchema, {
  maxProperties: MAX_FEED_MAPPINGS,
  additionalProperties: false,
  description: 'Feed field name → "home.score", "away.score", "period", "clock.ms", "clock.running" or a new name.',
});
export type FeedMapping = Static<typeof FeedMappingSchema>;

const IfRevision = Type.Optional(Type.Integer({ minimum: 0 }));

/** A packet after mapping, from a feed of `kind`: the controller commits it; the reducer owns the rest. */
export const FeedUpdateSchema = Type.Object(
  { type: Type.Literal('feed.update'), kind: FeedKindSchema, ...FeedPacketSchema.properties, ifRevision: IfRevision },
  { additionalProperties: false },
);
/** No packet for the feed's staleAfterMs: committed by the controller's watchdog (a no-op if one came since). */
export const FeedStaleSchema = Type.Object(
  { type: Type.Literal('feed.stale'), ifRevision: IfRevision },
  { additionalProperties: false },
);
/** The graphics operator takes a field back by hand: the feed's values for it are ignored until released. */
export const FeedOverrideSchema = Type.Object(
  { type: Type.Literal('feed.override'), field: FeedTargetSchema, ifRevision: IfRevision },
  { additionalProperties: false },
);
/** The field follows the feed again, from the feed's last value at once. */
export const FeedReleaseSchema = Type.Object(
  { type: Type.Literal('feed.release'), field: FeedTargetSchema, ifRevision: IfRevision },
  { additionalProperties: false },
);
export const FEED_STALE_MIN_MS = 1000;
export const FEED_STALE_MAX_MS = 3_600_000;
export const FeedConfigureSchema = Type.Object(
  {
    type: Type.Literal('feed.configure'),
    staleAfterMs: Type.Integer({ minimum: FEED_STALE_MIN_MS, maximum: FEED_STALE_MAX_MS }),
    ifRevision: IfRevision,
  },
  { additionalProperties: false },
);
export const FEED_COMMAND_SCHEMAS = [
  FeedUpdateSchema,
  FeedStaleSchema,
  FeedOverrideSchema,
  FeedReleaseSchema,
  FeedConfigureSchema,
] as const;
export type FeedUpdate = Static<typeof FeedUpdateSchema>;
export type FeedCommand = Static<(typeof FEED_COMMAND_SCHEMAS)[number]>;

export interface FeedMappingError {
  /** JSON pointer into the packet. */
  field: string;
  message: string;
}

/**
 * A packet as the reducer takes it: each free-form field the mapping names goes to its target (an explicit
 * `home`, `away`, `period` or `clock` in the packet wins over a mapped one), the others keep their (new) name.
 */
export function mapFeedPacket(
  packet: FeedPacket,
  mapping: FeedMapping,
): { ok: true; packet: FeedPacket } | { ok: false; error: FeedMappingError } {
  const out: FeedPacket = { ...packet };
  const fields: FeedFields = {};
  const clock: { ms?: number; running?: boolean } = { ...packet.clock };
  for (const [name, value] of Object.entries(packet.fields ?? {})) {
    const target = mapping[name] ?? name;
    const pointer = `/fields/${name}`;
    const mapped = mappedValue(target, value);
    if (mapped === undefined) {
      fields[target] = value;
      continue;
    }
    if (!mapped.ok) return { ok: false, error: { field: pointer, message: `${mapped.message} (mapped to ${target})` } };
    const v = mapped.value;
    if (target === 'home.score' || target === 'away.score') {
      const side = target === 'home.score' ? 'home' : 'away';
      out[side] = { score: packet[side]?.score ?? (v as number) };
    } else if (target === 'period') out.period = packet.period ?? (v as string);
    else if (target === 'clock.ms') clock.ms = packet.clock?.ms ?? (v as number);
    else clock.running = packet.clock?.running ?? (v as boolean);
  }
  if (clock.ms !== undefined || clock.running !== undefined) out.clock = clock;
  if (packet.fields !== undefined) out.fields = fields;
  return { ok: true, packet: out };
}

type Mapped = { ok: true; value: string | number | boolean } | { ok: false; message: string };

/** A free-form value as its target needs it, undefined when the target is a free-form field. */
function mappedValue(target: string, value: FeedFieldValue): Mapped | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  switch (target) {
    case 'home.score':
    case 'away.score':
      return Number.isInteger(number) && number >= 0 && number <= 999
        ? { ok: true, value: number }
        : { ok: false, message: 'must be a whole number from 0 to 999' };
    case 'clock.ms':
      return Number.isInteger(number) && number >= 0 && number <= MAX_CLOCK_MS
        ? { ok: true, value: number }
        : { ok: false, message: `must be a whole number of ms from 0 to ${MAX_CLOCK_MS}` };
    case 'period':
      return (typeof value === 'string' || typeof value === 'number') && String(value).length <= 12
        ? { ok: true, value: String(value) }
        : { ok: false, message: 'must be a text of at most 12 characters' };
    case 'clock.running':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: 'must be true or false' };
    default:
      return undefined;
  }
}

// ---- The event's feed setup (kept beside the event, not in program state: a source's address is operator detail)

/** No source but the push endpoint: whatever posts to it with the feed key. */
export const PushSourceSchema = Type.Object({ kind: Type.Literal('push') }, { additionalProperties: false });
/** Every feed kind's source; one line per kind (protocol/feeds/), and an unknown kind is refused. */
export const FeedSourceSchema = Type.Union([PushSourceSchema, DaktronicsSourceSchema, PollSourceSchema]);
export type FeedSource = Static<typeof FeedSourceSchema>;

export const FeedConfigSchema = Type.Object(
  {
    /** No packet for this many seconds: the feed shows as stale on the graphics desk. */
    staleAfterSeconds: Type.Integer({ minimum: FEED_STALE_MIN_MS / 1000, maximum: FEED_STALE_MAX_MS / 1000 }),
    mapping: FeedMappingSchema,
    source: FeedSourceSchema,
  },
  { additionalProperties: false },
);
export type FeedConfig = Static<typeof FeedConfigSchema>;
export const FeedConfigPatchSchema = Type.Partial(FeedConfigSchema, { additionalProperties: false, minProperties: 1 });
export type FeedConfigPatch = Static<typeof FeedConfigPatchSchema>;
export const DEFAULT_FEED_CONFIG: FeedConfig = { staleAfterSeconds: 10, mapping: {}, source: { kind: 'push' } };

/** The event's feed key as the console shows it (to the feed managers only). */
export const FeedKeySchema = Type.Object(
  { key: Type.String(), keyId: Type.String(), createdAt: Type.Number() },
  { additionalProperties: false },
);
export type FeedKey = Static<typeof FeedKeySchema>;
export const FeedKeyResponseSchema = Type.Object({ key: Type.Union([FeedKeySchema, Type.Null()]) });
