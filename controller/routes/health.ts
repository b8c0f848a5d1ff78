// Liveness for load balancers and compose: the process answers and its Redis does.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

export const HEALTH_REDIS_TIMEOUT_MS = 1000;

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['ops'],
        summary: 'Redis reachable?',
        response: {
          200: Type.Object({ ok: Type.Boolean(), redis: Type.String() }),
          503: Type.Object({ ok: Type.Boolean(), redis: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      try {
        const pong = await Promise.race([
          app.redis.ping(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('timeout')), HEALTH_REDIS_TIMEOUT_MS).unref(),
          ),
        ]);
        return { ok: true, redis: pong };
      } catch {
        return reply.code(503).send({ ok: false, redis: 'unreachable' });
      }
    },
  );
};

export default healthRoutes;
