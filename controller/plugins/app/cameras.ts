// The camera registry: each event's cameras and their status, pushed to the pages as `cameras` frames.
import fp from 'fastify-plugin';
import { CameraRegistry } from '../../services/camera-registry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    cameras: CameraRegistry;
  }
}

export const camerasPlugin = fp(
  async (app) => {
    app.decorate('cameras', new CameraRegistry(app.redis, app.redisKeys, app.realtime));
  },
  { name: 'pitchside-cameras', dependencies: ['pitchside-redis', 'pitchside-realtime'] },
);
