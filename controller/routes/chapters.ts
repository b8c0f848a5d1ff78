// Chapter markers: a director (or a control surface's CreateRecordChapter) marks a moment by name; VOD
// exports of a recording that spans markers use them as chapters.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ChapterMarkerSchema, type Role } from '../../protocol/index.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { ChapterMarkers } from '../services/chapter-markers.ts';

const MARK_ROLES: readonly Role[] = ['admin', 'director'];
const READ_ROLES: readonly Role[] = ['admin', 'director', 'graphics'];

const chapterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const markers = new ChapterMarkers(app.redis, app.redisKeys);

  app.post(
    '/api/events/:eventId/chapters',
    {
      config: { access: { roles: MARK_ROLES } },
      schema: {
        tags: ['outputs'],
        summary: 'Mark a named chapter at the server time now (exports use markers as chapters)',
        params: EventParamsSchema,
        body: Type.Object(
          { name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ chapter: ChapterMarkerSchema }), ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { chapter: await markers.add(request.params.eventId, Date.now(), request.body.name) };
    },
  );

  app.get(
    '/api/events/:eventId/chapters',
    {
      config: { access: { roles: READ_ROLES } },
      schema: {
        tags: ['outputs'],
        summary: 'The event’s chapter markers, oldest first',
        params: EventParamsSchema,
        response: { 200: Type.Object({ chapters: Type.Array(ChapterMarkerSchema) }), ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { chapters: await markers.list(request.params.eventId) };
    },
  );
};

export default chapterRoutes;
