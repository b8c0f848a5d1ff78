// One packet of match data (data-feed.ts): what the push endpoint takes and every feed kind (feeds/) produces.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_CLOCK_MS } from './state.ts';
import { FeedFieldsSchema } from './feed-state.ts';

const ScoreSchema = Type.Integer({ minimum: 0, maximum: 999 });
const SideSchema = Type.Object({ score: Type.Optional(ScoreSchema) }, { additionalProperties: false });
const PeriodSchema = Type.String({ maxLength: 12 });
const FeedClockInputSchema = Type.Object(
  {
    /** The clock's value when the packet is received (server time). */
    ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_CLOCK_MS })),
    running: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** One packet of match data, as POST /api/events/:eventId/feed takes it and every feed kind produces it. */
export const FeedPacketSchema = Type.Object(
  {
    home: Type.Optional(SideSchema),
    away: Type.Optional(SideSchema),
    period: Type.Optional(PeriodSchema),
    clock: Type.Optional(FeedClockInputSchema),
    /** Free-form values (`null` removes one); the event's mapping may turn some into the fields above. */
    fields: Type.Optional(FeedFieldsSchema),
  },
  { additionalProperties: false },
);
export type FeedPacket = Static<typeof FeedPacketSchema>;
