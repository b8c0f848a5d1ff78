// Self-hosted playback: an HLS destination's playlist and segments, as the worker (or Egress, on shared
// storage) writes them under <data dir>/hls/<event>/<destination>/. Viewer key (any event role), or no key
// when the event is marked publicPlayback. Only file names of the HLS layout are served, and the resolved
// path must stay inside the destination's directory.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  DestinationIdSchema,
  EventIdSchema,
  HLS_DATA_SUBDIR,
  HLS_FILE_PATTERN,
  HLS_PLAYLIST,
  ROLES,
  hlsDestinationPath,
} from '../../protocol/index.ts';
import type { RouteOptions } from '../app.ts';
import { ErrorResponses } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
};
/**
 * A live playlist changes every segment: players must always revalidate it. A segment never changes once
 * written (built-in names carry their run, see protocol/hls.ts), so caches may keep it for good. Egress
 * numbers its `.ts` segments from 0 on every run: those are revalidated.
 */
const LIVE_PLAYLIST_CACHE = 'no-cache';
/** An ended playlist no longer changes, but a new run may start under the same name. */
const ENDED_PLAYLIST_MAX_AGE_S = 10;
const SEGMENT_MAX_AGE_S = 365 * 24 * 3600;

const HlsParamsSchema = Type.Object(
  {
    eventId: EventIdSchema,
    destinationId: DestinationIdSchema,
    file: Type.String({ pattern: HLS_FILE_PATTERN.source, description: 'index.m3u8, init.mp4 or a segment.' }),
  },
  { additionalProperties: false },
);

/**
 * The key the playlist was fetched with rides on every URI in it, so a native player (Safari, ffprobe)
 * that cannot add a header still gets the segments. A key sent as a header stays out of the text.
 */
export function withKeyOnUris(playlist: string, key: string | undefined): string {
  if (key === undefined) return playlist;
  const query = `?key=${encodeURIComponent(key)}`;
  return playlist
    .split('\n')
    .map((line) => {
      if (line.startsWith('#EXT-X-MAP:'))
        return line.replace(/URI="([^"?]+)"/, (_m, uri: string) => `URI="${uri}${query}"`);
      return line.trim() === '' || line.startsWith('#') ? line : `${line.trim()}${query}`;
    })
    .join('\n');
}

const hlsRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  const root = resolve(options.config.PITCHSIDE_DATA_DIR, HLS_DATA_SUBDIR);

  app.get(
    '/api/events/:eventId/hls/:destinationId/:file',
    {
      config: { access: { roles: ROLES, publicPlayback: true } },
      schema: {
        tags: ['playback'],
        summary: "An HLS destination's live playlist or one of its segments (viewer key, or a public event)",
        params: HlsParamsSchema,
        querystring: Type.Object({ key: Type.Optional(Type.String()) }),
        response: { 200: Type.Any(), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { eventId, destinationId, file } = request.params;
      const event = await app.events.require(eventId);
      if (!event.destinations.some((d) => d.id === destinationId && d.kind === 'hls'))
        throw new AppError(404, 'NOT_FOUND', `event ${eventId} has no HLS destination ${destinationId}`);
      const dir = join(root, hlsDestinationPath(eventId, destinationId));
      const path = resolve(dir, file);
      if (!path.startsWith(dir + sep)) throw new AppError(404, 'NOT_FOUND', `no file ${file}`);
      const info = await stat(path).catch(() => null);
      if (info === null || !info.isFile())
        throw new AppError(404, 'NOT_FOUND', `${file} is not there (the output has not started, or it rolled off)`);
      const scope = event.publicPlayback === true ? 'public' : 'private';
      const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
      reply.header('content-type', type);
      if (file === HLS_PLAYLIST || file.endsWith('.m3u8')) {
        const text = await readFile(path, 'utf8');
        const ended = text.includes('#EXT-X-ENDLIST');
        // A playlist that echoes a key onto its URIs is that client's alone: no shared cache may keep it and
        // hand the key to the next viewer, and no browser cache may keep it on disk.
        const withKey = request.query.key !== undefined && request.query.key !== '';
        reply.header(
          'cache-control',
          withKey
            ? 'private, no-store'
            : ended
              ? `${scope}, max-age=${ENDED_PLAYLIST_MAX_AGE_S}`
              : `${scope}, ${LIVE_PLAYLIST_CACHE}`,
        );
        return reply.send(withKeyOnUris(text, request.query.key));
      }
      reply.header(
        'cache-control',
        file.endsWith('.ts') ? `${scope}, no-cache` : `${scope}, max-age=${SEGMENT_MAX_AGE_S}, immutable`,
      );
      return reply.header('content-length', info.size).send(createReadStream(path));
    },
  );
};

export default hlsRoutes;
