// Program output and export jobs: what the controller asks the worker for, and the status the worker
// sends back. The controller and the worker are separate processes, so these shapes live here, once.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EventIdSchema } from './wire.ts';
import { LoudnessTargetSchema } from './audio.ts';
import { VideoFormatSchema } from './video-format.ts';
import { RerenderResultSchema } from './rerender.ts';
import { DestinationIdSchema, DestinationSchema } from './destinations/index.ts';
import { ChapterPolicySchema } from './sport-presets.ts';
import { MAX_COMMENTARY_SEATS, SeatIdSchema } from './commentary.ts';

/** BullMQ job id of the event's one program output job: a second start is a no-op at the queue. */
export function programOutputJobId(eventId: string): string {
  return `program-output-${eventId}`;
}

export const OUTPUT_BACKENDS = ['builtin', 'egress'] as const;
export const OutputBackendKindSchema = Type.Union(OUTPUT_BACKENDS.map((b) => Type.Literal(b)));
export type OutputBackendKind = Static<typeof OutputBackendKindSchema>;

export const MAX_DESTINATIONS = 8;
export const DestinationListSchema = Type.Array(DestinationSchema, { maxItems: MAX_DESTINATIONS });

/**
 * What the event's program output should be doing. The controller writes it (through the job client),
 * the worker that owns the output reconciles its backend to it; a worker that picks up a stalled job
 * reads it again, so a change made while no worker ran is not lost.
 */
export const OutputPlanSchema = Type.Object(
  {
    eventId: EventIdSchema,
    /** The template page with event and template key (`/template/?event=ID&key=KEY`); contains a secret. */
    templateUrl: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    video: VideoFormatSchema,
    record: Type.Boolean(),
    destinations: DestinationListSchema,
    /** Set by stop: the worker ends the output and completes the job. */
    stop: Type.Boolean(),
    /** Bumped on every change, so the worker can tell an old plan from a new one. */
    revision: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type OutputPlan = Static<typeof OutputPlanSchema>;

/**
 * Data of the one long-running program output job per event (no secrets: those stay in the plan).
 * The backend is the deployment's choice: left out, the worker uses the one it was started with.
 */
export const ProgramOutputJobSchema = Type.Object(
  { eventId: EventIdSchema, backend: Type.Optional(OutputBackendKindSchema) },
  { additionalProperties: false },
);
export type ProgramOutputJob = Static<typeof ProgramOutputJobSchema>;

export const StartStreamRequestSchema = Type.Object(
  { destinations: Type.Array(DestinationSchema, { minItems: 1, maxItems: MAX_DESTINATIONS }) },
  { additionalProperties: false },
);
export type StartStreamRequest = Static<typeof StartStreamRequestSchema>;

export const UpdateDestinationsRequestSchema = Type.Object(
  {
    add: Type.Optional(DestinationListSchema),
    remove: Type.Optional(Type.Array(DestinationIdSchema, { maxItems: MAX_DESTINATIONS })),
  },
  { additionalProperties: false },
);
export type UpdateDestinationsRequest = Static<typeof UpdateDestinationsRequestSchema>;

/** What stop ends: everything (default), only the recording, or only the destinations. */
export const StopRequestSchema = Type.Object(
  { what: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('recording'), Type.Literal('stream')])) },
  { additionalProperties: false },
);
export type StopRequest = Static<typeof StopRequestSchema>;

/**
 * The recording's own sound tracks: `program` the full mix, `international` the same mix without the commentary
 * seats (the built-in recorder's second track, made by the template's mixer: template/audio/program-audio.ts).
 * A seat id is that seat's own ISO recording.
 */
export const EXPORT_MIXES = ['program', 'international'] as const;
export type ExportMix = (typeof EXPORT_MIXES)[number];

/** One sound track of a VOD export, in the order the file lists them (the first is the default track). */
export const ExportTrackSchema = Type.Object(
  {
    source: Type.Union([...EXPORT_MIXES.map((m) => Type.Literal(m)), SeatIdSchema]),
    /** ISO 639-2 code written on the track; left out: `zxx` (no speech) for international, `und` otherwise. */
    language: Type.Optional(Type.String({ pattern: '^[a-z]{3}$' })),
  },
  { additionalProperties: false },
);
export type ExportTrack = Static<typeof ExportTrackSchema>;
export const MAX_EXPORT_TRACKS = EXPORT_MIXES.length + MAX_COMMENTARY_SEATS;

