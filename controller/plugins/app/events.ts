// The event store: events, their destinations (secrets stay inside) and join codes.
import fp from 'fastify-plugin';
import { EventStore } from '../../services/event-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    events: EventStore;
  }
}

export const eventsPlugin = fp(
  async (app) => {
    app.decorate('events', new EventStore(app.redis, app.redisKeys));
  },
  { name: 'pitchside-events', dependencies: ['pitchside-redis'] },
);
