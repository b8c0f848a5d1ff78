// Instant replay: ISO segments uploaded by camera and commentary pages, the ISO ranges, replay clips (mark, list, nudge,
// delete, thumbnail, media) and playing a clip on program through the reducer (replay.play / replay.stop).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ClipExportStatusSchema,
  ClipListResponseSchema,
  ClipResponseSchema,
  CLIP_MEDIA_PATTERN,
  CommandResponseSchema,
  CreateClipRequestSchema,
  IsoListResponseSchema,
  IsoSegmentSchema,
  IsoUploadQuerySchema,
  ISO_SEGMENT_MS,
  type IsoUploadQuery,
  PlayReplayRequestSchema,
  SourceIdSchema,
  UpdateClipRequestSchema,
  ApiErrorSchema,
  type ClipExportJob,
  type ClipExportStatus,
  type Role,
} from '../../protocol/index.ts';
import type { RouteOptions } from '../app.ts';
import { caller } from '../plugins/auth.ts';
import { SeatParamsSchema } from '../schemas/cameras.ts';
import { ErrorResponses, EventParamsSchema, NoContentSchema, UploadRefusals } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { runCommand } from '../services/command-runner.ts';
import { exportJobOptions, exportJobStatus, openExportQueue, sendExport } from '../services/export-jobs.ts';
import { isoRetentionSweeper } from '../services/iso-retention.ts';
import { MAX_ISO_SEGMENT_BYTES } from '../services/iso-store.ts';
import { ReplayClipWaits } from '../services/replay-clip-waits.ts';
import { clipRef, clipView, type StoredClip } from '../services/replay-clips.ts';

const REPLAY_ROLES: readonly Role[] = ['admin', 'director'];
/** The template plays clip media; the graphics desk's monitor is a template too. */
const MEDIA_ROLES: readonly Role[] = ['admin', 'director', 'graphics', 'template'];
/** A seat's ISO is sound only: MediaRecorder labels it audio/webm. */
const MEDIA_TYPE = /^(video\/(webm|x-matroska|mp4)|audio\/webm)\b/;
const CONTENT_TYPES: Record<string, string> = { webm: 'video/webm', mkv: 'video/x-matroska', mp4: 'video/mp4' };

const ClipParamsSchema = Type.Object(
  { eventId: EventParamsSchema.properties.eventId, clipId: Type.String({ pattern: '^[a-z0-9]{1,40}$' }) },
  { additionalProperties: false },
);

const replayRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const { iso, replayClips: clips } = app;
  const waits = new ReplayClipWaits({
    clips,
    program: app.program,
    log: app.log.child({ component: 'replay-clips' }),
  });
  // Before requests: a clip whose wait ended while no controller ran is settled first.
  app.addHook('onReady', () => waits.start());
  app.addHook('onClose', () => waits.close());
  const isoRetention = isoRetentionSweeper({
    redis: app.redis,
    keys: app.redisKeys,
    root: iso.root,
    days: options.config.ISO_RETENTION_DAYS,
    log: app.log.child({ component: 'iso-retention' }),
  });
  app.addHook('onReady', () => isoRetention.start());
  app.addHook('onClose', () => isoRetention.close());
  const exportsRoot = resolve(options.config.PITCHSIDE_DATA_DIR, 'exports', 'clips');
  const exportQueue = openExportQueue(app);
  /** One export per clip version: a second click answers the same job. */
  const exportJobId = (eventId: string, clip: { id: string; version: number }) =>
    `clip-${eventId}-${clip.id}-${clip.version}`;
  const exportFile = (eventId: string, clip: { id: string; version: number }) =>
    join(exportsRoot, eventId, `${clip.id}-${clip.version}.mp4`);

  // Segments arrive as raw media bodies (this plugin's scope only; every other route stays JSON).
  app.addContentTypeParser(MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: MAX_ISO_SEGMENT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  const requireSource = async (eventId: string, source: string): Promise<void> => {
    const state = await app.program.requireState(eventId);
    if (!state.sources.some((s) => s.id === source))
      throw new AppError(404, 'UNKNOWN_SOURCE', `There is no source "${source}".`, '/source');
  };

  /**
   * A marked or nudged clip is cued in the program state, so every renderer (the recorder, Egress, the
   * monitors) starts loading its media now, seconds before a director plays it. Preloading beats a longer
   * play-to-roll delay (REPLAY_CUE_MS stays short for a director's timing) and beats renderers reporting
   * readiness (the controller cannot know every renderer: an Egress page or a monitor may come and go, and a
   * stuck one must not hold the replay off air). A renderer still without the clip's first frame when the
   * replay rolls draws the live picture instead of black (template/sources/replay-feed.ts).
   */
  const cue = async (eventId: string, clip: StoredClip, request: FastifyRequest): Promise<void> => {
    await app.program.apply(eventId, { type: 'replay.cue', clip: clipRef(clip) }, caller(request));
  };
  /** A clip with media is cued now; a pending one when it settles (ReplayClipWaits). */
  const settledOrWaiting = async (eventId: string, clip: StoredClip, request: FastifyRequest): Promise<void> => {
    if (clip.status === 'pending') void waits.check(eventId, clip.id);
    else if (clip.status !== 'failed') await cue(eventId, clip, request);
  };

  /**
   * One ISO segment of a camera or a commentary seat (sound only): checked, charged to the uploader's quota,
   * stored and indexed under the source's id. Only while ISO is armed, or the segment the page was recording
   * when it was disarmed.
   */
  const storeIsoSegment = async (request: FastifyRequest, eventId: string, sourceId: string, query: IsoUploadQuery) => {
    const body = request.body;
    if (!Buffer.isBuffer(body)) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the segment as video/webm.');
    const mime = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const upload = { ...query, mime, body };
    iso.check(upload);
    const state = await app.program.requireState(eventId);
    if (state.isoArmed !== true && !(upload.startMs < (state.isoChangedAt ?? Number.NEGATIVE_INFINITY)))
      throw new AppError(
        409,
        'ISO_NOT_ARMED',
        'ISO recording is not armed for this event: segments are taken while it is (the director arms it, or recording starts).',
        '/querystring/startMs',
      );
    await app.uploads.charge(
      'iso',
      eventId,
      caller(request).keyId,
      { bytes: body.length, files: 1, mediaMs: upload.endMs - upload.startMs },
      '/body',
    );
    return iso.append(eventId, sourceId, upload);
  };
  const isoUploadResponses = {
    200: Type.Object({ segment: IsoSegmentSchema }),
    ...ErrorResponses,
    ...UploadRefusals,
    415: ApiErrorSchema,
  };

  app.post(
    '/api/events/:eventId/cameras/:cameraId/iso',
    {
      config: { access: { roles: ['admin', 'director', 'camera'], ownCamera: true } },
      bodyLimit: MAX_ISO_SEGMENT_BYTES,
      schema: {
        tags: ['replay'],
        summary: 'Upload one ISO segment of this camera (a complete WebM/MP4 file; its server-time span in the query)',
        params: Type.Object(
          { eventId: EventParamsSchema.properties.eventId, cameraId: SourceIdSchema },
          { additionalProperties: false },
        ),
        querystring: IsoUploadQuerySchema,
        response: isoUploadResponses,
      },
    },
    async (request) => {
      const { eventId, cameraId } = request.params;
      if ((await app.cameras.get(eventId, cameraId)) === null)
        throw new AppError(404, 'NOT_FOUND', `Camera "${cameraId}" is not registered.`, '/cameraId');
      const segment = await storeIsoSegment(request, eventId, cameraId, request.query);
      // Not awaited: the camera's next segment must not wait for a clip's media.
      void waits.handleSegment(eventId, cameraId);
      return { segment };
    },
  );

  app.post(
    '/api/events/:eventId/commentary/:seatId/iso',
    {
      config: { access: { roles: ['admin', 'director', 'commentary'], ownSeat: true } },
      bodyLimit: MAX_ISO_SEGMENT_BYTES,
      schema: {
        tags: ['replay'],
        summary:
          'Upload one ISO segment of this commentary seat (its microphone alone, audio WebM; its server-time span in the query)',
        params: SeatParamsSchema,
        querystring: IsoUploadQuerySchema,
        response: isoUploadResponses,
      },
    },
    async (request) => {
      const { eventId, seatId } = request.params;
      await app.commentary.require(eventId, seatId);
      return { segment: await storeIsoSegment(request, eventId, seatId, request.query) };
    },
  );

  app.get(
    '/api/events/:eventId/iso',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'Every camera’s ISO recording as gap-free server-time ranges',
        params: EventParamsSchema,
        response: { 200: IsoListResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { ranges: await iso.ranges(request.params.eventId), segmentMs: ISO_SEGMENT_MS };
    },
  );

  app.post(
    '/api/events/:eventId/replay/clips',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary:
          'Mark a clip of a camera: {source, lastSeconds} or {source, fromMs, toMs} (server ms); pending until its ISO arrives',
        params: EventParamsSchema,
        body: CreateClipRequestSchema,
        response: { 200: ClipResponseSchema, ...ErrorResponses, 422: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      // The mark is of the moment the request came in, however long a loaded controller took to get here.
      const at = Math.round(Date.now() - reply.elapsedTime);
      const { eventId } = request.params;
      await requireSource(eventId, request.body.source);
      const clip = await clips.create(eventId, request.body, at);
      await settledOrWaiting(eventId, clip, request);
      return { clip: clipView(eventId, clip) };
    },
  );

  app.get(
    '/api/events/:eventId/replay/clips',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'The event’s clips, oldest first, with thumbnail and media URLs',
        params: EventParamsSchema,
        response: { 200: ClipListResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await app.events.require(eventId);
      return { clips: (await clips.list(eventId)).map((clip) => clipView(eventId, clip)) };
    },
  );

  app.patch(
    '/api/events/:eventId/replay/clips/:clipId',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'Nudge a clip’s in and/or out point',
        params: ClipParamsSchema,
        body: UpdateClipRequestSchema,
        response: { 200: ClipResponseSchema, ...ErrorResponses, 422: ApiErrorSchema },
      },
    },
    async (request) => {
      const { eventId, clipId } = request.params;
      const clip = await clips.update(eventId, clipId, request.body);
      await settledOrWaiting(eventId, clip, request);
      return { clip: clipView(eventId, clip) };
    },
  );

  app.delete(
    '/api/events/:eventId/replay/clips/:clipId',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'Delete a clip and its media',
        params: ClipParamsSchema,
        response: { 204: NoContentSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId, clipId } = request.params;
      await clips.delete(eventId, clipId);
      const state = await app.program.requireState(eventId);
      if (state.replayCue?.id === clipId)
        await app.program.apply(eventId, { type: 'replay.cue', clip: null }, caller(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/events/:eventId/replay/clips/:clipId/thumbnail.jpg',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: { tags: ['replay'], summary: 'The clip’s picture at its in point (JPEG)', params: ClipParamsSchema },
    },
    async (request, reply) => {
      const { eventId, clipId } = request.params;
      const path = await clips.thumbnail(eventId, await clips.playable(eventId, clipId));
      const info = await stat(path);
      return reply
        .header('content-type', 'image/jpeg')
        .header('content-length', info.size)
        .send(createReadStream(path));
    },
  );

  app.get(
    '/api/events/:eventId/replay/media/:file',
    {
      config: { access: { roles: MEDIA_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'A clip’s media (what the template plays); byte ranges for seeking',
        params: Type.Object(
          { eventId: EventParamsSchema.properties.eventId, file: Type.String({ pattern: CLIP_MEDIA_PATTERN }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { eventId, file } = request.params;
      const path = join(clips.clipsDir(eventId), file);
      const info = await stat(path).catch(() => null);
      if (info === null) throw new AppError(404, 'NOT_FOUND', `No clip media "${file}".`, '/file');
      const type = CONTENT_TYPES[file.split('.').at(-1) ?? ''] ?? 'application/octet-stream';
      reply
        .header('content-type', type)
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, max-age=3600');
      const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
      if (range === null) return reply.header('content-length', info.size).send(createReadStream(path));
      const start = range[1] === '' ? Math.max(0, info.size - Number(range[2])) : Number(range[1]);
      const end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
      if (start > end || start >= info.size)
        return reply.code(416).header('content-range', `bytes */${info.size}`).send();
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${info.size}`)
        .header('content-length', end - start + 1)
        .send(createReadStream(path, { start, end }));
    },
  );

  app.post(
    '/api/events/:eventId/replay/clips/:clipId/export',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'Export the clip as an H.264/AAC MP4 (a worker job; poll GET …/export)',
        params: ClipParamsSchema,
        response: { 200: ClipExportStatusSchema, ...ErrorResponses, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      const { eventId, clipId } = request.params;
      const clip = await clips.playable(eventId, clipId);
      const segments = await clips.segments(eventId, clip);
      const jobId = exportJobId(eventId, clip);
      const job: ClipExportJob = {
        eventId,
        clipId,
        segments: segments.map((s) => ({ path: s.path, startMs: s.startMs })),
        fromMs: clip.fromMs,
        toMs: clip.toMs,
        out: exportFile(eventId, clip),
      };
      await exportQueue.add('clip-export', job, exportJobOptions(jobId));
      return exportStatus(eventId, clip);
    },
  );

  const exportStatus = (eventId: string, clip: { id: string; version: number }): Promise<ClipExportStatus> =>
    exportJobStatus(
      exportQueue,
      exportJobId(eventId, clip),
      `/api/events/${eventId}/replay/clips/${clip.id}/clip.mp4`,
      '/clipId',
    );

  app.get(
    '/api/events/:eventId/replay/clips/:clipId/export',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'The clip export’s state, progress and download URL',
        params: ClipParamsSchema,
        response: { 200: ClipExportStatusSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId, clipId } = request.params;
      return exportStatus(eventId, await clips.get(eventId, clipId));
    },
  );

  app.get(
    '/api/events/:eventId/replay/clips/:clipId/clip.mp4',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: { tags: ['replay'], summary: 'The exported clip (MP4)', params: ClipParamsSchema },
    },
    async (request, reply) => {
      const { eventId, clipId } = request.params;
      return sendExport(reply, exportFile(eventId, await clips.get(eventId, clipId)), clipId, '/clipId');
    },
  );

  app.post(
    '/api/events/:eventId/replay/play',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary:
          'Play a clip on program at 1, 0.5 or 0.25× (return to the live source at the end unless return: false)',
        params: EventParamsSchema,
        body: PlayReplayRequestSchema,
        response: { 200: CommandResponseSchema, ...ErrorResponses, 409: ApiErrorSchema, 422: ApiErrorSchema },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const body = request.body;
      const clip = await clips.playable(eventId, body.clip, '/clip');
      return runCommand(
        app.program,
        app.metrics,
        eventId,
        {
          type: 'replay.play',
          clip: clipRef(clip),
          speed: body.speed,
          ...(body.return === undefined ? {} : { return: body.return }),
          ...(body.audio === undefined ? {} : { audio: body.audio }),
        },
        caller(request),
      );
    },
  );

  app.post(
    '/api/events/:eventId/replay/stop',
    {
      config: { access: { roles: REPLAY_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'End the replay now: back to the live source that was on program before it',
        params: EventParamsSchema,
        response: { 200: CommandResponseSchema, ...ErrorResponses, 422: ApiErrorSchema },
      },
    },
    async (request) =>
      runCommand(app.program, app.metrics, request.params.eventId, { type: 'replay.stop' }, caller(request)),
  );
};

export default replayRoutes;
