// Commentary seats: each event's sound-only sources with their own keys (services/commentary-seats.ts).
import fp from 'fastify-plugin';
import { CommentarySeats } from '../../services/commentary-seats.ts';

declare module 'fastify' {
  interface FastifyInstance {
    commentary: CommentarySeats;
  }
}

export const commentaryPlugin = fp(
  async (app) => {
    app.decorate(
      'commentary',
      new CommentarySeats({
        redis: app.redis,
        keys: app.redisKeys,
        program: app.program,
        apiKeys: app.apiKeys,
        eventLog: app.eventLog,
      }),
    );
  },
  {
    name: 'pitchside-commentary',
    dependencies: ['pitchside-redis', 'pitchside-program', 'pitchside-api-keys', 'pitchside-event-log'],
  },
);
