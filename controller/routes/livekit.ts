// LiveKit: room tokens for panels and the template, and the webhook that drives camera status.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { TrackSource, type WebhookEvent } from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import type { IngressInfo } from '@livekit/protocol';
import {
  LiveKitTokenSchema,
  type CameraStatus,
  type EventLogInput,
  type EventLogLevel,
  type IngressState,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { ingressChange } from '../services/ingress-cameras.ts';
import { requireLiveKit, type LiveKitRole } from '../services/livekit-bridge.ts';
import { forwardEgressWebhook } from '../../outputs/egress-updates.ts';

export const WEBHOOK_CONTENT_TYPE = 'application/webhook+json';

/** The event-log line for each encoder state an RTMP/WHIP camera reaches. */
const INGRESS_LOG: Record<IngressState, { level: EventLogLevel; kind: string; text: string } | null> = {
  waiting: null,
  buffering: { level: 'info', kind: 'camera.connected', text: 'encoder connected' },
  publishing: { level: 'info', kind: 'camera.live', text: 'is live' },
  ended: { level: 'warn', kind: 'camera.disconnected', text: 'stream ended' },
  error: { level: 'error', kind: 'camera.error', text: 'ingress error' },
};

/** What a webhook means for a camera: its new status and the log line operators see. */
function cameraChange(event: WebhookEvent): { status: CameraStatus; kind: string; verb: string } | null {
  switch (event.event) {
    case 'participant_joined':
      return { status: 'registered', kind: 'camera.connected', verb: 'connected' };
    case 'participant_left':
      return { status: 'disconnected', kind: 'camera.disconnected', verb: 'disconnected' };
    case 'track_published':
      return event.track?.source === TrackSource.CAMERA
        ? { status: 'live', kind: 'camera.live', verb: 'is live' }
        : null;
    case 'track_unpublished':
      return event.track?.source === TrackSource.CAMERA
        ? { status: 'registered', kind: 'camera.stopped', verb: 'stopped its video' }
        : null;
    default:
      return null;
  }
}

const livekitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** An ingress webhook moves its camera's encoder state; each change (not each repeat) is logged. */
  const followIngress = async (eventId: string, info: IngressInfo): Promise<void> => {
    const before = await app.cameras.get(eventId, info.participantIdentity);
    if (before?.ingress?.ingressId !== info.ingressId) return;
    const change = ingressChange(info);
    await app.cameras.setIngressState(eventId, before.id, change);
    if (before.ingress.state === change.state) return;
    const input = before.ingress.input.toUpperCase();
    const line = INGRESS_LOG[change.state];
    if (line === null) return;
    await app.eventLog.append(eventId, {
      level: line.level,
      kind: line.kind,
      message: `${before.label} (${input}): ${change.state === 'error' ? (change.error ?? 'ingress error') : line.text}.`,
      data: { cameraId: before.id, ingressId: info.ingressId },
    });
  };

  // LiveKit signs the exact bytes it sent: keep them as a string for the verifier.
  app.addContentTypeParser(WEBHOOK_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get(
    '/api/events/:eventId/livekit-token',
    {
      config: { access: { roles: ['admin', 'director', 'graphics', 'template'] } },
      schema: {
        tags: ['livekit'],
        summary: 'A room token for a panel (subscribe only) or the template (hidden, subscribe only)',
        params: EventParamsSchema,
        response: { 200: LiveKitTokenSchema, 409: ErrorResponses[404], ...ErrorResponses },
      },
    },
    async (request) => {
      const auth = caller(request);
      const livekit = requireLiveKit(app.livekit);
      const event = await app.events.require(request.params.eventId);
      // Admins use the panels with a director's grant; identities are unique per token so panels never kick each other.
      const role: LiveKitRole = auth.role === 'admin' ? 'director' : (auth.role as LiveKitRole);
      return livekit.token(role, event.room, `${role}-${auth.keyId}-${randomBytes(3).toString('hex')}`);
    },
  );

  app.post(
    '/api/livekit/webhook',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['livekit'],
        summary: `LiveKit webhook (${WEBHOOK_CONTENT_TYPE}, signed)`,
        response: { 200: Type.Object({ ok: Type.Boolean() }), 401: ErrorResponses[401] },
      },
    },
    async (request) => {
      const livekit = requireLiveKit(app.livekit);
      if (typeof request.body !== 'string')
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the webhook as ${WEBHOOK_CONTENT_TYPE}.`);
      let event: WebhookEvent;
      try {
        event = await livekit.receive(request.body, request.headers.authorization);
      } catch {
        throw new AppError(401, 'UNAUTHORIZED', 'The webhook signature is not valid.');
      }
      const roomName = event.room?.name ?? event.egressInfo?.roomName ?? event.ingressInfo?.roomName ?? '';
      const eventId = roomName === '' ? null : await app.events.findByRoom(roomName);
      if (eventId === null) return { ok: true };
      if (event.egressInfo !== undefined && event.event.startsWith('egress_')) {
        // The worker session that owns this egress follows its status (and retries a failed one).
        await forwardEgressWebhook(app.redis, app.redisKeys, event);
        const info = event.egressInfo;
        const entry: EventLogInput = {
          level: info.error === '' ? 'info' : 'error',
          kind: 'egress.status',
          message: `Egress ${info.egressId}: ${event.event.replace('egress_', '')}${info.error === '' ? '' : ` (${info.error})`}`,
          data: { egressId: info.egressId, status: info.status },
        };
        await app.eventLog.append(eventId, entry);
        return { ok: true };
      }
      if (event.ingressInfo !== undefined && event.event.startsWith('ingress_')) {
        await followIngress(eventId, event.ingressInfo);
        return { ok: true };
      }
      const change = cameraChange(event);
      const identity = event.participant?.identity;
      if (change === null || identity === undefined) return { ok: true };
      // An RTMP/WHIP camera's status is its encoder's (ingress webhooks), not its room participant's.
      if ((await app.cameras.get(eventId, identity))?.ingress !== undefined) return { ok: true };
      const camera = await app.cameras.setStatus(eventId, identity, change.status);
      if (camera !== null) {
        await app.eventLog.append(eventId, {
          level: change.status === 'disconnected' ? 'warn' : 'info',
          kind: change.kind,
          message: `${camera.label} ${change.verb}.`,
          data: { cameraId: camera.id },
        });
      }
      return { ok: true };
    },
  );
};

export default livekitRoutes;
