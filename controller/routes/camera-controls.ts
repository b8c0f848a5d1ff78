// The director's remote lens controls for one phone camera: zoom, torch, picture size and frame rate
// (protocol/camera-controls.ts). Only that camera's page receives the control; the answer says what its
// device accepted.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiErrorSchema, CameraControlAnswerSchema, CameraControlSchema } from '../../protocol/index.ts';
import { CameraParamsSchema } from '../schemas/cameras.ts';
import { ErrorResponses } from '../schemas/common.ts';
import { CameraControls } from '../services/camera-controls.ts';

const cameraControlRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const controls = new CameraControls({ cameras: app.cameras, hub: app.realtime });

  app.post(
    '/api/events/:eventId/cameras/:cameraId/controls',
    {
      config: { access: { roles: ['admin', 'director'] } },
      schema: {
        tags: ['cameras'],
        summary: "Set a phone camera's zoom, torch, picture size or frame rate; answers what its device accepted",
        params: CameraParamsSchema,
        body: CameraControlSchema,
        response: {
          200: CameraControlAnswerSchema,
          202: CameraControlAnswerSchema,
          ...ErrorResponses,
          409: ApiErrorSchema,
          422: ApiErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { eventId, cameraId } = request.params;
      await app.events.require(eventId);
      const answer = await controls.send(eventId, cameraId, request.body);
      return reply.code(answer.status === 'applied' ? 200 : 202).send(answer);
    },
  );
};

export default cameraControlRoutes;
