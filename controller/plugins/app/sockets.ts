// This process's open event WebSockets: caps, liveness, and revocation (a revoked key's sockets close on
// every process when the realtime hub relays it).
import fp from 'fastify-plugin';
import { SocketRegistry, type SocketLimits } from '../../services/socket-registry.ts';

export interface SocketsPluginOptions {
  /** Event WebSocket limits (WS_* settings). */
  socketLimits: SocketLimits;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's open event WebSockets (caps, liveness, revocation). */
    sockets: SocketRegistry;
  }
}

export const socketsPlugin = fp<SocketsPluginOptions>(
  async (app, options) => {
    const log = app.log.child({ component: 'sockets' });
    const sockets = new SocketRegistry(options.socketLimits, (reason, open) =>
      log.info({ eventId: open.eventId, role: open.auth.role, reason }, 'websocket dropped'),
    );
    app.realtime.onRevocation((revocation) => sockets.revoke(revocation));
    app.decorate('sockets', sockets);
    sockets.start();
    app.addHook('onClose', async () => {
      sockets.close();
    });
  },
  // After the key store: a revocation forgets the key before its sockets close (as it did in one listener).
  { name: 'pitchside-sockets', dependencies: ['pitchside-realtime', 'pitchside-api-keys'] },
);
