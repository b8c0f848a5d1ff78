// Team logos for the scorebug: the producer or a graphics operator uploads an image for one team; it is
// checked by its bytes (PNG, JPEG or WebP, at most LOGO_MAX_BYTES), stored in the data dir, and the
// scorebug gets only its id, through the reducer like every change. The template loads it from
// /api/logos/:logoId, which is public: a crest is shown to every viewer anyway, and its id is a hash.
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import {
  ApiErrorSchema,
  CommandResponseSchema,
  LOGO_FORMATS,
  LOGO_MAX_BYTES,
  LogoIdSchema,
  sponsorImages,
  TeamSideSchema,
  type LogoFormat,
  type LogoId,
  type Role,
} from '../../protocol/index.ts';
import type { RouteOptions } from '../app.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema, UploadRefusals } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { runCommand } from '../services/command-runner.ts';
import type { AuthContext } from '../services/key-store.ts';
import { storeImage } from '../services/image-check.ts';
import { LogoStore } from '../services/logo-store.ts';
import { PeriodicTask } from '../../runtime/periodic-task.ts';

/** Whoever may edit the event's teams: the producer in the console, the graphics operator at the desk. */
const LOGO_ROLES: readonly Role[] = ['admin', 'graphics'];
/**
 * Bodies past the cap are still read up to this before the connection is refused outright, so a slightly
 * too large logo gets an answer naming the field rather than a bare 413.
 */
const LOGO_READ_LIMIT_BYTES = 2 * LOGO_MAX_BYTES;
const LOGO_SWEEP_INTERVAL_MS = 3600 * 1000;
/** Ids name their bytes, so a logo never changes: caches may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const TeamLogoParamsSchema = Type.Object(
  { eventId: EventParamsSchema.properties.eventId, side: TeamSideSchema },
  { additionalProperties: false },
);
type TeamLogoParams = Static<typeof TeamLogoParamsSchema>;

/** Access and schema of the routes that change a team's logo. */
function teamLogoRoute(summary: string) {
  return {
    config: { access: { roles: LOGO_ROLES } },
    schema: {
      tags: ['graphics'],
      summary,
      params: TeamLogoParamsSchema,
      response: {
        200: CommandResponseSchema,
        ...ErrorResponses,
        ...UploadRefusals,
        415: ApiErrorSchema,
      },
    },
  };
}

const logoRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const store = new LogoStore(resolve(options.config.PITCHSIDE_DATA_DIR, 'logos'));
  // Logo files follow the scorebugs: one no event shows any more is removed (after a grace) hourly.
  const sweepLog = app.log.child({ component: 'logos' });
  const sweep = new PeriodicTask({
    name: 'unused logo sweep',
    intervalMs: LOGO_SWEEP_INTERVAL_MS,
    log: sweepLog,
    run: async () => {
      const inUse = new Set<string>();
      for (const event of await app.events.list()) {
        const state = await app.program.getState(event.id);
        const scorebug = state?.scorebug;
        for (const logo of [scorebug?.home.logo, scorebug?.away.logo]) if (logo) inUse.add(logo);
        // Sponsor artwork is stored beside the logos (controller/routes/sponsors.ts).
        for (const image of sponsorImages(state)) inUse.add(image);
      }
      const removed = await store.sweepUnused(inUse);
      if (removed.length > 0) sweepLog.info({ count: removed.length }, 'removed logos no event shows');
    },
  });
  app.addHook('onReady', () => sweep.start());
  app.addHook('onClose', () => sweep.close());
  /** The scorebug shows the team's logo (or none), through the reducer. */
  const showLogo = ({ eventId, side }: TeamLogoParams, auth: AuthContext, logo: LogoId | null) =>
    runCommand(app.program, app.metrics, eventId, { type: 'scorebug.set', [side]: { logo } }, auth);

  // Any media type reaches the handler as bytes (this plugin's scope only): the bytes decide, and a
  // refusal names the field instead of Fastify's bare 415.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LOGO_READ_LIMIT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.put(
    '/api/events/:eventId/teams/:side/logo',
    {
      ...teamLogoRoute(
        `Upload the team's scorebug logo (the image as the body: PNG, JPEG or WebP, at most ${LOGO_MAX_BYTES / 1024 / 1024} MB)`,
      ),
      bodyLimit: LOGO_READ_LIMIT_BYTES,
    },
    async (request) => {
      const { eventId } = request.params;
      const upload = {
        body: request.body,
        eventId,
        keyId: caller(request).keyId,
        quota: 'logo',
        name: 'logo',
      } as const;
      return showLogo(request.params, caller(request), await storeImage(app, store, upload));
    },
  );

  app.delete(
    '/api/events/:eventId/teams/:side/logo',
    teamLogoRoute("Remove the team's logo from the scorebug (the file stays: other events may show it)"),
    async (request) => showLogo(request.params, caller(request), null),
  );

  app.get(
    '/api/logos/:logoId',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['graphics'],
        summary: 'A team logo (what the scorebug draws)',
        params: Type.Object({ logoId: LogoIdSchema }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { logoId } = request.params;
      if (!(await store.has(logoId))) throw new AppError(404, 'NOT_FOUND', `No logo "${logoId}".`, '/logoId');
      const format = logoId.slice(logoId.lastIndexOf('.') + 1) as LogoFormat;
      return reply
        .type(LOGO_FORMATS[format])
        .header('cache-control', IMMUTABLE)
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(store.path(logoId)));
    },
  );
};

export default logoRoutes;
