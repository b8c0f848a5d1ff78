// Cameras: join by the event's code (public: the code is the camera operator's credential), the join
// QR code and its rotation, the list, removal, and a camera's own LiveKit token. Joining adds the camera
// as a program source and hands it a key bound to it: a camera can only ever act as itself.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CameraSchema,
  CommentaryJoinResponseSchema,
  JoinRequestSchema,
  JoinResponseSchema,
  LiveKitTokenSchema,
  SERVER_MESSAGE_AUDIENCE,
  type Camera,
} from '../../protocol/index.ts';
import { caller, rateLimitKey } from '../plugins/auth.ts';
import { CameraParamsSchema } from '../schemas/cameras.ts';
import { ErrorResponses, EventParamsSchema, NoContentSchema } from '../schemas/common.ts';
import { AppError, notFound } from '../services/app-error.ts';
import { IngressCameras } from '../services/ingress-cameras.ts';
import { requireLiveKit } from '../services/livekit-bridge.ts';
import { QR_FORMATS, sendQr } from '../services/qr-image.ts';

/** Join attempts per client address per window (@fastify/rate-limit). */
export const JOIN_ATTEMPT_LIMIT = 20;
export const JOIN_ATTEMPT_WINDOW_MS = 60_000;

const cameraRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const joinUrl = (code: string): string => `${app.deviceUrl}/camera?code=${code}`;

  app.post(
    '/api/join',
    {
      // A join code is a secret that yields a camera key: guessing must stay slow (see JOIN_CODE_LENGTH for
      // the arithmetic). Every attempt counts (the code is only checked after the body is read), far above a
      // real crew's joins.
      config: {
        access: { public: true },
        rateLimit: {
          max: JOIN_ATTEMPT_LIMIT,
          timeWindow: JOIN_ATTEMPT_WINDOW_MS,
          allowList: () => false,
          keyGenerator: rateLimitKey,
        },
      },
      schema: {
        tags: ['cameras'],
        summary: 'A camera (or, with `as: "commentary"`, a commentary seat) joins an event by its code',
        body: JoinRequestSchema,
        response: {
          200: Type.Union([JoinResponseSchema, CommentaryJoinResponseSchema]),
          404: ErrorResponses[404],
          400: ErrorResponses[400],
          409: ErrorResponses[404],
        },
      },
    },
    async (request) => {
      const eventId = await app.events.findByJoinCode(request.body.code);
      if (eventId === null) throw new AppError(404, 'UNKNOWN_CODE', 'No event has this join code.', '/code');
      if (request.body.as === 'commentary') {
        // The code admits the crew: a commentator opens the same link and picks "Commentary".
        const seats = await app.commentary.list(eventId);
        const label = request.body.label ?? `Commentary ${seats.length + 1}`;
        const { seat, key } = await app.commentary.create(eventId, label, null);
        const event = await app.events.require(eventId);
        const livekit = app.livekit === null ? null : await app.livekit.token('commentary', event.room, seat.id, label);
        return { eventId, seat, key, livekit, transport: livekit === null ? 'direct' : 'livekit' } as const;
      }
      const existing = await app.cameras.list(eventId);
      const label = request.body.label ?? `Camera ${existing.length + 1}`;
      const camera = await app.cameras.register(eventId, label);
      const added = await app.program.apply(
        eventId,
        { type: 'source.add', source: { id: camera.id, label, kind: 'livekit', participant: camera.id } },
        { role: 'camera', keyId: camera.id },
      );
      if (!added.ok) {
        await app.cameras.remove(eventId, camera.id);
        throw new AppError(409, added.error.code, added.error.message);
      }
      await app.eventLog.append(eventId, {
        level: 'info',
        kind: 'camera.registered',
        message: `${label} joined (${camera.id}).`,
        data: { cameraId: camera.id },
      });
      const key = await app.apiKeys.issueCameraKey(eventId, camera.id);
      const event = await app.events.require(eventId);
      const livekit = app.livekit === null ? null : await app.livekit.token('camera', event.room, camera.id, label);
      return { eventId, camera, key, livekit, transport: livekit === null ? 'direct' : 'livekit' } as const;
    },
  );

  app.get(
    '/api/events/:eventId/cameras',
    {
      // The socket's rule, once: whoever may not receive `cameras` frames may not read the list here either.
      config: { access: { roles: SERVER_MESSAGE_AUDIENCE.cameras } },
      schema: {
        tags: ['cameras'],
        summary: "The event's cameras",
        params: EventParamsSchema,
        response: { 200: Type.Object({ cameras: Type.Array(CameraSchema) }), ...ErrorResponses },
      },
    },
    async (request) => {
      await app.events.require(request.params.eventId);
      return { cameras: await app.cameras.list(request.params.eventId) };
    },
  );

  app.delete(
    '/api/events/:eventId/cameras/:cameraId',
    {
      config: { access: { roles: ['admin', 'director'] } },
      schema: {
        tags: ['cameras'],
        summary: 'Remove a camera, its program source (not while on air) and, for an RTMP/WHIP camera, its ingress',
        params: CameraParamsSchema,
        response: { 204: NoContentSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId, cameraId } = request.params;
      const camera = await app.cameras.get(eventId, cameraId);
      if (camera === null) throw notFound('Camera', cameraId);
      const auth = caller(request);
      const removed = await app.program.apply(
        eventId,
        { type: 'source.remove', id: cameraId },
        { role: auth.role, keyId: auth.keyId },
      );
      if (!removed.ok && removed.error.code !== 'UNKNOWN_SOURCE')
        throw new AppError(422, removed.error.code, removed.error.message);
      // The stream key stops working with its ingress. If LiveKit cannot delete it now, the camera stays listed
      // (off the program) so that the same DELETE can be retried: its key must not outlive it unseen.
      if (camera.ingress !== undefined)
        await new IngressCameras(requireLiveKit(app.livekit).ingress).delete(camera.ingress.ingressId);
      await app.cameras.remove(eventId, cameraId);
      await app.apiKeys.revokeCameraKey(eventId, cameraId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/events/:eventId/cameras/:cameraId/token',
    {
      config: { access: { roles: ['admin', 'camera'], ownCamera: true } },
      schema: {
        tags: ['cameras'],
        summary: 'A fresh LiveKit token for one camera (publish its own camera and mic only; a camera key: its own)',
        params: CameraParamsSchema,
        response: { 200: LiveKitTokenSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId, cameraId } = request.params;
      const camera: Camera | null = await app.cameras.get(eventId, cameraId);
      if (camera === null) throw notFound('Camera', cameraId);
      const livekit = requireLiveKit(app.livekit);
      const event = await app.events.require(eventId);
      return livekit.token('camera', event.room, camera.id, camera.label);
    },
  );

  app.get(
    '/api/events/:eventId/join',
    {
      config: { access: { roles: ['admin', 'director'] } },
      schema: {
        tags: ['cameras'],
        summary: 'The join code and URL cameras use',
        params: EventParamsSchema,
        response: { 200: Type.Object({ code: Type.String(), url: Type.String() }), ...ErrorResponses },
      },
    },
    async (request) => {
      const event = await app.events.require(request.params.eventId);
      return { code: event.joinCode, url: joinUrl(event.joinCode) };
    },
  );

  app.post(
    '/api/events/:eventId/join/rotate',
    {
      config: { access: { roles: ['admin', 'director'] } },
      schema: {
        tags: ['cameras'],
        summary: 'A new join code (and QR code); the old one stops admitting cameras at once, joined cameras stay',
        params: EventParamsSchema,
        response: { 200: Type.Object({ code: Type.String(), url: Type.String() }), ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const code = await app.events.rotateJoinCode(eventId);
      const auth = caller(request);
      await app.eventLog.append(eventId, {
        level: 'info',
        kind: 'join.rotated',
        message: `The camera join code was replaced (${auth.role}).`,
      });
      return { code, url: joinUrl(code) };
    },
  );

  for (const format of QR_FORMATS) {
    app.get(
      `/api/events/:eventId/join-qr.${format}`,
      {
        config: { access: { roles: ['admin', 'director'] } },
        schema: {
          tags: ['cameras'],
          summary: `QR code (${format.toUpperCase()}) of the camera join URL`,
          params: EventParamsSchema,
        },
      },
      async (request, reply) => {
        const event = await app.events.require(request.params.eventId);
        return sendQr(reply, format, joinUrl(event.joinCode));
      },
    );
  }
};

export default cameraRoutes;
