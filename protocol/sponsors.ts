// Sponsor rotation: the producer's sponsor slots for one event and the rotation's progress, kept in program
// state so every renderer, and a reloaded page, draws the same sponsor from state + server time
// (sponsor-rotation.ts). A sponsor's artwork is uploaded like a team logo (team-logo.ts); the state holds its id.
import { Type, type Static } from '@sinclair/typebox';
import { LogoIdSchema } from './team-logo.ts';
import { oneLineText } from './user-text.ts';

/** An event's sponsors at most: a rotation of more is a slideshow, not a sponsor bug. */
export const MAX_SPONSORS = 24;
/** Sponsors the exposure keeps counting after they leave the list (their seconds stay in the report). */
export const MAX_CREDITED_SPONSORS = 64;
export const SPONSOR_MIN_DURATION_MS = 1000;
export const SPONSOR_MAX_DURATION_MS = 600_000;
export const SPONSOR_MAX_WEIGHT = 100;
/** After a goal (a score going up) no sponsor shows for this long: the celebration is the picture. */
export const SPONSOR_GOAL_BLOCK_MS = 30_000;

export const SponsorIdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
  description: 'Lower-case id: letters, digits, "-" and "_", at most 40 characters.',
});
export type SponsorId = Static<typeof SponsorIdSchema>;

/**
 * When a sponsor may show: `play` while the game clock runs, `break` while it is stopped (or has run out:
 * between periods, before kick-off). A sport without a clock is always at `break`.
 */
export const SponsorWindowSchema = Type.Union([Type.Literal('play'), Type.Literal('break')]);
export type SponsorWindow = Static<typeof SponsorWindowSchema>;
export const SPONSOR_WINDOWS: readonly SponsorWindow[] = ['play', 'break'];

const sponsorFields = {
  id: SponsorIdSchema,
  name: oneLineText(40),
  /** How long one appearance lasts. */
  durationMs: Type.Integer({ minimum: SPONSOR_MIN_DURATION_MS, maximum: SPONSOR_MAX_DURATION_MS }),
  /** Appearances per rotation cycle: with equal durations, 2:1:1 is 50/25/25 of the airtime. */
  weight: Type.Integer({ minimum: 1, maximum: SPONSOR_MAX_WEIGHT }),
  windows: Type.Array(SponsorWindowSchema, { minItems: 1, maxItems: SPONSOR_WINDOWS.length, uniqueItems: true }),
};

/**
 * An uploaded image (PNG, JPEG or WebP, checked and stored like a team logo), drawn as a bug in the top
 * right corner. The kind is the discriminant: an OGraf graphic will be a second kind beside this one.
 */
export const ImageSponsorSchema = Type.Object(
  { ...sponsorFields, kind: Type.Literal('image'), image: LogoIdSchema },
  { additionalProperties: false },
);
export const SponsorSchema = Type.Union([ImageSponsorSchema]);
export type Sponsor = Static<typeof SponsorSchema>;

/**
 * Where the rotation stands at `at`: how far each window's schedule has run (ms of airtime, the same for
 * every renderer), re-based by the reducer whenever something the rotation depends on changes.
 */
export const SponsorProgressSchema = Type.Object(
  {
    at: Type.Number({ minimum: 0 }),
    play: Type.Number({ minimum: 0 }),
    break: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type SponsorProgress = Static<typeof SponsorProgressSchema>;

/** Airtime credited to a sponsor up to `progress.at` (the exposure report adds what came since). */
export const SponsorCreditSchema = Type.Object(
  { id: SponsorIdSchema, name: Type.String({ maxLength: 40 }), ms: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
);
export type SponsorCredit = Static<typeof SponsorCreditSchema>;

export const SponsorStateSchema = Type.Object(
  {
    /** Rotation on air: off, no sponsor shows and no time is credited. */
    on: Type.Boolean(),
    /** In order: a window's cycle lists its sponsors in this order, interleaved by weight. */
    sponsors: Type.Array(SponsorSchema, { maxItems: MAX_SPONSORS }),
    progress: SponsorProgressSchema,
    credited: Type.Array(SponsorCreditSchema, { maxItems: MAX_CREDITED_SPONSORS }),
    /** Server time of the last score increase seen while sponsors were set up; null: none. */
    goalAt: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type SponsorState = Static<typeof SponsorStateSchema>;

/** The artwork files a state's sponsors show (kept by the stored-image sweep). */
export function sponsorImages(state: { sponsors?: SponsorState | undefined } | null): string[] {
  return (state?.sponsors?.sponsors ?? []).flatMap((s) => (s.kind === 'image' ? [s.image] : []));
}