/** In/out trim, chapter choice, sound tracks and loudness normalisation for a VOD export. */
export const ExportOptionsSchema = Type.Object(
  {
    inMs: Type.Optional(Type.Integer({ minimum: 0 })),
    outMs: Type.Optional(Type.Integer({ minimum: 1 })),
    chapters: Type.Optional(Type.Union([Type.Literal('take'), Type.Literal('period')])),
    thumbnails: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /**
     * Normalise the sound to a loudness target (two passes of ffmpeg's loudnorm: measure, then one gain
     * when the peaks allow it). A live mix drifts; a VOD on a platform is judged against its neighbours.
     */
    normaliseLoudness: Type.Optional(Type.Boolean()),
    /** The target of normaliseLoudness; left out, the controller fills in the event's (audio.master.loudness). */
    targetLufs: Type.Optional(LoudnessTargetSchema),
    /** The file's sound tracks, each source at most once; left out: the program mix alone. */
    tracks: Type.Optional(Type.Array(ExportTrackSchema, { minItems: 1, maxItems: MAX_EXPORT_TRACKS })),
  },
  { additionalProperties: false },
);
export type ExportOptions = Static<typeof ExportOptionsSchema>;

/** Longest chapter title. */
export const MAX_CHAPTER_NAME = 80;

/** A named chapter marker at a server time (obs-websocket CreateRecordChapter, or the API). */
export const ChapterMarkerSchema = Type.Object(
  { time: Type.Number({ minimum: 0 }), name: Type.String({ minLength: 1, maxLength: MAX_CHAPTER_NAME }) },
  { additionalProperties: false },
);
export type ChapterMarker = Static<typeof ChapterMarkerSchema>;
/** An event keeps at most this many markers (a marker a minute for a week-long event). */
export const MAX_CHAPTER_MARKERS = 10_000;

/** Segments of a seat's ISO longer than a 4 h show at ISO_SEGMENT_MS, with room for restarts. */
const MAX_SEAT_ISO_SEGMENTS = 10_000;

/** A seat's ISO over an export's window: its title and its segments (absolute paths, server-time spans). */
export const SeatIsoSchema = Type.Object(
  {
    seat: SeatIdSchema,
    /** The track's title (`Commentary: <label>`). */
    title: Type.String({ maxLength: 120 }),
    segments: Type.Array(
      Type.Object(
        { file: Type.String({ minLength: 2, pattern: '^/' }), startMs: Type.Number(), endMs: Type.Number() },
        { additionalProperties: false },
      ),
      { maxItems: MAX_SEAT_ISO_SEGMENTS },
    ),
  },
  { additionalProperties: false },
);
export type SeatIso = Static<typeof SeatIsoSchema>;

export const ExportJobSchema = Type.Object(
  {
    eventId: EventIdSchema,
    /** The finished recording, an absolute path on the worker's disk. */
    recording: Type.String({ minLength: 2, pattern: '^/' }),
    /** Server time (ms) of the recording's first frame: maps switch-log times onto the file's timeline. */
    recordingStartedAt: Type.Number({ minimum: 0 }),
    /** Directory the export writes into (absolute). */
    outDir: Type.String({ minLength: 2, pattern: '^/' }),
    options: ExportOptionsSchema,
    /** The event's chapter markers: when any fall inside the export, they are its chapters (else the takes). */
    markers: Type.Optional(Type.Array(ChapterMarkerSchema, { maxItems: MAX_CHAPTER_MARKERS })),
    /** Which game-log moments are chapters (the event's sport rules); left out: DEFAULT_CHAPTER_POLICY. */
    chapterPolicy: Type.Optional(ChapterPolicySchema),
    /** The ISO of each seat `options.tracks` names, resolved by the controller (it holds the index). */
    seatIso: Type.Optional(Type.Array(SeatIsoSchema, { maxItems: MAX_COMMENTARY_SEATS })),
  },
  { additionalProperties: false },
);
export type ExportJob = Static<typeof ExportJobSchema>;

/** The files an export writes into its directory, by role. */
export const EXPORT_FILES = {
  video: 'program.mp4',
  poster: 'poster.jpg',
  thumbnails: 'thumbnails.jpg',
  edl: 'takes.edl',
  /** ffmpeg's chapter input: the worker's working file, never served. */
  metadata: 'chapters.txt',
} as const;
/** The export files the controller serves, in the order an export answer lists them. */
export const SERVED_EXPORT_FILES = [EXPORT_FILES.video, EXPORT_FILES.poster, EXPORT_FILES.thumbnails, EXPORT_FILES.edl];
export const ExportFileSchema = Type.Union(SERVED_EXPORT_FILES.map((file) => Type.Literal(file)));
export type ExportFile = Static<typeof ExportFileSchema>;

/**
 * A summary of the event's output plan safe for API answers: destination ids only, no stream keys and
 * no template URL (it carries the template key).
 */
export const PlanSummarySchema = Type.Object(
  {
    eventId: Type.String(),
    record: Type.Boolean(),
    destinations: Type.Array(Type.String()),
    stop: Type.Boolean(),
    revision: Type.Integer(),
    jobId: Type.String(),
  },
  { additionalProperties: false },
);
export type PlanSummary = Static<typeof PlanSummarySchema>;

