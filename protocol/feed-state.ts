// What a data feed (data-feed.ts) leaves in program state: which scorebug and clock fields it owns, which the
// graphics operator has taken back by hand, its last values (so a released field returns to the feed's value at
// once), whether it is stale, and its free-form fields (the data OGraf graphics will read).
import { Type, type Static } from '@sinclair/typebox';

/** The program fields a feed can drive; anything else it sends is a free-form field. */
export const FEED_TARGETS = ['home.score', 'away.score', 'period', 'clock'] as const;
export const FeedTargetSchema = Type.Union(FEED_TARGETS.map((t) => Type.Literal(t)));
export type FeedTarget = Static<typeof FeedTargetSchema>;

/** Where a feed's data comes from: the JSON push endpoint, a venue scoreboard controller, a polled URL. */
export const FEED_KINDS = ['push', 'daktronics', 'poll'] as const;
export const FeedKindSchema = Type.Union(FEED_KINDS.map((k) => Type.Literal(k)));
export type FeedKind = Static<typeof FeedKindSchema>;

export const FeedFieldNameSchema = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
  description: 'Letters, digits, "_", "." and "-", at most 64 characters.',
});
export const FeedFieldValueSchema = Type.Union([
  Type.String({ maxLength: 200 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
]);
export type FeedFieldValue = Static<typeof FeedFieldValueSchema>;
/** Free-form fields a feed may keep in state: enough for a line-up or a stats graphic, not a database. */
export const MAX_FEED_FIELDS = 64;
export const FeedFieldsSchema = Type.Record(FeedFieldNameSchema, FeedFieldValueSchema, {
  maxProperties: MAX_FEED_FIELDS,
  additionalProperties: false,
});
export type FeedFields = Static<typeof FeedFieldsSchema>;

/** A feed's clock as it last said it: `ms` at server time `at`, running or not (the game clock's own model). */
export const FeedClockSchema = Type.Object(
  { ms: Type.Integer({ minimum: 0 }), running: Type.Boolean(), at: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
);
export type FeedClock = Static<typeof FeedClockSchema>;

export const FeedValuesSchema = Type.Object(
  {
    'home.score': Type.Optional(Type.Integer({ minimum: 0 })),
    'away.score': Type.Optional(Type.Integer({ minimum: 0 })),
    period: Type.Optional(Type.String({ maxLength: 12 })),
    clock: Type.Optional(FeedClockSchema),
  },
  { additionalProperties: false },
);
export type FeedValues = Static<typeof FeedValuesSchema>;

export const FeedStateSchema = Type.Object(
  {
    /** The kind of the last packet's source. */
    kind: Type.Union([FeedKindSchema, Type.Null()]),
    /** Server time of the last packet (kept to the second while nothing else changes); null: none yet. */
    lastPacketAt: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** No packet for this long: the feed is stale. */
    staleAfterMs: Type.Integer({ minimum: 1000 }),
    stale: Type.Boolean(),
    /** Fields the feed has sent: it drives them unless the operator has taken one back. */
    owned: Type.Array(FeedTargetSchema),
    /** Fields the graphics operator set by hand: the feed's values for them are ignored until released. */
    overridden: Type.Array(FeedTargetSchema),
    values: FeedValuesSchema,
    fields: FeedFieldsSchema,
  },
  { additionalProperties: false },
);
export type FeedState = Static<typeof FeedStateSchema>;
