// Program output and export jobs: what the controller asks the worker for, and the status the worker
// sends back. The controller and the worker are separate processes, so these shapes live here, once.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EventIdSchema } from './wire.ts';
import { LoudnessTargetSchema } from './audio.ts';
import { VideoFormatSchema } from './video-format.ts';
import { RerenderResultSchema } from './rerender.ts';

/** BullMQ job id of the event's one program output job: a second start is a no-op at the queue. */
export function programOutputJobId(eventId: string): string {
  return `program-output-${eventId}`;
}

export const OUTPUT_BACKENDS = ['builtin', 'egress'] as const;
export const OutputBackendKindSchema = Type.Union(OUTPUT_BACKENDS.map((b) => Type.Literal(b)));
export type OutputBackendKind = Static<typeof OutputBackendKindSchema>;

export const DestinationIdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
  description: 'Destination id.',
});

/**
 * One RTMP destination. The stream key is a secret: it is kept apart from the server URL so that every
 * status, log line and job return value can show the URL with the key masked.
 */
export const RtmpDestinationSchema = Type.Object(
  {
    id: DestinationIdSchema,
    kind: Type.Union([Type.Literal('youtube'), Type.Literal('twitch'), Type.Literal('rtmp')]),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /**
     * The server and application the key is appended to, e.g. rtmp://live.example.org/app. Required for
     * rtmp; for youtube/twitch one of their ingest servers (ingest-presets.ts), left out = the default.
     */
    serverUrl: Type.Optional(Type.String({ pattern: '^rtmps?://[^\\s/]+(/[^\\s]*)?$', maxLength: 1024 })),
    streamKey: Type.String({ minLength: 1, maxLength: 512, pattern: '^[^\\s/]+$' }),
  },
  { additionalProperties: false },
);
export type RtmpDestination = Static<typeof RtmpDestinationSchema>;

/** Longest DVR window a viewer can seek back in (a whole match with extra time and a break). */
export const MAX_DVR_WINDOW_SECONDS = 4 * 3600;

/**
 * Self-hosted playback: the program as HLS the controller serves (hls.ts). No key: nothing leaves the
 * deployment. `dvrWindowSeconds` keeps that much behind the live edge for viewers to seek back in; left
 * out, the playlist is a short live window.
 */
export const HlsDestinationSchema = Type.Object(
  {
    id: DestinationIdSchema,
    kind: Type.Literal('hls'),
    label: RtmpDestinationSchema.properties.label,
    dvrWindowSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: MAX_DVR_WINDOW_SECONDS })),
  },
  { additionalProperties: false },
);
export type HlsDestination = Static<typeof HlsDestinationSchema>;

export const DestinationSchema = Type.Union([RtmpDestinationSchema, HlsDestinationSchema]);
export type Destination = Static<typeof DestinationSchema>;
export const DESTINATION_KINDS = ['youtube', 'twitch', 'rtmp', 'hls'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

export function isRtmpDestination(destination: Destination): destination is RtmpDestination {
  return destination.kind !== 'hls';
}

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

/** What stop ends: everything (default), only the recording, or only the destinations (RTMP and HLS). */
export const StopRequestSchema = Type.Object(
  { what: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('recording'), Type.Literal('stream')])) },
  { additionalProperties: false },
);
export type StopRequest = Static<typeof StopRequestSchema>;

/** In/out trim, chapter choice and loudness normalisation for a VOD export. */
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
  },
  { additionalProperties: false },
);
export type ExportOptions = Static<typeof ExportOptionsSchema>;

/** A named chapter marker at a server time (obs-websocket CreateRecordChapter, or the API). */
export const ChapterMarkerSchema = Type.Object(
  { time: Type.Number({ minimum: 0 }), name: Type.String({ minLength: 1, maxLength: 80 }) },
  { additionalProperties: false },
);
export type ChapterMarker = Static<typeof ChapterMarkerSchema>;
/** An event keeps at most this many markers (a marker a minute for a week-long event). */
export const MAX_CHAPTER_MARKERS = 10_000;

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
    kind: Type.Union([Type.Literal('recording'), Type.Literal('rtmp'), Type.Literal('hls')]),
    label: Type.String(),
    /** Masked RTMP URL, the recording's file name, or the HLS playlist's path on the controller. */
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

export const RTMP_BASE: Record<'youtube' | 'twitch', string> = {
  youtube: 'rtmp://a.rtmp.youtube.com/live2',
  twitch: 'rtmp://live.twitch.tv/app',
};

/**
 * The full publish URL, key included: only ever handed to an encoder, never logged or returned.
 * YouTube and Twitch use their default ingest unless the destination chose one of their servers.
 */
export function destinationUrl(destination: RtmpDestination): string {
  const base =
    destination.kind === 'rtmp' ? destination.serverUrl : (destination.serverUrl ?? RTMP_BASE[destination.kind]);
  if (base === undefined) throw new TypeError(`destination ${destination.id}: rtmp needs serverUrl`);
  return `${base.replace(/\/+$/, '')}/${destination.streamKey}`;
}

export const MASK = '****';

/** The publish URL as people may see it: the stream key (the last path segment) replaced by ****. */
export function maskedDestinationUrl(destination: RtmpDestination): string {
  return destinationUrl({ ...destination, streamKey: MASK });
}

/**
 * Masks secrets in text for log lines and errors: every secret given (as written, JSON-escaped and
 * URL-encoded), then whatever follows the last '/' of any rtmp(s) URL and a `key=`/`token=` value. A
 * stream key may hold any character but whitespace and '/', so the mask runs to the next whitespace:
 * it may hide a quote or a colon after the key, never leave a piece of the key.
 */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]))
      masked = masked.split(form).join(MASK);
  }
  return masked
    .replace(/rtmps?:\/\/\S+/g, (url) => {
      const last = url.lastIndexOf('/');
      return last > url.indexOf('//') + 1 ? `${url.slice(0, last + 1)}${MASK}` : url;
    })
    .replace(/([?&](?:key|token|streamKey)=)[^&\s]+/gi, `$1${MASK}`);
}