/** The exported file's loudness, measured on the file itself (ffmpeg ebur128, BS.1770): what a platform reads. */
export const ExportLoudnessSchema = Type.Object(
  {
    integratedLufs: Type.Number(),
    /** Silence reads as the meter floor (AUDIO_METER_FLOOR_DB), JSON having no −Infinity. */
    truePeakDbtp: Type.Number(),
    /**
     * How it was normalised, or null when it was not asked for (or the sound is silent): `linear` is one gain
     * for the whole file; `dynamic` is loudnorm's fallback when one gain would push the peaks over the ceiling.
     */
    normalised: Type.Union([
      Type.Object(
        { targetLufs: LoudnessTargetSchema, mode: Type.Union([Type.Literal('linear'), Type.Literal('dynamic')]) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type ExportLoudness = Static<typeof ExportLoudnessSchema>;

export const ExportResultSchema = Type.Object(
  {
    video: Type.String(),
    poster: Type.String(),
    thumbnails: Type.String(),
    edl: Type.String(),
    chapters: Type.Array(Type.Object({ title: Type.String(), startMs: Type.Number(), endMs: Type.Number() })),
    durationMs: Type.Number(),
    /** Left out when the recording has no sound (and in results stored before loudness was measured). */
    loudness: Type.Optional(ExportLoudnessSchema),
  },
  { additionalProperties: false },
);
export type ExportResult = Static<typeof ExportResultSchema>;

/** A finished program recording the worker keeps a note of, so an export can be made from it later. */
export const RecordingNoteSchema = Type.Object(
  {
    /** Where the recording is (worker disk path, or the egress file location). */
    file: Type.String(),
    startedAt: Type.Union([Type.Number(), Type.Null()]),
    endedAt: Type.Number(),
    /** Left behind by a worker that died or handed its output back, and finalised by the next one. */
    recovered: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RecordingNote = Static<typeof RecordingNoteSchema>;

export const JobStateSchema = Type.Union(
  ['queued', 'starting', 'running', 'retrying', 'stopping', 'completed', 'failed'].map((s) => Type.Literal(s)),
);
export type JobState = 'queued' | 'starting' | 'running' | 'retrying' | 'stopping' | 'completed' | 'failed';

export const OutputStateSchema = Type.Union(
  ['starting', 'live', 'retrying', 'stopped', 'failed'].map((s) => Type.Literal(s)),
);
export type OutputState = 'starting' | 'live' | 'retrying' | 'stopped' | 'failed';

/** One output (the recording or a destination) as panels see it: URLs with the stream key masked. */
export const OutputReportSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('recording'), Type.Literal('rtmp'), Type.Literal('srt'), Type.Literal('hls')]),
    label: Type.String(),
    /** Masked RTMP or SRT URL, the recording's file name, or the HLS playlist's path on the controller. */
    target: Type.String(),
    state: OutputStateSchema,
    error: Type.Optional(Type.String()),
    /** Times this output failed and was restarted by the worker in this session (built-in backend). */
    retries: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type OutputReport = Static<typeof OutputReportSchema>;

export const OutputStatusMessageSchema = Type.Object(
  {
    type: Type.Literal('job.output'),
    eventId: EventIdSchema,
    jobId: Type.String(),
    backend: OutputBackendKindSchema,
    state: JobStateSchema,
    outputs: Type.Array(OutputReportSchema),
    /** Server time of the recording's first frame, once known. */
    recordingStartedAt: Type.Union([Type.Number(), Type.Null()]),
    message: Type.String(),
    at: Type.Number(),
  },
  { additionalProperties: false },
);
export type OutputStatusMessage = Static<typeof OutputStatusMessageSchema>;

/** Status of a job that makes a file with progress (an export, a re-render): its frame type and result. */
function fileJobStatusSchema<T extends string, R extends TSchema>(type: T, result: R) {
  return Type.Object(
    {
      type: Type.Literal(type),
      eventId: EventIdSchema,
      jobId: Type.String(),
      state: JobStateSchema,
      /** 0..1 */
      progress: Type.Number({ minimum: 0, maximum: 1 }),
      message: Type.String(),
      result: Type.Union([result, Type.Null()]),
      at: Type.Number(),
    },
    { additionalProperties: false },
  );
}

export const ExportStatusMessageSchema = fileJobStatusSchema('job.export', ExportResultSchema);
export type ExportStatusMessage = Static<typeof ExportStatusMessageSchema>;

export const RerenderStatusMessageSchema = fileJobStatusSchema('job.rerender', RerenderResultSchema);
export type RerenderStatusMessage = Static<typeof RerenderStatusMessageSchema>;

/** Frames on RedisKeys.jobStatusChannel(eventId); also a WebSocket frame type for panels. */
export const JobStatusMessageSchema = Type.Union([
  OutputStatusMessageSchema,
  ExportStatusMessageSchema,
  RerenderStatusMessageSchema,
]);
/** The job status message types, each kept as the event's last status of its type. */
export const JOB_STATUS_TYPES = ['job.output', 'job.export', 'job.rerender'] as const;
export type JobStatusMessage = Static<typeof JobStatusMessageSchema>;
