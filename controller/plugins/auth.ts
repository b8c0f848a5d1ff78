// Role-scoped API keys. Every /api route declares `config.access` (its roles, or public); a route that
// does not is refused at registration, so none can be forgotten. Keys come as `Authorization: Bearer`, as
// a WebSocket subprotocol (browsers cannot set a socket's headers), as a signed URL for one path
// (downloads, media elements), or as `?key=` (older links, non-browser clients); see
// protocol/key-transport.ts. Clients that fail auth are rate limited, with one count shared by every door
// (HTTP, the event WebSocket, obs-websocket: app.authFailures).
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { fromProtocols, KEY_PROTOCOL_PREFIX, SIGNED_URL_PARAMS, type Role } from '../../protocol/index.ts';
import { AppError } from '../services/app-error.ts';
import { AuthFailureLimiter } from '../services/auth-failure-limiter.ts';
import type { AuthContext } from '../services/key-store.ts';

/**
 * Roles that may call a route, or public (health, join by code, signed webhooks). `ownCamera`: the route
 * acts as the camera in its `:cameraId` param, which a camera key may only be for its own camera; `ownSeat`
 * the same for a commentary seat's key and the `:seatId` param. `publicPlayback`: without a key, the route
 * is open when its `:eventId` is marked `publicPlayback`.
 */
export type RouteAccess =
  { public: true } | { roles: readonly Role[]; ownCamera?: boolean; ownSeat?: boolean; publicPlayback?: boolean };

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
  websocket: boolean;
}

export interface AuthOptions {
  /** Failed auth attempts one client address may make per window before it gets 429s. */
  failureLimit: number;
  failureWindowMs: number;
}

export const AUTH_FAILURE_LIMIT = 30;
export const AUTH_FAILURE_WINDOW_MS = 60_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The caller, on routes that need a key (null on public routes). */
    auth: AuthContext | null;
    authFailure: AppError | null;
  }
  interface FastifyInstance {
    /** Every /api route with its access, for the endpoint × role test and the docs. */
    apiRoutes: RegisteredRoute[];
    /** Failed authentication per client address, counted by every door (HTTP, both WebSockets). */
    authFailures: AuthFailureLimiter;
  }
}

/** An IPv6 client usually holds a whole /64: counting per address would let it rotate through 2^64. */
export const IPV6_RATE_LIMIT_PREFIX = 64;

/**
 * The client a rate limit counts: its address (as the proxy setting lets the controller see it, see
 * TRUST_PROXY), an IPv6 address by its /64.
 */
export function rateLimitKey(request: FastifyRequest): string {
  return addressKey(request.ip);
}

