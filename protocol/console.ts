// What the producer's event console (web/console) reads beyond the event itself: one summary per event for
// the list, the finished recordings with their size, and the exports on disk with their download links.
import { Type, type Static } from '@sinclair/typebox';
import { EventSchema } from './api.ts';
import { EventStatusSchema } from './watch.ts';

export const EventSummarySchema = Type.Object(
  {
    event: EventSchema,
    status: EventStatusSchema,
    cameras: Type.Object({ total: Type.Integer({ minimum: 0 }), live: Type.Integer({ minimum: 0 }) }),
    /** Outputs of the program output job that are starting, live or retrying (recording included). */
    outputsRunning: Type.Integer({ minimum: 0 }),
    recording: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type EventSummary = Static<typeof EventSummarySchema>;

export const RecordingViewSchema = Type.Object(
  {
    /** The index POST …/exports takes as `recording`. */
    index: Type.Integer({ minimum: 0 }),
    /** File name only (the worker's path stays on the server). */
    name: Type.String(),
    startedAt: Type.Union([Type.Number(), Type.Null()]),
    endedAt: Type.Number(),
    durationMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** null when the file is not on this controller's disk (another machine's worker, or Egress storage). */
    bytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    recovered: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RecordingView = Static<typeof RecordingViewSchema>;

export const EXPORT_DOWNLOADS = ['mp4', 'poster', 'thumbnails', 'edl', 'chapters'] as const;
export type ExportDownload = (typeof EXPORT_DOWNLOADS)[number];

export const ExportViewSchema = Type.Object(
  {
    jobId: Type.String(),
    /** When the export started writing (its directory's creation). */
    createdAt: Type.Number(),
    /** API paths of the files written so far (the key goes in an Authorization header or ?key=). */
    files: Type.Partial(Type.Object(Object.fromEntries(EXPORT_DOWNLOADS.map((d) => [d, Type.String()])))),
  },
  { additionalProperties: false },
);
export type ExportView = Static<typeof ExportViewSchema>;

/** GET /api/events/:id/recordings/:index/frame.jpg: a still of the recording at a server time (switch log). */
export const RecordingFrameQuerySchema = Type.Object(
  {
    at: Type.Integer({ minimum: 0, description: 'Server time (ms since the epoch) to show' }),
    key: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type RecordingFrameQuery = Static<typeof RecordingFrameQuerySchema>;
