// Commentary seats (protocol/commentary.ts, docs/crew.md): made and removed by the director or the admin, each
// with its own link carrying its own key. Only those who hand seats out see the links; the graphics desk lists
// seats without them, and a seat's key reads only its own seat and asks only for its own LiveKit token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  COMMENTARY_MANAGER_ROLES,
  COMMENTARY_PAGE_PATH,
  pageLink,
  COMMENTARY_READER_ROLES,
  LiveKitTokenSchema,
  SeatCreateRequestSchema,
  SeatCreatedResponseSchema,
  SeatListResponseSchema,
  SeatResponseSchema,
  type Seat,
  type SeatView,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { SeatParamsSchema } from '../schemas/cameras.ts';
import { ErrorResponses, EventParamsSchema, NoContentSchema } from '../schemas/common.ts';
import { requireLiveKit } from '../services/livekit-bridge.ts';

const commentaryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /**
   * The seat's own link: the device address (a microphone needs a secure page on a phone), its key in the
   * fragment (protocol/key-transport.ts).
   */
  const seatUrl = (eventId: string, key: string): string =>
    pageLink(`${app.deviceUrl}${COMMENTARY_PAGE_PATH}`, { event: eventId }, { key });

  /** The seat as this caller may see it: with its link only for the roles that hand seats out. */
  const view = async (request: FastifyRequest, eventId: string, seat: Seat): Promise<SeatView> => {
    if (!(COMMENTARY_MANAGER_ROLES as readonly string[]).includes(caller(request).role)) return seat;
    const key = await app.apiKeys.seatKey(eventId, seat.id);
    const online = await app.commentary.isOnline(eventId, seat.id);
    return key === null ? { ...seat, online } : { ...seat, url: seatUrl(eventId, key), online };
  };

  app.post(
    '/api/events/:eventId/commentary',
    {
      config: { access: { roles: COMMENTARY_MANAGER_ROLES } },
      schema: {
        tags: ['commentary'],
        summary: 'Add a commentary seat: a sound-only program source with its own link and key',
        params: EventParamsSchema,
        body: SeatCreateRequestSchema,
        response: { 201: SeatCreatedResponseSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      await app.events.require(eventId);
      const auth = caller(request);
      const { seat, key } = await app.commentary.create(eventId, request.body.label, {
        role: auth.role,
        keyId: auth.keyId,
      });
      // A new seat: no page has opened its link yet.
      return reply.code(201).send({ seat: { ...seat, url: seatUrl(eventId, key), online: false } });
    },
  );

  app.get(
    '/api/events/:eventId/commentary',
    {
      config: { access: { roles: COMMENTARY_READER_ROLES } },
      schema: {
        tags: ['commentary'],
        summary: "The event's commentary seats (their links for director and admin only)",
        params: EventParamsSchema,
        response: { 200: SeatListResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await app.events.require(eventId);
      const seats = await app.commentary.list(eventId);
      return { seats: await Promise.all(seats.map((seat) => view(request, eventId, seat))) };
    },
  );

  app.get(
    '/api/events/:eventId/commentary/:seatId',
    {
      config: { access: { roles: [...COMMENTARY_READER_ROLES, 'commentary'], ownSeat: true } },
      schema: {
        tags: ['commentary'],
        summary: 'One commentary seat (a seat key: its own, without its link)',
        params: SeatParamsSchema,
        response: { 200: SeatResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId, seatId } = request.params;
      return { seat: await view(request, eventId, await app.commentary.require(eventId, seatId)) };
    },
  );

  app.delete(
    '/api/events/:eventId/commentary/:seatId',
    {
      config: { access: { roles: COMMENTARY_MANAGER_ROLES } },
      schema: {
        tags: ['commentary'],
        summary: 'Remove a commentary seat: its source leaves the mix, its key stops working, its page closes',
        params: SeatParamsSchema,
        response: { 204: NoContentSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId, seatId } = request.params;
      const auth = caller(request);
      await app.commentary.remove(eventId, seatId, { role: auth.role, keyId: auth.keyId });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/events/:eventId/commentary/:seatId/token',
    {
      config: { access: { roles: ['admin', 'commentary'], ownSeat: true } },
      schema: {
        tags: ['commentary'],
        summary: 'A fresh LiveKit token for one seat (publish its own microphone only; a seat key: its own)',
        params: SeatParamsSchema,
        response: { 200: LiveKitTokenSchema, ...ErrorResponses },
      },
    },
    async (request) => {
      const { eventId, seatId } = request.params;
      const seat = await app.commentary.require(eventId, seatId);
      const livekit = requireLiveKit(app.livekit);
      const event = await app.events.require(eventId);
      return livekit.token('commentary', event.room, seat.id, seat.label);
    },
  );
};

export default commentaryRoutes;
