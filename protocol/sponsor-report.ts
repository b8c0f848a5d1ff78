// The sponsor exposure report: each sponsor's seconds on program (sponsorExposure, the function every
// renderer draws by) and its seconds × concurrent viewers of the own player, from the viewer count the
// controller samples with each sponsor's airtime at that moment.
import { Type, type Static } from '@sinclair/typebox';
import { sponsorExposure } from './sponsor-rotation.ts';
import { SponsorIdSchema } from './sponsors.ts';
import type { ProgramState } from './state.ts';

/** How often the controller samples the viewer count with the airtime so far. */
export const SPONSOR_AUDIENCE_SAMPLE_MS = 5000;

/** One sample: open watch-page connections, and each sponsor's airtime (ms) so far, at `time`. */
export const SponsorAudienceSampleSchema = Type.Object(
  {
    time: Type.Number(),
    viewers: Type.Integer({ minimum: 0 }),
    airtime: Type.Record(Type.String(), Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type SponsorAudienceSample = Static<typeof SponsorAudienceSampleSchema>;

export const SponsorReportRowSchema = Type.Object(
  {
    id: SponsorIdSchema,
    name: Type.String(),
    /** Seconds the sponsor was on program. */
    seconds: Type.Number({ minimum: 0 }),
    /** Its part of all sponsors' seconds, 0–1. */
    share: Type.Number({ minimum: 0, maximum: 1 }),
    /** Seconds on program × the own player's viewers at the time (watch-page connections). */
    viewerSeconds: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type SponsorReportRow = Static<typeof SponsorReportRowSchema>;

export const SponsorReportSchema = Type.Object(
  {
    eventId: Type.String(),
    /** Server time the report was made at: seconds are counted up to it. */
    at: Type.Number(),
    rotation: Type.Boolean(),
    totalSeconds: Type.Number({ minimum: 0 }),
    sponsors: Type.Array(SponsorReportRowSchema),
    /** Samples of the viewer count the viewer-seconds rest on, and how often they are taken. */
    audience: Type.Object(
      { samples: Type.Integer({ minimum: 0 }), sampleIntervalMs: Type.Integer() },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SponsorReport = Static<typeof SponsorReportSchema>;

/**
 * The report at server time `at`. Viewer-seconds: between two samples, each sponsor's added airtime times
 * the viewers the earlier sample counted (after the last sample, up to `at`, the last count holds).
 */
export function sponsorReport(
  eventId: string,
  state: ProgramState,
  samples: readonly SponsorAudienceSample[],
  at: number,
): SponsorReport {
  const exposure = sponsorExposure(state, at);
  const points = [
    ...samples.filter((s) => s.time <= at),
    { time: at, viewers: 0, airtime: Object.fromEntries(exposure.map((c) => [c.id, c.ms])) },
  ];
  const viewerMs = new Map<string, number>();
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    for (const [id, ms] of Object.entries(to.airtime)) {
      const added = Math.max(0, ms - (from.airtime[id] ?? 0));
      viewerMs.set(id, (viewerMs.get(id) ?? 0) + added * from.viewers);
    }
  }
  const totalMs = exposure.reduce((sum, c) => sum + c.ms, 0);
  return {
    eventId,
    at,
    rotation: state.sponsors?.on ?? false,
    totalSeconds: totalMs / 1000,
    sponsors: exposure.map((c) => ({
      id: c.id,
      name: c.name,
      seconds: c.ms / 1000,
      share: totalMs === 0 ? 0 : c.ms / totalMs,
      viewerSeconds: (viewerMs.get(c.id) ?? 0) / 1000,
    })),
    audience: { samples: samples.length, sampleIntervalMs: SPONSOR_AUDIENCE_SAMPLE_MS },
  };
}
