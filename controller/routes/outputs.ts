// Program output control and VOD exports: go live (all or one destination), record, stop, status, and
// the export files. The worker runs the outputs; these routes only write the plan and enqueue jobs
// through the worker's JobClient. Stream keys come from the event store and never leave in an answer.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  DestinationIdSchema,
  EventIdSchema,
  EXPORT_MIXES,
  pageLink,
  ExportFileSchema,
  DEFAULT_LOUDNESS_TARGET_LUFS,
  ExportOptionsSchema,
  PlanSummarySchema,
  TEMPLATE_QUERY,
  SERVED_EXPORT_FILES,
  JobStatusMessageSchema,
  MAX_RERENDER_MS,
  RERENDER_FILE,
  RerenderRequestSchema,
  StopRequestSchema,
  VideoFormatSchema,
  parseVideoFormat,
  resolveSportRules,
  type ExportTrack,
  type Role,
  type SeatIso,
  type VideoFormat,
} from '../../protocol/index.ts';
import { readIsoCameras, readIsoSegments } from '../../outputs/iso-index.ts';
import { JobClient, JobRequestError, type OutputTarget } from '../../outputs/job-client.ts';
import type { RouteOptions } from '../app.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { ChapterMarkers } from '../services/chapter-markers.ts';
import { vetDestinations } from '../services/outbound-checks.ts';

/** Who may start and stop outputs, and who may fetch export files. */
const OUTPUT_ROLES: readonly Role[] = ['admin', 'director'];
/** Panels that show output status. */
const STATUS_ROLES: readonly Role[] = ['admin', 'director', 'graphics'];
export const DEFAULT_VIDEO: VideoFormat = { width: 1920, height: 1080, fps: 30 };

const OutputAnswerSchema = Type.Object({ plan: Type.Union([PlanSummarySchema, Type.Null()]) });
const VideoBodySchema = Type.Object({ video: Type.Optional(VideoFormatSchema) }, { additionalProperties: false });
const StreamBodySchema = Type.Object(
  {
    /** Ids of the event's stored destinations; left out: all of them. */
    destinations: Type.Optional(Type.Array(DestinationIdSchema, { minItems: 1, maxItems: 8 })),
    video: Type.Optional(VideoFormatSchema),
  },
  { additionalProperties: false },
);
const DestinationParamsSchema = Type.Object(
  { eventId: EventIdSchema, destinationId: DestinationIdSchema },
  { additionalProperties: false },
);
const ExportBodySchema = Type.Composite(
  [ExportOptionsSchema, Type.Object({ recording: Type.Optional(Type.Integer({ minimum: 0 })) })],
  {
    additionalProperties: false,
  },
);
const ExportFileParamsSchema = Type.Object(
  {
    eventId: EventIdSchema,
    jobId: Type.String({ pattern: '^export-[a-z0-9-]+$', maxLength: 120 }),
    file: ExportFileSchema,
  },
  { additionalProperties: false },
);
const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.edl': 'text/plain; charset=utf-8',
};

const outputRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const exportsRoot = resolve(options.config.PITCHSIDE_DATA_DIR, 'exports');
  /** Where the controller's IsoStore writes the cameras' ISO segments (routes/replay.ts). */
  const isoRoot = resolve(options.config.PITCHSIDE_DATA_DIR, 'iso');
  const chapterMarkers = new ChapterMarkers(app.redis, app.redisKeys);
  const jobs = new JobClient({
    redis: app.redis,
    keys: app.redisKeys,
    maxQueuedExports: options.config.EXPORT_QUEUE_MAX,
  });
  await jobs.start();
  app.addHook('onClose', () => jobs.close());

  /** JobClient refusals become 4xx answers naming the field. */
  const answer = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof JobRequestError)) throw error;
      const status = { INVALID: 400, NOT_RUNNING: 409, CONFLICT: 409, QUEUE_FULL: 429 }[error.code];
      throw new AppError(status, error.code, error.message, error.field);
    }
  };

  const target = async (eventId: string, video: VideoFormat | undefined): Promise<OutputTarget> => {
    const key =
      (await app.apiKeys.get(eventId, 'template')) ??
      (await app.apiKeys.ensureEventKeys(eventId)).find((k) => k.role === 'template');
    if (key === undefined || key === null)
      throw new AppError(500, 'NO_TEMPLATE_KEY', `event ${eventId} has no template key`);
    // The key and the pass in the fragment: Egress and the recorder open it as a page (Egress sets its own
    // query parameters and keeps the fragment), so neither reaches an access log.
    const templateUrl = pageLink(
      `${app.publicUrl}/template/`,
      { event: eventId },
      { key: key.key, [TEMPLATE_QUERY.programPass]: app.apiKeys.programPass(eventId, key.keyId) },
    );
    return { templateUrl, video: video ?? DEFAULT_VIDEO };
  };

  /**
   * The seats `tracks` names, each with its ISO segments over the export's server-time window; a source listed
   * twice, a seat the event never had, or one without ISO in the window is a 4xx naming the track.
   */
  const seatIsoOf = async (
    eventId: string,
    tracks: readonly ExportTrack[],
    fromMs: number,
    toMs: number,
  ): Promise<SeatIso[]> => {
    const seats = await app.commentary.list(eventId);
    const found: SeatIso[] = [];
    for (const [i, { source }] of tracks.entries()) {
      const field = `/tracks/${i}/source`;
      const first = tracks.findIndex((t) => t.source === source);
      if (first !== i) throw new AppError(400, 'INVALID', `${source} is already track ${first + 1}`, field);
      if ((EXPORT_MIXES as readonly string[]).includes(source)) continue;
      const seat = seats.find((s) => s.id === source);
      const segments = await readIsoSegments(app.redis, app.redisKeys, eventId, source, fromMs, toMs);
      // A removed seat's ISO is still its recording: exported under its id.
      if (seat === undefined && segments.length === 0)
        throw new AppError(404, 'NOT_FOUND', `event ${eventId} has no commentary seat ${source}`, field);
      if (segments.length === 0)
        throw new AppError(422, 'NO_ISO_COVERAGE', `seat ${source} has no ISO recording in the exported window`, field);
      found.push({
        seat: source,
        title: `Commentary: ${seat?.label ?? source}`,
        segments: segments.map((s) => ({
          file: join(isoRoot, eventId, source, s.file),
          startMs: s.startMs,
          endMs: s.endMs,
        })),
      });
    }
    return found;
  };

  const destinationsOf = async (eventId: string, ids: string[] | undefined) => {
    const stored = await app.events.getDestinationsWithSecrets(eventId);
    const missing = (ids ?? []).filter((id) => !stored.some((d) => d.id === id));
    if (missing.length > 0)
      throw new AppError(400, 'INVALID', `unknown destination: ${missing.join(', ')}`, '/destinations');
    const chosen = ids === undefined ? stored : stored.filter((d) => ids.includes(d.id));
    if (chosen.length === 0)
      throw new AppError(400, 'INVALID', 'the event has no destinations to go live to', '/destinations');
    // Again at going live: a name checked when the destination was saved may point elsewhere by now.
    await vetDestinations(app.outbound, chosen);
    return chosen;
  };

  const control = { config: { access: { roles: OUTPUT_ROLES } } } as const;
  const responses = { 200: OutputAnswerSchema, ...ErrorResponses, 409: ErrorResponses[400] };

  app.post(
    '/api/events/:eventId/outputs/stream',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary: 'Go live to the event destinations (all, or the ids given)',
        params: EventParamsSchema,
        body: StreamBodySchema,
        response: responses,
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const destinations = await destinationsOf(eventId, request.body.destinations);
      return {
        plan: await answer(async () =>
          jobs.startStream(eventId, await target(eventId, request.body.video), { destinations }),
        ),
      };
    },
  );

  app.put(
    '/api/events/:eventId/outputs/stream/:destinationId',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary: 'Go live to one more destination',
        params: DestinationParamsSchema,
        body: VideoBodySchema,
        response: responses,
      },
    },
    async (request) => {
      const { eventId, destinationId } = request.params;
      const destinations = await destinationsOf(eventId, [destinationId]);
      return {
        plan: await answer(async () =>
          jobs.startStream(eventId, await target(eventId, request.body?.video), { destinations }),
        ),
      };
    },
  );

  app.delete(
    '/api/events/:eventId/outputs/stream/:destinationId',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary: 'Stop one destination; the others keep running',
        params: DestinationParamsSchema,
        response: responses,
      },
    },
    async (request) => {
      const { eventId, destinationId } = request.params;
      return { plan: await answer(() => jobs.updateDestinations(eventId, { remove: [destinationId] })) };
    },
  );

  app.post(
    '/api/events/:eventId/outputs/record',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary: 'Start recording the program',
        params: EventParamsSchema,
        body: VideoBodySchema,
        response: responses,
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await app.events.require(eventId);
      const plan = await answer(async () => jobs.startRecording(eventId, await target(eventId, request.body?.video)));
      // A recorded event records its cameras on their own too (for replays); disarming is the director's call.
      await app.program.apply(eventId, { type: 'iso.arm', armed: true }, caller(request));
      return { plan };
    },
  );

  app.post(
    '/api/events/:eventId/outputs/stop',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary: 'Stop everything, or only the recording / only the stream',
        params: EventParamsSchema,
        body: StopRequestSchema,
        response: responses,
      },
    },
    async (request) => ({ plan: await answer(() => jobs.stop(request.params.eventId, request.body ?? {})) }),
  );

  app.get(
    '/api/events/:eventId/outputs',
    {
      config: { access: { roles: STATUS_ROLES } },
      schema: {
        tags: ['outputs'],
        summary: 'Output plan, last job statuses and finished recordings',
        params: EventParamsSchema,
        response: {
          200: Type.Object({
            plan: Type.Union([PlanSummarySchema, Type.Null()]),
            statuses: Type.Array(JobStatusMessageSchema),
            recordings: Type.Array(
              Type.Object({
                index: Type.Integer(),
                startedAt: Type.Union([Type.Number(), Type.Null()]),
                endedAt: Type.Number(),
              }),
            ),
          }),
          ...ErrorResponses,
        },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const [plan, statuses, recordings] = await Promise.all([
        jobs.plan(eventId),
        jobs.statuses(eventId),
        jobs.recordings(eventId),
      ]);
      return {
        plan,
        statuses,
        recordings: recordings.map((r, index) => ({ index, startedAt: r.startedAt, endedAt: r.endedAt })),
      };
    },
  );

  app.post(
    '/api/events/:eventId/exports',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary:
          'Export a finished recording (the latest unless `recording` gives its index): chaptered MP4, poster, thumbnails, EDL',
        params: EventParamsSchema,
        body: ExportBodySchema,
        response: {
          200: Type.Object({ jobId: Type.String(), files: Type.Array(Type.String()) }),
          ...ErrorResponses,
          409: ErrorResponses[400],
          422: ErrorResponses[400],
          429: ErrorResponses[400],
        },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const { recording: index, ...asked } = request.body;
      // The event's own target, resolved now: the job (and its id) says what the file was normalised to.
      const options =
        asked.normaliseLoudness === true && asked.targetLufs === undefined
          ? {
              ...asked,
              targetLufs:
                (await app.program.requireState(eventId)).audio?.master.loudness.targetLufs ??
                DEFAULT_LOUDNESS_TARGET_LUFS,
            }
          : asked;
      const recordings = await jobs.recordings(eventId);
      const note = index === undefined ? recordings.at(-1) : recordings[index];
      if (note === undefined)
        throw new AppError(
          404,
          'NOT_FOUND',
          `event ${eventId} has no recording${index === undefined ? '' : ` #${index}`}`,
          '/recording',
        );
      if (note.startedAt === null)
        throw new AppError(
          409,
          'CONFLICT',
          'the recording has no start time, so takes cannot be placed on it',
          '/recording',
        );
      const windowFrom = note.startedAt + (options.inMs ?? 0);
      const windowTo = note.startedAt + (options.outMs ?? note.endedAt - note.startedAt);
      const seatIso = await seatIsoOf(eventId, options.tracks ?? [], windowFrom, windowTo);
      const markers = await chapterMarkers.list(eventId);
      const event = await app.events.require(eventId);
      const chapterPolicy = resolveSportRules(event.sport, event.ruleOverrides).chapters;
      const jobId = JobClient.exportJobId(eventId, note.file, options, markers, chapterPolicy);
      await answer(() =>
        jobs.export({
          eventId,
          recording: note.file,
          recordingStartedAt: note.startedAt ?? 0,
          outDir: join(exportsRoot, eventId, jobId),
          options,
          markers,
          chapterPolicy,
          ...(seatIso.length === 0 ? {} : { seatIso }),
        }),
      );
      const base = `/api/events/${eventId}/exports/${jobId}`;
      return {
        jobId,
        files: SERVED_EXPORT_FILES.map((f) => `${base}/${f}`),
      };
    },
  );

  app.post(
    '/api/events/:eventId/exports/rerender',
    {
      ...control,
      schema: {
        tags: ['outputs'],
        summary:
          'Render a recording’s program again from the cameras’ ISO recordings and the switch log (clean feed, 720p or 1080p), faster than real time',
        params: EventParamsSchema,
        body: RerenderRequestSchema,
        response: {
          200: Type.Object({ jobId: Type.String(), file: Type.String() }),
          ...ErrorResponses,
          409: ErrorResponses[400],
          422: ErrorResponses[400],
          429: ErrorResponses[400],
        },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const body = request.body;
      const recordings = await jobs.recordings(eventId);
      const note = body.recording === undefined ? recordings.at(-1) : recordings[body.recording];
      if (note === undefined)
        throw new AppError(
          404,
          'NOT_FOUND',
          `event ${eventId} has no recording${body.recording === undefined ? '' : ` #${body.recording}`}`,
          '/recording',
        );
      if (note.startedAt === null)
        throw new AppError(409, 'CONFLICT', 'the recording has no start time, so takes cannot be placed', '/recording');
      const fromMs = body.fromMs ?? note.startedAt;
      const toMs = body.toMs ?? note.endedAt;
      if (fromMs < note.startedAt || fromMs >= note.endedAt)
        throw new AppError(
          400,
          'INVALID',
          `fromMs must be inside the recording (${note.startedAt}–${note.endedAt})`,
          '/fromMs',
        );
      if (toMs <= fromMs || toMs > note.endedAt)
        throw new AppError(400, 'INVALID', `toMs must be after fromMs and at most ${note.endedAt}`, '/toMs');
      if (toMs - fromMs > MAX_RERENDER_MS)
        throw new AppError(400, 'INVALID', `a re-render covers at most ${MAX_RERENDER_MS} ms`, '/toMs');
      const video = parseVideoFormat(body.video ?? DEFAULT_VIDEO);
      if (!video.ok) throw new AppError(400, 'INVALID', `video: ${video.error.message}`, `/video${video.error.field}`);
      const cameras = await readIsoCameras(app.redis, app.redisKeys, eventId);
      const covered = await Promise.all(
        cameras.map(async (c) => (await readIsoSegments(app.redis, app.redisKeys, eventId, c, fromMs, toMs)).length),
      );
      if (!covered.some((n) => n > 0))
        throw new AppError(422, 'NO_ISO_COVERAGE', 'no camera has an ISO recording in that window', '/recording');
      const state = await app.program.requireState(eventId);
      const job = {
        eventId,
        fromMs,
        toMs,
        video: video.value,
        feed: body.feed ?? 'clean',
        isoDir: isoRoot,
        testSources: state.sources.filter((source) => source.kind === 'test').map((source) => source.id),
      };
      const jobId = JobClient.rerenderJobId(job);
      await answer(() => jobs.rerender({ ...job, outDir: join(exportsRoot, eventId, jobId) }));
      return { jobId, file: `/api/events/${eventId}/exports/${jobId}/${RERENDER_FILE}` };
    },
  );

  app.get(
    '/api/events/:eventId/exports/:jobId/:file',
    {
      ...control,
      schema: { tags: ['outputs'], summary: 'One file of a finished export', params: ExportFileParamsSchema },
    },
    async (request, reply) => {
      const { eventId, jobId, file } = request.params;
      // The job id pattern keeps the path inside the event's export directory.
      const path = join(exportsRoot, eventId, jobId, file);
      const info = await stat(path).catch(() => null);
      if (info === null || !info.isFile())
        throw new AppError(404, 'NOT_FOUND', `export file ${file} is not ready (or the export does not exist)`);
      const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
      return reply.header('content-type', type).header('content-length', info.size).send(createReadStream(path));
    },
  );
};

export default outputRoutes;
