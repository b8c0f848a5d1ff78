// What the producer's console reads beyond the event routes: one summary per event (status, cameras,
// outputs), the finished recordings with duration and size, the exports on disk with their download
// links (chapters as YouTube-style text), and stills of a recording at a server time for the switch log.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  EXPORT_FILES,
  EventIdSchema,
  eventStatusOf,
  formatDuration,
  EventSummarySchema,
  ExportViewSchema,
  RecordingFrameQuerySchema,
  RecordingViewSchema,
  type EventSummary,
  type ExportDownload,
  type ExportView,
  type OutputStatusMessage,
  type RecordingNote,
  type Role,
} from '../../protocol/index.ts';
import { runFfmpeg } from '../../runtime/ffmpeg.ts';
import { readRecordingNotes } from '../../outputs/recording-notes.ts';
import { readJobStatuses } from '../../outputs/job-status.ts';
import type { RouteOptions } from '../app.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { toEventView, type StoredEvent } from '../services/event-store.ts';

/** Who may see recordings and exports: the same roles that may start them. */
const OUTPUT_ROLES: readonly Role[] = ['admin', 'director'];
/** Switch-log stills are small: a timeline shows many of them. */
const FRAME_WIDTH_PX = 256;
/** Stills are cached per whole second of the recording (the second at or after the time asked for). */
const FRAME_STEP_MS = 1000;
export const CHAPTERS_FILE = 'youtube-chapters.txt';

const EXPORT_PATHS: Record<Exclude<ExportDownload, 'chapters'>, string> = {
  mp4: EXPORT_FILES.video,
  poster: EXPORT_FILES.poster,
  thumbnails: EXPORT_FILES.thumbnails,
  edl: EXPORT_FILES.edl,
};

