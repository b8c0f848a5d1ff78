// The switch log as the logs routes read it (ProgramService writes it with each committed take).
import fp from 'fastify-plugin';
import { SwitchLog } from '../../../outputs/switch-log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    switchLog: SwitchLog;
  }
}

export const switchLogPlugin = fp(
  async (app) => {
    app.decorate('switchLog', new SwitchLog(app.redis, app.redisKeys));
  },
  { name: 'pitchside-switch-log', dependencies: ['pitchside-redis'] },
);
