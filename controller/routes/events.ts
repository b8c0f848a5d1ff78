// Events CRUD (admin), and the event as every role of it may read it (stream keys masked).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  EventCreateSchema,
  EventSchema,
  EventUpdateSchema,
  ROLES,
  WatchInfoSchema,
  type DestinationsMessage,
  type WatchMessage,
} from '../../protocol/index.ts';
import { ErrorResponses, EventParamsSchema, NoContentSchema } from '../schemas/common.ts';
import { toDestinationView, toEventView } from '../services/event-store.ts';
import { readWatchInfo } from '../services/watch-info.ts';
import { vetDestinations } from '../services/outbound-checks.ts';
import { syncProgramWithEvent } from '../services/event-program-sync.ts';
import { caller } from '../plugins/auth.ts';
import { stopOutputs } from '../../outputs/job-client.ts';

const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/events',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['events'],
        summary: 'Every event',
        response: { 200: Type.Object({ events: Type.Array(EventSchema) }), ...ErrorResponses },
      },
    },
    async () => ({ events: (await app.events.list()).map(toEventView) }),
  );

  app.post(
    '/api/events',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['events'],
        summary: 'Create an event (and its role keys)',
        body: EventCreateSchema,
        response: { 201: EventSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      await vetDestinations(app.outbound, request.body.destinations ?? []);
      const event = await app.events.create(request.body);
      await app.apiKeys.ensureEventKeys(event.id);
      return reply.code(201).send(toEventView(event));
    },
  );

  app.get(
    '/api/events/:eventId',
    {
      // Operators only: the event carries the camera join code (which yields a camera key) and the
      // destinations; viewers, cameras and the template read GET …/watch instead.
      config: { access: { roles: ['admin', 'director', 'graphics'] } },
      schema: {
        tags: ['events'],
        summary: 'One event (operators)',
        params: EventParamsSchema,
        response: { 200: EventSchema, ...ErrorResponses },
      },
    },
    async (request) => toEventView(await app.events.require(request.params.eventId)),
  );

  app.get(
    '/api/events/:eventId/watch',
    {
      config: { access: { roles: ROLES, publicPlayback: true } },
      schema: {
        tags: ['events'],
        summary: 'What the viewer page shows: name, public channel ids and status (upcoming | live | ended); no keys',
        params: EventParamsSchema,
        response: { 200: WatchInfoSchema, ...ErrorResponses },
      },
    },
    async (request) => readWatchInfo(app.redis, app.redisKeys, await app.events.require(request.params.eventId)),
  );

  app.patch(
    '/api/events/:eventId',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['events'],
        summary: 'Edit an event; a destination that keeps its id and omits streamKey keeps its key',
        params: EventParamsSchema,
        body: EventUpdateSchema,
        response: { 200: EventSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await vetDestinations(app.outbound, request.body.destinations ?? []);
      const before = await app.events.require(request.params.eventId);
      const event = await app.events.update(request.params.eventId, request.body);
      await syncProgramWithEvent(app.program, before, event, caller(request));
      if (request.body.destinations !== undefined) {
        const frame: DestinationsMessage = {
          type: 'destinations',
          eventId: event.id,
          destinations: event.destinations.map(toDestinationView),
        };
        await app.realtime.publish(frame);
      }
      if (request.body.channels !== undefined) {
        const frame: WatchMessage = {
          type: 'watch',
          eventId: event.id,
          watch: await readWatchInfo(app.redis, app.redisKeys, event),
        };
        await app.realtime.publish(frame);
      }
      return toEventView(event);
    },
  );

  app.delete(
    '/api/events/:eventId',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['events'],
        summary: 'Delete an event with its state, logs, cameras and keys; its running outputs stop',
        params: EventParamsSchema,
        response: { 204: NoContentSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      // A deleted event must not stay on air: its outputs are told to stop before it disappears.
      await app.events.require(request.params.eventId);
      await stopOutputs(app.redis, app.redisKeys, request.params.eventId);
      await app.events.delete(request.params.eventId);
      await app.apiKeys.revokeEvent(request.params.eventId);
      return reply.code(204).send(null);
    },
  );
};

export default eventRoutes;
