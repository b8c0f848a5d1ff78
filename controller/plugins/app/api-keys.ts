// Role-scoped API keys (the admin key included). A key revoked on any controller process is forgotten
// here when the realtime hub relays the revocation, so a cached key stops working everywhere at once.
import fp from 'fastify-plugin';
import { KeyStore } from '../../services/key-store.ts';

export interface ApiKeysPluginOptions {
  adminKey: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: KeyStore;
  }
}

export const apiKeysPlugin = fp<ApiKeysPluginOptions>(
  async (app, options) => {
    const apiKeys = new KeyStore(app.redis, app.redisKeys, options.adminKey);
    app.realtime.onRevocation((revocation) => apiKeys.forget(revocation));
    app.decorate('apiKeys', apiKeys);
  },
  { name: 'pitchside-api-keys', dependencies: ['pitchside-redis', 'pitchside-realtime'] },
);
