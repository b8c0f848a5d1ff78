// OGraf graphics (docs/ograf.md): a producer or operator uploads a package (a zip with its .ograf.json manifest),
// the desk lists them and loads instances through the commands endpoint. The files are served from Redis to
// the template's sandboxed frames under the package's hash, with a CSP that lets a graphic load its own
// files and nothing else: no fetch, no socket, no other frame.
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ApiErrorSchema,
  OGRAF_HOST_PATH,
  OGrafGraphicIdSchema,
  OGrafGraphicSchema,
  OGrafScopeSchema,
  type Role,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema, NoContentSchema, UploadRefusals } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { normalised, OGRAF_MAX_ZIP_BYTES, readOGrafPackage } from '../services/ograf-package.ts';
import { OGRAF_HOST_SCRIPT } from '../services/ograf-host.ts';

/** Who loads graphics onto program: the producer, the director, the graphics operator. */
const OGRAF_ROLES: readonly Role[] = ['admin', 'director', 'graphics'];
/** A package just past the cap still gets an answer naming the field rather than a bare 413. */
const OGRAF_READ_LIMIT_BYTES = 2 * OGRAF_MAX_ZIP_BYTES;
/** Ids name the package's bytes, so a file never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const FILE_TYPES: Record<string, string> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

/**
 * The frame's policy: scripts, styles, images, fonts and media from this server only (the graphic's files;
 * everything else under /api needs a key the frame never has), the host script by its hash, and no
 * connections at all. The frame's sandbox (no allow-same-origin) keeps the page's storage and keys out of reach.
 */
const HOST_CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(OGRAF_HOST_SCRIPT).digest('base64')}'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');
/** A package file opened on its own (an .html or .svg in it) runs nothing and reaches nothing. */
const FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const HOST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>OGraf</title>
<style>html,body{margin:0;width:100%;height:100%;overflow:hidden;background:transparent}</style>
</head><body><script>${OGRAF_HOST_SCRIPT}</script></body></html>`;

const GraphicParamsSchema = Type.Object(
  { eventId: EventParamsSchema.properties.eventId, graphicId: OGrafGraphicIdSchema },
  { additionalProperties: false },
);

const ografRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Any media type reaches the handler as bytes (this plugin's scope only, JSON included): a refusal then
  // names the field.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: OGRAF_READ_LIMIT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/api/events/:eventId/graphics',
    {
      bodyLimit: OGRAF_READ_LIMIT_BYTES,
      config: { access: { roles: OGRAF_ROLES } },
      schema: {
        tags: ['graphics'],
        summary: `Upload an OGraf graphic (the package as an application/zip body, at most ${OGRAF_MAX_ZIP_BYTES / 1024 / 1024} MB; scope=all: for every event, admin only)`,
        params: EventParamsSchema,
        querystring: Type.Object({ scope: Type.Optional(OGrafScopeSchema) }, { additionalProperties: false }),
        response: {
          201: Type.Object({ graphic: OGrafGraphicSchema }, { additionalProperties: false }),
          ...ErrorResponses,
          ...UploadRefusals,
          415: ApiErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const scope = request.query.scope ?? 'event';
      const auth = caller(request);
      if (scope === 'all' && auth.role !== 'admin')
        throw new AppError(403, 'FORBIDDEN', 'Only an admin key stores a graphic for every event.', '/scope');
      const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/zip' || !Buffer.isBuffer(request.body))
        throw new AppError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'The package must be sent as an application/zip body.',
          '/package',
        );
      await app.program.requireState(eventId);
      const pkg = await readOGrafPackage(request.body);
      await app.uploads.charge('ograf', eventId, auth.keyId, { bytes: pkg.bytes, files: 1 }, '/package');
      const graphic = await app.ograf.save(eventId, scope, pkg, Date.now());
      request.log.info({ eventId, graphic: graphic.id, scope, name: graphic.name }, 'graphic stored');
      return reply.code(201).send({ graphic });
    },
  );

  app.get(
    '/api/events/:eventId/graphics',
    {
      config: { access: { roles: OGRAF_ROLES } },
      schema: {
        tags: ['graphics'],
        summary: "The event's OGraf graphics and those for every event",
        params: EventParamsSchema,
        response: {
          200: Type.Object({ graphics: Type.Array(OGrafGraphicSchema) }, { additionalProperties: false }),
          ...ErrorResponses,
        },
      },
    },
    async (request) => {
      await app.program.requireState(request.params.eventId);
      return { graphics: await app.ograf.list(request.params.eventId) };
    },
  );

  app.delete(
    '/api/events/:eventId/graphics/:graphicId',
    {
      config: { access: { roles: OGRAF_ROLES } },
      schema: {
        tags: ['graphics'],
        summary: 'Remove a graphic from the list (one for every event: admin only); instances on air play on',
        params: GraphicParamsSchema,
        response: { 204: NoContentSchema, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId, graphicId } = request.params;
      const scope = await app.ograf.scopeOf(eventId, graphicId);
      if (scope === null) throw new AppError(404, 'NOT_FOUND', `No graphic "${graphicId}".`, '/graphicId');
      if (scope === 'all' && caller(request).role !== 'admin')
        throw new AppError(403, 'FORBIDDEN', 'Only an admin key removes a graphic every event has.', '/graphicId');
      await app.ograf.remove(eventId, scope, graphicId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    OGRAF_HOST_PATH,
    {
      config: { access: { public: true } },
      schema: { tags: ['graphics'], summary: 'The page a sandboxed frame runs one graphic instance in' },
    },
    async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', HOST_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(HOST_PAGE),
  );

  app.get(
    '/api/ograf/:graphicId/*',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['graphics'],
        summary: "A stored graphic's file (public and immutable: the id is the package's hash)",
        params: Type.Object({ graphicId: OGrafGraphicIdSchema, '*': Type.String() }),
      },
    },
    async (request, reply) => {
      const path = normalised(request.params['*']);
      const bytes = path === null ? null : await app.ograf.file(request.params.graphicId, path);
      if (path === null || bytes === null)
        throw new AppError(404, 'NOT_FOUND', `No file "${request.params['*']}" in this graphic.`, '/*');
      return (
        reply
          .type(FILE_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream')
          .header('cache-control', IMMUTABLE)
          .header('content-security-policy', FILE_CSP)
          .header('x-content-type-options', 'nosniff')
          // The frame's origin is opaque (sandboxed), so its module imports are cross-origin requests.
          .header('access-control-allow-origin', '*')
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(bytes)
      );
    },
  );
};

export default ografRoutes;
