// Who is connected to each event, across controller processes: members are kept alive by heartbeat and
// named by a random per-process id, so one process's leftovers never count as another's.
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import { PresenceTracker } from '../../services/presence-tracker.ts';

declare module 'fastify' {
  interface FastifyInstance {
    presence: PresenceTracker;
  }
}

export const presencePlugin = fp(
  async (app) => {
    const processId = randomUUID().slice(0, 8);
    const presence = new PresenceTracker(app.redis, app.redisKeys, app.realtime, processId);
    app.decorate('presence', presence);
    presence.start();
    app.addHook('onClose', async () => {
      await presence.close();
    });
  },
  { name: 'pitchside-presence', dependencies: ['pitchside-redis', 'pitchside-realtime'] },
);
