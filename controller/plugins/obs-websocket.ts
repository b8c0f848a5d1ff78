// The obs-websocket listener as part of the app's lifecycle: it starts when the app is ready (routes are
// registered, so the requests that go through them reach them) and closes, with ExitStarted to its
// clients, before the services.
import fp from 'fastify-plugin';
import { ObsWebSocketServer } from '../obs/obs-server.ts';

export interface ObsWebSocketPluginOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The obs-websocket port once listening (null before ready). */
    obsWebSocketPort: number | null;
  }
}

export const obsWebSocketPlugin = fp<ObsWebSocketPluginOptions>(
  async (app, options) => {
    const server = new ObsWebSocketServer({
      app,
      log: app.log.child({ component: 'obs-websocket' }),
      host: options.host,
      port: options.port,
    });
    app.decorate('obsWebSocketPort', null);
    app.addHook('onReady', async () => {
      app.obsWebSocketPort = await server.start();
    });
    app.addHook('preClose', async () => {
      await server.close();
    });
  },
  {
    name: 'pitchside-obs-websocket',
    dependencies: [
      'pitchside-realtime',
      'pitchside-sockets',
      'pitchside-auth',
      'pitchside-events',
      'pitchside-api-keys',
      'pitchside-program',
      'pitchside-metrics',
    ],
  },
);
