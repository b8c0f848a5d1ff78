// OpenAPI generated from the route schemas, browsable at /docs.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export const docsPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Pitchside controller',
          version: '0.1.0',
          description: 'Events, cameras, keys, program control, logs. Auth: `Authorization: Bearer KEY` or `?key=KEY`.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'pitchside-docs' },
);
