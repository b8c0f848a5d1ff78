// The LiveKit bridge (tokens, room data, the room service), or null without LiveKit: cameras then send
// straight to the pages (direct transport).
import fp from 'fastify-plugin';
import { LiveKitBridge, type LiveKitSettings } from '../../services/livekit-bridge.ts';

export interface LiveKitPluginOptions {
  /** null = LiveKit is not configured. */
  livekit: LiveKitSettings | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** null when LiveKit is not configured: cameras then send straight to the pages (direct transport). */
    livekit: LiveKitBridge | null;
  }
}

export const livekitPlugin = fp<LiveKitPluginOptions>(
  async (app, options) => {
    const log = app.log.child({ component: 'livekit' });
    const livekit =
      options.livekit === null
        ? null
        : new LiveKitBridge(options.livekit, (room, error) =>
            log.warn({ err: error, room }, 'LiveKit sendData failed'),
          );
    app.decorate('livekit', livekit);
    app.addHook('onClose', async () => {
      await livekit?.close();
    });
  },
  { name: 'pitchside-livekit' },
);
