// Prometheus metrics on a registry of this app's own (several apps can share a test process).
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ControllerMetrics {
  registry: Registry;
  commands: Counter<'type' | 'result'>;
  websockets: Gauge<'role'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ControllerMetrics;
  }
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const metricsPlugin = fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'pitchside_' });
    const requests = new Histogram({
      name: 'pitchside_http_request_duration_seconds',
      help: 'HTTP request duration by route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    const metrics: ControllerMetrics = {
      registry,
      commands: new Counter({
        name: 'pitchside_commands_total',
        help: 'Program commands by type and result.',
        labelNames: ['type', 'result'] as const,
        registers: [registry],
      }),
      websockets: new Gauge({
        name: 'pitchside_websockets',
        help: 'Open WebSocket connections on this process by role.',
        labelNames: ['role'] as const,
        registers: [registry],
      }),
    };
    app.decorate('metrics', metrics);

    app.addHook('onResponse', async (request, reply) => {
      requests.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get('/metrics', { config: { access: { public: true } }, schema: { hide: true } }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'pitchside-metrics' },
);
