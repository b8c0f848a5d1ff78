// RTMP/WHIP cameras (GoPro, DJI, OBS, Larix) through LiveKit Ingress: a director or admin adds one, gets
// the URL, stream key and a QR code for the camera app, and the camera becomes a program source like a
// phone. Only operators see the key: it is answered here and nowhere else (no frame, no log, no Redis).
// Removal is the cameras route's DELETE (it deletes the ingress too); status comes from ingress webhooks.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CameraSchema,
  IngressCameraAccessSchema,
  IngressCameraCreateSchema,
  type Camera,
  type CameraIngress,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { CameraParamsSchema } from '../schemas/cameras.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { AppError, notFound } from '../services/app-error.ts';
import { newCameraId } from '../services/camera-registry.ts';
import { accessOf, IngressCameras } from '../services/ingress-cameras.ts';
import { requireLiveKit } from '../services/livekit-bridge.ts';
import { QR_FORMATS, sendQr } from '../services/qr-image.ts';

const OPERATORS = { access: { roles: ['admin', 'director'] } } as const;

const ingressCameraRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ingressCameras = (): IngressCameras => new IngressCameras(requireLiveKit(app.livekit).ingress);
  const qrBase = (eventId: string, cameraId: string): string => `/api/events/${eventId}/cameras/${cameraId}/ingress-qr`;

  const requireIngressCamera = async (
    eventId: string,
    cameraId: string,
  ): Promise<Camera & { ingress: CameraIngress }> => {
    const camera = await app.cameras.get(eventId, cameraId);
    if (camera === null) throw notFound('Camera', cameraId);
    if (camera.ingress === undefined)
      throw new AppError(404, 'NOT_INGRESS_CAMERA', `Camera "${cameraId}" joined by code: it has no stream key.`);
    return camera as Camera & { ingress: CameraIngress };
  };

  app.post(
    '/api/events/:eventId/ingress-cameras',
    {
      config: OPERATORS,
      schema: {
        tags: ['cameras'],
        summary: 'Add an RTMP/WHIP camera (LiveKit Ingress): its URL, stream key and QR code',
        description:
          "WHIP (default) forwards the encoder's WebRTC stream without transcoding unless `transcode` is true; RTMP is always transcoded by Ingress.",
        params: EventParamsSchema,
        body: IngressCameraCreateSchema,
        response: {
          201: Type.Object({ camera: CameraSchema, access: IngressCameraAccessSchema }),
          ...ErrorResponses,
          409: ErrorResponses[400],
          502: ErrorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const { label, input = 'whip' } = request.body;
      const transcode = request.body.transcode ?? input === 'rtmp';
      if (input === 'rtmp' && !transcode)
        throw new AppError(
          400,
          'INVALID',
          'RTMP is always transcoded by LiveKit Ingress: leave transcode out.',
          '/transcode',
        );
      const service = ingressCameras();
      const event = await app.events.require(eventId);
      const cameraId = newCameraId();
      const { ingress, info } = await service.create({ room: event.room, eventId, cameraId, label, input, transcode });
      const camera = await app.cameras.register(eventId, label, Date.now(), { id: cameraId, ingress });
      const auth = caller(request);
      const added = await app.program.apply(
        eventId,
        { type: 'source.add', source: { id: cameraId, label, kind: 'livekit', participant: cameraId } },
        { role: auth.role, keyId: auth.keyId },
      );
      if (!added.ok) {
        // Nothing of it may stay behind: not the camera, and above all not a working stream key.
        await app.cameras.remove(eventId, cameraId);
        await service.delete(ingress.ingressId);
        throw new AppError(409, added.error.code, added.error.message);
      }
      await app.eventLog.append(eventId, {
        level: 'info',
        kind: 'camera.registered',
        message: `${label} added as a ${input.toUpperCase()} camera (${cameraId}).`,
        data: { cameraId, ingressId: ingress.ingressId, input },
      });
      return reply.code(201).send({ camera, access: accessOf(input, info, qrBase(eventId, cameraId)) });
    },
  );

  app.get(
    '/api/events/:eventId/cameras/:cameraId/ingress',
    {
      config: OPERATORS,
      schema: {
        tags: ['cameras'],
        summary: "An RTMP/WHIP camera's URL and stream key (read from LiveKit)",
        params: CameraParamsSchema,
        response: {
          200: IngressCameraAccessSchema,
          ...ErrorResponses,
          409: ErrorResponses[400],
          502: ErrorResponses[400],
        },
      },
    },
    async (request) => {
      const { eventId, cameraId } = request.params;
      const camera = await requireIngressCamera(eventId, cameraId);
      return ingressCameras().access(camera.ingress, qrBase(eventId, cameraId));
    },
  );

  for (const format of QR_FORMATS) {
    app.get(
      `/api/events/:eventId/cameras/:cameraId/ingress-qr.${format}`,
      {
        config: OPERATORS,
        schema: {
          tags: ['cameras'],
          summary: `QR code (${format.toUpperCase()}) of an RTMP/WHIP camera's publish URL (stream key included)`,
          params: CameraParamsSchema,
        },
      },
      async (request, reply) => {
        const { eventId, cameraId } = request.params;
        const camera = await requireIngressCamera(eventId, cameraId);
        const access = await ingressCameras().access(camera.ingress, qrBase(eventId, cameraId));
        return sendQr(reply, format, access.publishUrl);
      },
    );
  }
};

export default ingressCameraRoutes;
