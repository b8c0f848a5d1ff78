// Sponsors: the producer uploads each sponsor's artwork (checked and stored like a team logo, served from
// /api/logos/:id), sets the list and the rotation through the reducer (sponsors.set, sponsors.rotation on
// the commands endpoint), and reads the exposure report as JSON or CSV. Producer (admin key) only.
import { resolve } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ApiErrorSchema,
  LOGO_MAX_BYTES,
  LogoIdSchema,
  SponsorReportSchema,
  sponsorReport,
  type Role,
  type SponsorReport,
} from '../../protocol/index.ts';
import { csvCell } from '../../outputs/switch-log.ts';
import type { RouteOptions } from '../app.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema, UploadRefusals } from '../schemas/common.ts';
import { storeImage } from '../services/image-check.ts';
import { LogoStore } from '../services/logo-store.ts';

const SPONSOR_ROLES: readonly Role[] = ['admin'];
/** As for logos: a slightly too large image still gets an answer naming the field. */
const IMAGE_READ_LIMIT_BYTES = 2 * LOGO_MAX_BYTES;

export const SPONSOR_REPORT_CSV_COLUMNS = ['id', 'name', 'seconds', 'share', 'viewer_seconds'] as const;

export function sponsorReportCsv(report: SponsorReport): string {
  const rows = report.sponsors.map((s) =>
    [s.id, s.name, s.seconds.toFixed(1), s.share.toFixed(4), s.viewerSeconds.toFixed(0)].map(csvCell).join(','),
  );
  return [SPONSOR_REPORT_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const sponsorRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const store = new LogoStore(resolve(options.config.PITCHSIDE_DATA_DIR, 'logos'));
  // The image is the body, whatever media type the client claims (this plugin's scope only).
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: IMAGE_READ_LIMIT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.put(
    '/api/events/:eventId/sponsors/image',
    {
      config: { access: { roles: SPONSOR_ROLES } },
      bodyLimit: IMAGE_READ_LIMIT_BYTES,
      schema: {
        tags: ['sponsors'],
        summary: `Upload a sponsor's artwork (the image as the body: PNG, JPEG or WebP, at most ${LOGO_MAX_BYTES / 1024 / 1024} MB); answers its id for sponsors.set`,
        params: EventParamsSchema,
        response: {
          200: Type.Object({ image: LogoIdSchema }, { additionalProperties: false }),
          ...ErrorResponses,
          ...UploadRefusals,
          415: ApiErrorSchema,
        },
      },
    },
    async (request) => ({
      image: await storeImage(app, store, {
        body: request.body,
        eventId: request.params.eventId,
        keyId: caller(request).keyId,
        quota: 'sponsor',
        name: 'image',
      }),
    }),
  );

  const report = async (eventId: string): Promise<SponsorReport> => {
    const state = await app.program.requireState(eventId);
    return sponsorReport(eventId, state, await app.sponsorAudience.read(eventId), Date.now());
  };
  const csv = (eventId: string, reply: FastifyReply, body: SponsorReport) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${eventId}-sponsors.csv"`)
      .send(sponsorReportCsv(body));

  app.get(
    '/api/events/:eventId/sponsors/report',
    {
      config: { access: { roles: SPONSOR_ROLES } },
      schema: {
        tags: ['sponsors'],
        summary: 'Sponsor exposure: seconds on program and viewer-seconds per sponsor (format=csv for CSV)',
        params: EventParamsSchema,
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Union([SponsorReportSchema, Type.String()]), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = await report(eventId);
      return request.query.format === 'csv' ? csv(eventId, reply, body) : body;
    },
  );

  app.get(
    '/api/events/:eventId/sponsors/report.csv',
    {
      config: { access: { roles: SPONSOR_ROLES } },
      schema: { tags: ['sponsors'], summary: 'Sponsor exposure as CSV', params: EventParamsSchema },
    },
    async (request, reply) => csv(request.params.eventId, reply, await report(request.params.eventId)),
  );
};

export default sponsorRoutes;
