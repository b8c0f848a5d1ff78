// How a key travels when it cannot go in an Authorization header, so it reaches no access log, proxy,
// browser history or Referer: in a page link's fragment (`/director?event=ID#key=KEY`: a browser never sends
// the fragment), in a WebSocket subprotocol (a header, the one a browser lets a page set), and, where a plain
// link must work on its own (a download, a media element), as a short-lived signed URL bound to one path.
// A `?key=` query is still accepted everywhere, for older links and non-browser clients.
import { Type, type Static } from '@sinclair/typebox';
import type { Role } from './api.ts';

/** Link parameters that are secrets: they go in the fragment of every link Pitchside hands out. */
export const LINK_SECRET_PARAMS = ['key', 'pass'] as const;
export type LinkSecret = (typeof LINK_SECRET_PARAMS)[number];

/**
 * A page link: `base` (an absolute URL or a path, without query or fragment) with its plain parameters in
 * the query and its secrets in the fragment.
 */
export function pageLink(
  base: string,
  query: Readonly<Record<string, string>>,
  secrets: Readonly<Partial<Record<LinkSecret, string>>>,
): string {
  const search = new URLSearchParams(query).toString();
  const fragment = new URLSearchParams(
    Object.entries(secrets).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  ).toString();
  return `${base}${search === '' ? '' : `?${search}`}${fragment === '' ? '' : `#${fragment}`}`;
}

/**
 * A page's link parameters: its query with the fragment's secrets over it (a fragment key wins over an old
 * `?key=` one). `search` and `hash` as `location` gives them.
 */
export function linkParams(search: string, hash: string): URLSearchParams {
  const params = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  for (const name of LINK_SECRET_PARAMS) {
    const value = fragment.get(name);
    if (value !== null && value !== '') params.set(name, value);
  }
  return params;
}

/** The link as the address bar may keep it: no secret in its query or fragment. */
export function withoutLinkSecrets(pathname: string, search: string, hash: string): string {
  const query = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  for (const name of LINK_SECRET_PARAMS) {
    query.delete(name);
    fragment.delete(name);
  }
  const q = query.toString();
  const f = fragment.toString();
  return `${pathname}${q === '' ? '' : `?${q}`}${f === '' ? '' : `#${f}`}`;
}

/**
 * The event WebSocket's key as a subprotocol: `KEY_PROTOCOL_PREFIX` + the key in base64url (a subprotocol is
 * a token: no '=', '/' or '+'). The page offers EVENT_SOCKET_PROTOCOL first, which the server selects, so the
 * key is never echoed back.
 */
export const KEY_PROTOCOL_PREFIX = 'pitchside.key.';
/** The program renderer's pass (TEMPLATE_QUERY.programPass) as a subprotocol, the same way. */
export const PASS_PROTOCOL_PREFIX = 'pitchside.pass.';

export function keyProtocol(key: string): string {
  return `${KEY_PROTOCOL_PREFIX}${toBase64Url(key)}`;
}

export function passProtocol(pass: string): string {
  return `${PASS_PROTOCOL_PREFIX}${toBase64Url(pass)}`;
}

/** The value offered under `prefix` in a Sec-WebSocket-Protocol header (comma-separated), or null. */
export function fromProtocols(header: string | undefined, prefix: string): string | null {
  for (const offered of (header ?? '').split(',')) {
    const protocol = offered.trim();
    if (!protocol.startsWith(prefix)) continue;
    const value = fromBase64Url(protocol.slice(prefix.length));
    return value === '' ? null : value;
  }
  return null;
}

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(encoded)) return '';
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

/**
 * A signed URL: `path?exp=…&grant=…&sig=…`. It acts as the key that asked for it, for GET on that one path
 * only, until `exp`; the controller alone can sign one (HMAC keyed on the admin key), and a rotated key's
 * signed URLs stop working with it.
 */
export const SIGNED_URL_PARAMS = { expires: 'exp', grant: 'grant', signature: 'sig' } as const;
/**
 * The roles whose pages hand out downloads (the console's exports, the switch log): the others' keys reach
 * nothing a signed URL is for, and get 403.
 */
export const SIGNED_URL_ROLES = ['admin', 'director', 'graphics'] as const satisfies readonly Role[];
/** Long enough to start a download or a replay, short enough that a copied link is soon worthless. */
export const SIGNED_URL_TTL_MS = 5 * 60_000;

export const SignedUrlRequestSchema = Type.Object(
  {
    /** An API path of this controller, without query or fragment. */
    path: Type.String({ pattern: '^/api/[^?#\\s]*$', maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type SignedUrlRequest = Static<typeof SignedUrlRequestSchema>;

export const SignedUrlAnswerSchema = Type.Object({
  /** The path with its signature: a relative URL, good for GET until expiresAt. */
  url: Type.String(),
  expiresAt: Type.Integer(),
});
export type SignedUrlAnswer = Static<typeof SignedUrlAnswerSchema>;
