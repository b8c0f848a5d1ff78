// The switch log (JSON and CSV), the event log and presence, read by time range.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  EventLogEntrySchema,
  PresenceSchema,
  SwitchLogEntrySchema,
  TimeRangeQuerySchema,
  type Role,
} from '../../protocol/index.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { switchLogCsv } from '../../outputs/switch-log.ts';

const LOG_ROLES: readonly Role[] = ['admin', 'director', 'graphics'];
/** `key` may come in the query (download links), so the range query accepts it too. */
const RangeQuerySchema = Type.Object(
  { ...TimeRangeQuerySchema.properties, key: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

const logRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** A log read by server time range (ms, inclusive): the switch log and the event log answer alike. */
  const rangeLogRoute = <Entry extends TSchema>(
    path: string,
    summary: string,
    entry: Entry,
    read: (eventId: string, range: Static<typeof RangeQuerySchema>) => Promise<Static<Entry>[]>,
  ) =>
    app.get(
      `/api/events/:eventId/${path}`,
      {
        config: { access: { roles: LOG_ROLES } },
        schema: {
          tags: ['logs'],
          summary,
          params: EventParamsSchema,
          querystring: RangeQuerySchema,
          response: { 200: Type.Object({ entries: Type.Array(entry) }), ...ErrorResponses },
        },
      },
      async (request) => {
        await app.events.require(request.params.eventId);
        return { entries: await read(request.params.eventId, request.query) };
      },
    );

  rangeLogRoute('switch-log', 'Takes by server time range (ms, inclusive)', SwitchLogEntrySchema, (eventId, range) =>
    app.switchLog.query(eventId, range),
  );
  rangeLogRoute(
    'event-log',
    'Camera, stream, egress and error entries by time range',
    EventLogEntrySchema,
    (eventId, range) => app.eventLog.query(eventId, range),
  );

  app.get(
    '/api/events/:eventId/switch-log.csv',
    {
      config: { access: { roles: LOG_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'The switch log as CSV',
        params: EventParamsSchema,
        querystring: RangeQuerySchema,
      },
    },
    async (request, reply) => {
      await app.events.require(request.params.eventId);
      const entries = await app.switchLog.query(request.params.eventId, request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.eventId}-switch-log.csv"`)
        .send(switchLogCsv(entries));
    },
  );

  app.get(
    '/api/events/:eventId/presence',
    {
      config: { access: { roles: LOG_ROLES } },
      schema: {
        tags: ['realtime'],
        summary: 'Viewers and online panels now (all controller processes)',
        params: EventParamsSchema,
        response: { 200: PresenceSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return app.presence.count(request.params.eventId);
    },
  );
};

export default logRoutes;
