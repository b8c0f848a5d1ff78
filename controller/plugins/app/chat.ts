// The live chat beside the Pitchside player.
import fp from 'fastify-plugin';
import { ChatIdentities } from '../../services/chat-identity.ts';
import { ChatService } from '../../services/chat-service.ts';

export interface ChatPluginOptions {
  /** Signs chat tickets; the same on every controller process (the admin key). */
  ticketSecret: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The live chat beside the Pitchside player. */
    chat: ChatService;
  }
}

export const chatPlugin = fp<ChatPluginOptions>(
  async (app, options) => {
    const identities = new ChatIdentities(options.ticketSecret);
    app.decorate('chat', new ChatService(app.redis, app.redisKeys, app.realtime, identities));
  },
  { name: 'pitchside-chat', dependencies: ['pitchside-redis', 'pitchside-realtime'] },
);