/** The rate-limit identity of a peer address (a door without Fastify's proxy rule: obs-websocket). */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${IPV6_RATE_LIMIT_PREFIX}`);
  return `${network.toRFC5952String()}/${IPV6_RATE_LIMIT_PREFIX}`;
}

/** A secret a WebSocket offered as a subprotocol under `prefix` (protocol/key-transport.ts), or null. */
export function offeredSecret(request: FastifyRequest, prefix: string): string | null {
  const protocols = request.headers['sec-websocket-protocol'];
  return fromProtocols(typeof protocols === 'string' ? protocols : undefined, prefix);
}

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const offered = offeredSecret(request, KEY_PROTOCOL_PREFIX);
  if (offered !== null) return offered;
  const query = request.query as Record<string, unknown> | undefined;
  const key = query?.['key'];
  return typeof key === 'string' && key !== '' ? key : null;
}

/**
 * The signature parameters of a signed URL, taken out of the query (so a route's query schema never sees
 * them), or null when the request is not one.
 */
function takeSignedParams(request: FastifyRequest): Record<string, unknown> | null {
  const query = request.query as Record<string, unknown> | undefined;
  if (query === undefined || query[SIGNED_URL_PARAMS.signature] === undefined) return null;
  const taken: Record<string, unknown> = {};
  for (const name of Object.values(SIGNED_URL_PARAMS)) {
    taken[name] = query[name];
    delete query[name];
  }
  return taken;
}

export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    const routes: RegisteredRoute[] = [];
    const failures = new AuthFailureLimiter(options.failureLimit, options.failureWindowMs);
    app.decorate('apiRoutes', routes);
    app.decorate('authFailures', failures);
    app.decorateRequest('auth', null);
    app.decorateRequest('authFailure', null);

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/') || route.method === 'HEAD') return;
      const access = route.config?.access;
      if (access === undefined) throw new Error(`${String(route.method)} ${route.url} declares no config.access`);
      for (const method of [route.method].flat())
        routes.push({ method, url: route.url, access, websocket: route.websocket === true });
    });

    // Decide here; a failure is counted against the client's address, and past the limit it is a 429.
    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (access === undefined || 'public' in access) return;
      const params = request.params as Record<string, string | undefined>;
      const signed = takeSignedParams(request);
      let auth: AuthContext | null;
      let failure: AppError | null;
      if (signed !== null) {
        // A signed URL stands for its key on its own path, for reading only.
        const verdict =
          request.method === 'GET' || request.method === 'HEAD'
            ? await app.apiKeys.verifySignedUrl(request.url.split('?')[0] ?? '', signed, Date.now())
            : { error: new AppError(405, 'METHOD_NOT_ALLOWED', 'A signed URL is good for GET only.') };
        auth = 'auth' in verdict ? verdict.auth : null;
        failure = 'auth' in verdict ? accessFailure(verdict.auth, access, params) : verdict.error;
      } else {
        const key = presentedKey(request);
        const eventId = params['eventId'];
        if (key === null && access.publicPlayback === true && eventId !== undefined) {
          if ((await app.events.get(eventId))?.publicPlayback === true) return;
        }
        auth = key === null ? null : await app.apiKeys.resolve(key);
        // A camera or seat key acting as another is counted as a failure too: it is an impersonation attempt.
        failure =
          auth === null
            ? key === null
              ? new AppError(401, 'UNAUTHORIZED', 'An API key is required (Authorization: Bearer KEY).')
              : invalidKey()
            : accessFailure(auth, access, params);
      }
      // Only failing clients are counted: a busy director must never be throttled.
      if (failure === null) {
        request.auth = auth;
        return;
      }
      const waitMs = failures.fail(rateLimitKey(request));
      request.authFailure = waitMs > 0 ? tooManyFailures(waitMs) : failure;
    });

    // Per-route limits only (the join route's guesses); failed auth is counted above, for every door.
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new AppError(429, 'RATE_LIMITED', `Too many attempts; retry in ${Math.ceil(context.ttl / 1000)} s.`),
    });

    app.addHook('preParsing', async (request) => {
      // A refused WebSocket is upgraded and closed with a code the browser can read (4401/4403, see
      // protocol WS_CLOSE), so the page stops retrying; a failed HTTP upgrade would look like a network error.
      if (request.authFailure && !request.ws) throw request.authFailure;
    });
  },
  { name: 'pitchside-auth', dependencies: ['pitchside-events', 'pitchside-api-keys'] },
);

/**
 * Why a valid key may not call a route with this access (its role, another event's key, another camera),
 * or null when it may. The auth hook asks it for every request; the obs-websocket door for every command.
 */
export function accessFailure(
  auth: AuthContext,
  access: Exclude<RouteAccess, { public: true }>,
  params: Record<string, string | undefined>,
): AppError | null {
  const eventId = params['eventId'];
  if (!access.roles.includes(auth.role))
    return new AppError(403, 'FORBIDDEN', `The ${auth.role} role may not call this endpoint.`);
  if (auth.eventId !== null && eventId !== undefined && auth.eventId !== eventId)
    return new AppError(403, 'FORBIDDEN', 'This key belongs to another event.');
  if (access.ownCamera === true && !mayActAsCamera(auth, params['cameraId'])) return notOwnCamera();
  if (access.ownSeat === true && !mayActAsSeat(auth, params['seatId'])) return notOwnSeat();
  return null;
}

/** The answer to a client past AUTH_FAILURE_LIMIT failed attempts in its window, at any door. */
export function tooManyFailures(waitMs: number): AppError {
  return new AppError(
    429,
    'RATE_LIMITED',
    `Too many failed authentication attempts; retry in ${Math.ceil(waitMs / 1000)} s.`,
  );
}

/** The answer to a key that resolves to nothing (never issued, rotated, or its event deleted). */
export function invalidKey(): AppError {
  return new AppError(401, 'UNAUTHORIZED', 'The API key is not valid.');
}

/**
 * Whether the caller may act as this camera (its token, its status, its signalling). Operator roles may
 * act for any camera; a camera key only for the camera it was issued to at join (the event's shared
 * camera key, bound to none, for no camera).
 */
export function mayActAsCamera(auth: AuthContext, cameraId: string | undefined): boolean {
  if (auth.role !== 'camera') return true;
  return cameraId !== undefined && auth.cameraId === cameraId;
}

/** Whether the caller may act as this commentary seat: operators for any, a seat's key only for its own. */
export function mayActAsSeat(auth: AuthContext, seatId: string | undefined): boolean {
  if (auth.role !== 'commentary') return true;
  return seatId !== undefined && auth.seatId === seatId;
}

export function notOwnSeat(): AppError {
  return new AppError(403, 'FORBIDDEN', 'A commentary key may act only as its own seat.', '/seatId');
}

export function notOwnCamera(): AppError {
  return new AppError(403, 'FORBIDDEN', 'A camera key may act only as its own camera.', '/cameraId');
}

/** The caller of a route that declares roles (the auth hook guarantees it is set there). */
export function caller(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw new AppError(401, 'UNAUTHORIZED', 'An API key is required.');
  return request.auth;
}