const ExportParamsSchema = Type.Object(
  { eventId: EventIdSchema, jobId: Type.String({ pattern: '^export-[a-z0-9-]+$', maxLength: 120 }) },
  { additionalProperties: false },
);
const RecordingParamsSchema = Type.Object(
  { eventId: EventIdSchema, index: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

/** ffmetadata chapters (worker/export/chapters.ts) as the lines YouTube reads from a description. */
export function youtubeChapters(ffmetadata: string): string {
  const lines: string[] = [];
  for (const block of ffmetadata.split('[CHAPTER]').slice(1)) {
    const start = /START=(\d+)/.exec(block)?.[1];
    const title = /title=(.*)/.exec(block)?.[1]?.replace(/\\(.)/g, '$1') ?? '';
    if (start === undefined) continue;
    lines.push(`${formatDuration(Number(start))} ${title}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const consoleRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const dataDir = resolve(options.config.PITCHSIDE_DATA_DIR);
  const exportsRoot = join(dataDir, 'exports');
  const framesRoot = join(dataDir, 'frames');

  const summarise = async (event: StoredEvent): Promise<EventSummary> => {
    const [statuses, cameras] = await Promise.all([
      readJobStatuses(app.redis, app.redisKeys, event.id),
      app.cameras.list(event.id),
    ]);
    const output = statuses.find((s): s is OutputStatusMessage => s.type === 'job.output') ?? null;
    const running = (output?.outputs ?? []).filter((o) => ['starting', 'live', 'retrying'].includes(o.state));
    return {
      event: toEventView(event),
      status: eventStatusOf(output),
      cameras: { total: cameras.length, live: cameras.filter((c) => c.status === 'live').length },
      outputsRunning: running.length,
      recording: running.some((o) => o.kind === 'recording'),
    };
  };

  const recording = async (eventId: string, index: number): Promise<RecordingNote> => {
    await app.events.require(eventId);
    const note = (await readRecordingNotes(app.redis, app.redisKeys, eventId))[index];
    if (note === undefined) throw new AppError(404, 'NOT_FOUND', `Event ${eventId} has no recording #${index}.`);
    return note;
  };

  app.get(
    '/api/event-summaries',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['console'],
        summary: 'Every event with its status, cameras and running outputs (the console list)',
        response: { 200: Type.Object({ events: Type.Array(EventSummarySchema) }), ...ErrorResponses },
      },
    },
    async () => {
      const events = await app.events.list();
      return { events: await Promise.all(events.sort((a, b) => b.createdAt - a.createdAt).map(summarise)) };
    },
  );

  app.get(
    '/api/events/:eventId/recordings',
    {
      config: { access: { roles: OUTPUT_ROLES } },
      schema: {
        tags: ['console'],
        summary: 'Finished recordings with duration and size (exports take their index)',
        params: EventParamsSchema,
        response: { 200: Type.Object({ recordings: Type.Array(RecordingViewSchema) }), ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      const notes = await readRecordingNotes(app.redis, app.redisKeys, request.params.eventId);
      const recordings = await Promise.all(
        notes.map(async (note, index) => {
          const info = await stat(note.file).catch(() => null);
          return {
            index,
            name: basename(note.file),
            startedAt: note.startedAt,
            endedAt: note.endedAt,
            durationMs: note.startedAt === null ? null : Math.max(0, note.endedAt - note.startedAt),
            bytes: info?.isFile() === true ? info.size : null,
            recovered: note.recovered === true,
          };
        }),
      );
      return { recordings };
    },
  );

  app.get(
    '/api/events/:eventId/exports',
    {
      config: { access: { roles: OUTPUT_ROLES } },
      schema: {
        tags: ['console'],
        summary: 'Exports on disk, newest first, with the download path of each file written so far',
        params: EventParamsSchema,
        response: { 200: Type.Object({ exports: Type.Array(ExportViewSchema) }), ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await app.events.require(eventId);
      const root = join(exportsRoot, eventId);
      const dirs = await readdir(root, { withFileTypes: true }).catch(() => []);
      const views: ExportView[] = [];
      for (const dir of dirs) {
        if (!dir.isDirectory() || !/^export-[a-z0-9-]+$/.test(dir.name)) continue;
        const path = join(root, dir.name);
        const present = new Set(await readdir(path));
        const base = `/api/events/${eventId}/exports/${dir.name}`;
        const files: ExportView['files'] = {};
        for (const [download, file] of Object.entries(EXPORT_PATHS)) {
          if (present.has(file)) files[download as ExportDownload] = `${base}/${file}`;
        }
        if (present.has(EXPORT_FILES.metadata)) files.chapters = `${base}/${CHAPTERS_FILE}`;
        views.push({ jobId: dir.name, createdAt: (await stat(path)).birthtimeMs || (await stat(path)).ctimeMs, files });
      }
      return { exports: views.sort((a, b) => b.createdAt - a.createdAt) };
    },
  );

  app.get(
    `/api/events/:eventId/exports/:jobId/${CHAPTERS_FILE}`,
    {
      config: { access: { roles: OUTPUT_ROLES } },
      schema: {
        tags: ['console'],
        summary: "An export's chapters as YouTube reads them in a description (0:00 Title)",
        params: ExportParamsSchema,
      },
    },
    async (request, reply) => {
      const { eventId, jobId } = request.params;
      const text = await readFile(join(exportsRoot, eventId, jobId, EXPORT_FILES.metadata), 'utf8').catch(() => null);
      if (text === null) throw new AppError(404, 'NOT_FOUND', 'The export has no chapters yet.');
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${eventId}-chapters.txt"`)
        .send(youtubeChapters(text));
    },
  );

  app.get(
    '/api/events/:eventId/recordings/:index/frame.jpg',
    {
      config: { access: { roles: OUTPUT_ROLES } },
      schema: {
        tags: ['console'],
        summary: 'A still of a finished recording at a server time (switch-log thumbnails)',
        params: RecordingParamsSchema,
        querystring: RecordingFrameQuerySchema,
      },
    },
    async (request, reply) => {
      const { eventId, index } = request.params;
      const note = await recording(eventId, index);
      if (note.startedAt === null)
        throw new AppError(409, 'CONFLICT', 'The recording has no start time, so no time maps onto it.', '/index');
      const offsetMs = request.query.at - note.startedAt;
      if (offsetMs < 0 || request.query.at > note.endedAt)
        throw new AppError(400, 'INVALID', 'That time is outside the recording.', '/querystring/at');
      // The cached second at or after the time asked for, never before it: a still asked for just after a take
      // and floored to the second before showed the source the take left (seen in a loaded test run).
      const last = Math.max(0, Math.ceil((note.endedAt - note.startedAt) / FRAME_STEP_MS) - 1);
      const second = Math.min(Math.ceil(offsetMs / FRAME_STEP_MS), last);
      const dir = join(framesRoot, eventId, String(index));
      const file = join(dir, `${second}.jpg`);
      if ((await stat(file).catch(() => null)) === null) {
        await mkdir(dir, { recursive: true });
        // Written aside and renamed, so a concurrent request never reads half a JPEG.
        const partial = `${file}.${process.pid}.${Date.now()}.partial.jpg`;
        await runFfmpeg([
          '-ss',
          String((second * FRAME_STEP_MS) / 1000),
          '-i',
          note.file,
          '-frames:v',
          '1',
          '-vf',
          `scale=${FRAME_WIDTH_PX}:-2`,
          '-q:v',
          '5',
          partial,
        ]).catch(() => {
          throw new AppError(404, 'NOT_FOUND', 'No picture at that time (the recording is not readable here).');
        });
        await rename(partial, file);
      }
      return reply
        .type('image/jpeg')
        .header('cache-control', 'private, max-age=86400, immutable')
        .send(createReadStream(file));
    },
  );
};

export default consoleRoutes;
