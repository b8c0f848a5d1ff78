// The event log: a capped stream per event and a live `log` frame to its pages.
import fp from 'fastify-plugin';
import { EventLog } from '../../services/event-log.ts';

export interface EventLogPluginOptions {
  /** Entries kept per event (LOG_STREAM_MAX_ENTRIES). */
  logStreamMaxEntries: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    eventLog: EventLog;
  }
}

export const eventLogPlugin = fp<EventLogPluginOptions>(
  async (app, options) => {
    app.decorate('eventLog', new EventLog(app.redis, app.redisKeys, options.logStreamMaxEntries));
  },
  { name: 'pitchside-event-log', dependencies: ['pitchside-redis'] },
);
