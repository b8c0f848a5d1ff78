// The realtime hub: frames to every WebSocket of an event on every controller process, over Redis pub/sub
// on a subscriber connection of its own (a subscribed connection cannot send commands).
import fp from 'fastify-plugin';
import { RealtimeHub } from '../../services/realtime-hub.ts';

declare module 'fastify' {
  interface FastifyInstance {
    realtime: RealtimeHub;
  }
}

export const realtimePlugin = fp(
  async (app) => {
    const redisLog = app.log.child({ component: 'redis' });
    const log = app.log.child({ component: 'realtime' });
    // Named, so `CLIENT LIST` on a shared Redis says whose subscriber this is.
    const subscriber = app.redis.duplicate({ connectionName: `${app.redisKeys.prefix}realtime` });
    subscriber.on('error', (error) => redisLog.warn({ err: error }, 'redis subscriber error'));
    await subscriber.connect();
    const realtime = new RealtimeHub(app.redis, subscriber, app.redisKeys, (error) =>
      log.warn({ err: error }, 'unreadable realtime frame'),
    );
    app.decorate('realtime', realtime);
    await realtime.start();
    app.addHook('onClose', async () => {
      realtime.close();
      await subscriber.quit();
    });
  },
  { name: 'pitchside-realtime', dependencies: ['pitchside-redis'] },
);
