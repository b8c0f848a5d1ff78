// The live chat beside the Pitchside player.
import fp from 'fastify-plugin';
import { ChatService } from '../../services/chat-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live chat beside the Pitchside player. */
    chat: ChatService;
  }
}

export const chatPlugin = fp(
  async (app) => {
    app.decorate('chat', new ChatService(app.redis, app.redisKeys, app.realtime));
  },
  { name: 'pitchside-chat', dependencies: ['pitchside-redis', 'pitchside-realtime'] },
);
