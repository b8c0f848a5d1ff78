// Highlight reels: chosen replay clips, in order, joined by a transition, exported as one MP4 by the worker
// (clip export queue, worker/export/reel-export.ts) with progress. A reel is named by what it contains (its
// clips' versions and the transition), so asking twice for the same reel answers the same job.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ApiErrorSchema,
  CreateReelRequestSchema,
  DEFAULT_REEL_TRANSITION,
  parse,
  REEL_EXPORT_JOB,
  ReelExportJobSchema,
  ReelExportStatusSchema,
  type ReelExportJob,
  type ReelExportStatus,
  type Role,
} from '../../protocol/index.ts';
import type { RouteOptions } from '../app.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { exportJobOptions, exportJobStatus, openExportQueue, sendExport } from '../services/export-jobs.ts';

const REEL_ROLES: readonly Role[] = ['admin', 'director'];
/** Hex characters of the content hash that names a reel. */
const REEL_ID_CHARS = 16;

const ReelParamsSchema = Type.Object(
  { eventId: EventParamsSchema.properties.eventId, reelId: Type.String({ pattern: '^[a-z0-9]{1,40}$' }) },
  { additionalProperties: false },
);

const reelRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const dataDir = options.config.PITCHSIDE_DATA_DIR;
  const clips = app.replayClips;
  const reelsRoot = resolve(dataDir, 'exports', 'reels');
  const queue = openExportQueue(app);
  const jobId = (eventId: string, reelId: string) => `reel-${eventId}-${reelId}`;
  const reelFile = (eventId: string, reelId: string) => join(reelsRoot, eventId, `${reelId}.mp4`);

  const status = async (eventId: string, reelId: string): Promise<ReelExportStatus> => {
    const id = jobId(eventId, reelId);
    const url = `/api/events/${eventId}/replay/reels/${reelId}/reel.mp4`;
    const exported = await exportJobStatus(queue, id, url, '/reelId');
    const data = (await queue.getJob(id))?.data as ReelExportJob | undefined;
    if (data === undefined) throw new AppError(404, 'NOT_FOUND', `There is no reel "${reelId}".`, '/reelId');
    return { reelId, clips: data.clips.map((c) => c.clipId), transition: data.transition, ...exported };
  };

  app.post(
    '/api/events/:eventId/replay/reels',
    {
      config: { access: { roles: REEL_ROLES } },
      schema: {
        tags: ['replay'],
        summary:
          'Export a highlight reel: the clips in order joined by a transition (default a 0.5 s mix), one MP4 (a worker job; poll GET …/reels/:reel)',
        params: EventParamsSchema,
        body: CreateReelRequestSchema,
        response: { 200: ReelExportStatusSchema, ...ErrorResponses, 409: ApiErrorSchema, 422: ApiErrorSchema },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await app.events.require(eventId);
      const transition = request.body.transition ?? DEFAULT_REEL_TRANSITION;
      // Every id is checked before anything is queued: an unknown one names its place in the list.
      const chosen = await Promise.all(request.body.clips.map((id, i) => clips.playable(eventId, id, `/clips/${i}`)));
      const overlap = transition.type === 'cut' ? 0 : transition.durationMs;
      // A clip between two transitions must hold both: each would otherwise start inside the other.
      const short = chosen.findIndex((clip) => clip.toMs - clip.fromMs < 2 * overlap);
      if (short !== -1)
        throw new AppError(
          422,
          'TRANSITION_TOO_LONG',
          `Clip ${short} lasts ${chosen[short]!.toMs - chosen[short]!.fromMs} ms: a transition may take at most half of each clip.`,
          '/transition/durationMs',
        );
      const reelId = createHash('sha256')
        .update(JSON.stringify([chosen.map((c) => [c.id, c.version]), transition]))
        .digest('hex')
        .slice(0, REEL_ID_CHARS);
      const job: ReelExportJob = {
        eventId,
        reelId,
        clips: await Promise.all(
          chosen.map(async (clip) => ({
            clipId: clip.id,
            segments: (await clips.segments(eventId, clip)).map((s) => ({ path: s.path, startMs: s.startMs })),
            fromMs: clip.fromMs,
            toMs: clip.toMs,
          })),
        ),
        transition,
        out: reelFile(eventId, reelId),
      };
      const empty = job.clips.findIndex((clip) => clip.segments.length === 0);
      if (empty !== -1)
        throw new AppError(422, 'NO_ISO_COVERAGE', `Clip ${empty} has no ISO recording left.`, `/clips/${empty}`);
      // The job as the worker will read it (a schema drift here would fail every attempt there).
      const checked = parse(ReelExportJobSchema, job);
      if (!checked.ok) throw new Error(`reel job malformed at ${checked.error.field}: ${checked.error.message}`);
      await queue.add(REEL_EXPORT_JOB, job, exportJobOptions(jobId(eventId, reelId)));
      return status(eventId, reelId);
    },
  );

  app.get(
    '/api/events/:eventId/replay/reels/:reelId',
    {
      config: { access: { roles: REEL_ROLES } },
      schema: {
        tags: ['replay'],
        summary: 'A highlight reel export’s clips, state, progress and download URL',
        params: ReelParamsSchema,
        response: { 200: ReelExportStatusSchema, ...ErrorResponses },
      },
    },
    async (request) => status(request.params.eventId, request.params.reelId),
  );

  app.get(
    '/api/events/:eventId/replay/reels/:reelId/reel.mp4',
    {
      config: { access: { roles: REEL_ROLES } },
      schema: { tags: ['replay'], summary: 'The exported highlight reel (MP4)', params: ReelParamsSchema },
    },
    async (request, reply) => {
      const { eventId, reelId } = request.params;
      return sendExport(reply, reelFile(eventId, reelId), `reel-${reelId}`, '/reelId');
    },
  );
};

export default reelRoutes;
