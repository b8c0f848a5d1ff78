// Role keys: the caller's own identity (every role), the admin's list and rotation of an event's keys, and
// signed URLs (a download or a media element's link that must work without the key in it).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  EventIdSchema,
  EventRoleSchema,
  ROLES,
  RoleKeySchema,
  SIGNED_URL_ROLES,
  SIGNED_URL_TTL_MS,
  SignedUrlAnswerSchema,
  SignedUrlRequestSchema,
  WhoAmISchema,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';

const keyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/me',
    {
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['keys'],
        summary: 'The role and event of the key presented',
        response: { 200: WhoAmISchema, ...ErrorResponses },
      },
    },
    async (request) => caller(request),
  );

  app.get(
    '/api/events/:eventId/keys',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['keys'],
        summary: "The event's role keys (admin)",
        params: EventParamsSchema,
        response: { 200: Type.Object({ keys: Type.Array(RoleKeySchema) }), ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { keys: await app.apiKeys.ensureEventKeys(request.params.eventId) };
    },
  );

  app.post(
    '/api/events/:eventId/keys/:role/rotate',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['keys'],
        summary: 'Replace a role key; the old one stops working at once',
        params: Type.Object({ eventId: EventIdSchema, role: EventRoleSchema }, { additionalProperties: false }),
        response: { 200: RoleKeySchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return app.apiKeys.rotate(request.params.eventId, request.params.role);
    },
  );

  app.post(
    '/api/signed-urls',
    {
      config: { access: { roles: SIGNED_URL_ROLES } },
      schema: {
        tags: ['keys'],
        summary: `A URL for GET on one API path that works without the key for ${SIGNED_URL_TTL_MS / 60_000} min, as the caller`,
        body: SignedUrlRequestSchema,
        response: { 200: SignedUrlAnswerSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      // It grants nothing the caller lacks: the path's own access rule is checked when the URL is used.
      const expiresAt = Date.now() + SIGNED_URL_TTL_MS;
      return { url: await app.apiKeys.signUrl(caller(request), request.body.path, expiresAt), expiresAt };
    },
  );
};

export default keyRoutes;
