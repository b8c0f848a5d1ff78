// Data feeds (protocol/data-feed.ts, docs/data-feeds.md): the push endpoint a scoring app or a script posts
// packets to with the event's feed key, and the console's setup of the feed (its key, source, mapping,
// staleness). Taking a field back and releasing it are graphics commands (feed.override, feed.release).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ApiErrorSchema,
  FEED_MANAGER_ROLES,
  FEED_SENDER_ROLES,
  FeedConfigPatchSchema,
  FeedConfigSchema,
  FeedKeyResponseSchema,
  FeedPacketSchema,
  FeedStateSchema,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';

const ConfigResponseSchema = Type.Object({ config: FeedConfigSchema });

const feedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/events/:eventId/feed',
    {
      config: { access: { roles: FEED_SENDER_ROLES } },
      schema: {
        tags: ['feed'],
        summary: 'A packet of match data from a feed (feed key, director or admin)',
        params: EventParamsSchema,
        body: FeedPacketSchema,
        // The feed key sees what its packet did to the feed, not the program state.
        response: {
          200: Type.Object({ revision: Type.Integer(), feed: FeedStateSchema }),
          ...ErrorResponses,
          409: ApiErrorSchema,
          422: ApiErrorSchema,
        },
      },
    },
    async (request) => {
      const answer = await app.dataFeed.receive(request.params.eventId, request.body, 'push', caller(request));
      return { revision: answer.revision, feed: answer.state.feed! };
    },
  );

  app.get(
    '/api/events/:eventId/feed/config',
    {
      config: { access: { roles: FEED_MANAGER_ROLES } },
      schema: {
        tags: ['feed'],
        summary: "The event's feed setup",
        params: EventParamsSchema,
        response: { 200: ConfigResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { config: await app.dataFeed.config(request.params.eventId) };
    },
  );

  app.put(
    '/api/events/:eventId/feed/config',
    {
      config: { access: { roles: FEED_MANAGER_ROLES } },
      schema: {
        tags: ['feed'],
        summary: "Change the event's feed setup (source, mapping, staleness), field by field",
        params: EventParamsSchema,
        body: FeedConfigPatchSchema,
        response: { 200: ConfigResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { config: await app.dataFeed.configure(request.params.eventId, request.body, caller(request)) };
    },
  );

  app.get(
    '/api/events/:eventId/feed/key',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['feed'],
        summary: "The event's feed key (null until one is made)",
        params: EventParamsSchema,
        response: { 200: FeedKeyResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { key: await app.apiKeys.feedKey(request.params.eventId) };
    },
  );

  app.post(
    '/api/events/:eventId/feed/key',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['feed'],
        summary: 'Make the event a feed key, or replace it (the old one stops working at once)',
        params: EventParamsSchema,
        response: { 200: FeedKeyResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { key: await app.apiKeys.rotateFeedKey(request.params.eventId) };
    },
  );
};

export default feedRoutes;
