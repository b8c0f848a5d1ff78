// Stored OGraf graphics (services/ograf-store.ts): the routes store and list them, the program service reads
// an event's catalog for ograf.load and ograf.update.
import fp from 'fastify-plugin';
import { OGrafStore } from '../../services/ograf-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ograf: OGrafStore;
  }
}

export const ografPlugin = fp(
  async (app) => {
    app.decorate('ograf', new OGrafStore(app.redis, app.redisKeys));
  },
  { name: 'pitchside-ograf', dependencies: ['pitchside-redis'] },
);
