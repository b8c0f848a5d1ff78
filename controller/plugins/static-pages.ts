// The built pages from dist/ (vite multi-page build), when there is one: /template/ and its assets as
// files, the operator pages under short names. Pages are public; what they do needs the key in their link
// (its fragment: protocol/key-transport.ts). Every answer says Referrer-Policy, so no request a page makes
// tells another server (or this one's logs) the page's address.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';

export const OPERATOR_PAGES = ['console', 'director', 'graphics', 'camera', 'commentary', 'watch'] as const;
export type OperatorPage = (typeof OPERATOR_PAGES)[number];
/** Older names of a page, still answered with a redirect so bookmarks and printed links keep working. */
export const PAGE_ALIASES: Readonly<Record<string, OperatorPage>> = { admin: 'console' };

/** Where a vite build may have put an operator page, depending on its root. */
export function findPage(distDir: string, page: string): string | null {
  const candidates = [`${page}.html`, join('web', `${page}.html`), join(page, 'index.html')];
  return candidates.find((c) => existsSync(join(distDir, c))) ?? null;
}

export function hasTemplate(distDir: string): boolean {
  return existsSync(join(distDir, 'template', 'index.html'));
}

/** Operator pages and the API: nothing in any Referer. */
export const REFERRER_POLICY = 'no-referrer';
/**
 * The watch page embeds YouTube's and Twitch's players, which refuse to play for a page that does not say
 * its origin; the origin is all they get (never the path or query).
 */
export const WATCH_REFERRER_POLICY = 'strict-origin';

export interface StaticPagesOptions {
  distDir: string | null;
}

export const staticPagesPlugin = fp<StaticPagesOptions>(
  async (app, { distDir }) => {
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', REFERRER_POLICY);
    });
    if (distDir === null || !existsSync(distDir)) {
      app.log.info('no dist/ build: pages are not served (run the build)');
      return;
    }
    await app.register(fastifyStatic, { root: distDir, prefix: '/', index: ['index.html'], wildcard: true });
    for (const page of OPERATOR_PAGES) {
      app.get(`/${page}`, { schema: { hide: true } }, async (_request, reply) => {
        const file = findPage(distDir, page);
        if (file === null) return reply.callNotFound();
        if (page === 'watch') reply.header('referrer-policy', WATCH_REFERRER_POLICY);
        return reply.sendFile(file);
      });
    }
    for (const [alias, page] of Object.entries(PAGE_ALIASES)) {
      // The query (event, tab) is kept; the key's fragment is kept by the browser across the redirect.
      app.get(`/${alias}`, { schema: { hide: true } }, async (request, reply) => {
        const query = request.url.indexOf('?');
        return reply.redirect(`/${page}${query === -1 ? '' : request.url.slice(query)}`, 301);
      });
    }
  },
  { name: 'pitchside-static-pages' },
);
