// Data feeds: each event's feed setup, packets into program state and the staleness watchdog
// (services/data-feed.ts).
import fp from 'fastify-plugin';
import { DataFeedService } from '../../services/data-feed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    dataFeed: DataFeedService;
  }
}

export const dataFeedPlugin = fp(
  async (app) => {
    const service = new DataFeedService({
      redis: app.redis,
      keys: app.redisKeys,
      program: app.program,
      eventLog: app.eventLog,
      outbound: app.outbound,
    });
    app.decorate('dataFeed', service);
    // Scoreboard controllers and polled URLs connect from the start, as the producer left them.
    app.addHook('onReady', async () => service.startAll((await app.events.list()).map((event) => event.id)));
    app.addHook('onClose', () => service.close());
  },
  {
    name: 'pitchside-data-feed',
    dependencies: [
      'pitchside-redis',
      'pitchside-program',
      'pitchside-event-log',
      'pitchside-events',
      'pitchside-outbound',
    ],
  },
);
