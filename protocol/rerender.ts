// Re-render of the program from the cameras' ISO recordings and the switch log: the job the controller
// queues and its result (the status message is in jobs.ts, with the others). The controller and the worker are separate
// processes, so these shapes live here, once.
import { Type, type Static } from '@sinclair/typebox';
import { ServerTimeSchema, SourceIdSchema } from './state.ts';
import { VideoFormatSchema } from './video-format.ts';
import { EventIdSchema } from './wire.ts';

/**
 * What the re-render draws: `clean` is the pictures and their transitions without graphics (the clean
 * feed a broadcaster hands to a rights holder). A graphics layer is not re-rendered yet.
 */
export const RERENDER_FEEDS = ['clean'] as const;
export const RerenderFeedSchema = Type.Union(RERENDER_FEEDS.map((f) => Type.Literal(f)));
export type RerenderFeed = Static<typeof RerenderFeedSchema>;

/** Longest window one re-render job covers (a whole match with extra time and a break). */
export const MAX_RERENDER_MS = 4 * 3600 * 1000;

/** The API body of `POST /api/events/:id/exports/rerender`. */
export const RerenderRequestSchema = Type.Object(
  {
    /** Index of the recording whose window is re-rendered (the latest when left out). */
    recording: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Server times (ms) inside the recording to re-render instead of all of it. */
    fromMs: Type.Optional(ServerTimeSchema),
    toMs: Type.Optional(ServerTimeSchema),
    /** Size and rate of the re-render: the recording's own or another (720p, 1080p). Default 1080p30. */
    video: Type.Optional(VideoFormatSchema),
    feed: Type.Optional(RerenderFeedSchema),
  },
  { additionalProperties: false },
);
export type RerenderRequest = Static<typeof RerenderRequestSchema>;

export const RerenderJobSchema = Type.Object(
  {
    eventId: EventIdSchema,
    /** The program between these server times (ms) is rendered again; 0 on the output is fromMs. */
    fromMs: ServerTimeSchema,
    toMs: ServerTimeSchema,
    video: VideoFormatSchema,
    feed: RerenderFeedSchema,
    /** Root of the ISO files (`<isoDir>/<event>/<camera>/<file>`), absolute, on the shared data dir. */
    isoDir: Type.String({ minLength: 2, pattern: '^/' }),
    /** The event's test sources: drawn as their colour and tone (they have no ISO). */
    testSources: Type.Array(SourceIdSchema, { maxItems: 64 }),
    /** Directory the re-render writes into (absolute). */
    outDir: Type.String({ minLength: 2, pattern: '^/' }),
  },
  { additionalProperties: false },
);
export type RerenderJob = Static<typeof RerenderJobSchema>;

/** The file a re-render writes into its directory (served like the VOD export's video). */
export const RERENDER_FILE = 'program.mp4';

export const RerenderResultSchema = Type.Object(
  {
    video: Type.String(),
    durationMs: Type.Number(),
    width: Type.Integer(),
    height: Type.Integer(),
    fps: Type.Integer(),
    /** Wall time the render took, and durationMs / renderMs (above 1: faster than real time). */
    renderMs: Type.Number(),
    speed: Type.Number(),
    /** Program time drawn as a slate because the source on program had no ISO there. */
    slateMs: Type.Number(),
  },
  { additionalProperties: false },
);
export type RerenderResult = Static<typeof RerenderResultSchema>;
