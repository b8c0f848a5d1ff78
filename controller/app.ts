// The controller as a Fastify app: plugins in dependency order, then every file in routes/ (autoload,
// so another component can drop a route file in without touching this one). server.ts runs it.
import { join, resolve } from 'node:path';
import autoload from '@fastify/autoload';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { allowedNetworks, iceServers, trustProxyOption, type Config } from '../runtime/config.ts';
import { createLogger, type Logger } from '../runtime/logger.ts';
import { authPlugin, AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS } from './plugins/auth.ts';
import { docsPlugin } from './plugins/docs.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { obsWebSocketPlugin } from './plugins/obs-websocket.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { servicesPlugin } from './plugins/services.ts';
import { staticPagesPlugin } from './plugins/static-pages.ts';
import { validationPlugin } from './plugins/validation.ts';
import type { LiveKitSettings } from './services/livekit-bridge.ts';
import { DEFAULT_KEY_PREFIX } from '../protocol/redis-keys.ts';
import { EVENT_SOCKET_PROTOCOL } from '../protocol/chat.ts';
import { socketLimits } from './services/socket-registry.ts';

/** Commands and event edits are small; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;
/** How long one plugin (the autoloaded routes included) may take to start before the process gives up. */
export const PLUGIN_TIMEOUT_MS = 120_000;

/** Options every route plugin receives (through @fastify/autoload). */
export interface RouteOptions {
  /** The process configuration, read once at the entry. */
  config: Config;
}

export interface AppOptions {
  config: Config;
  redisUrl: string;
  adminKey: string;
  /** Redis key prefix, also of the job queues the output routes enqueue on (tests use a fresh one each). */
  keyPrefix?: string;
  /** Built pages; null = serve none. Default: ./dist. */
  distDir?: string | null;
  /** Overrides the LiveKit settings from config (tests point it at the Twirp stub); null = no LiveKit. */
  livekit?: LiveKitSettings | null;
  /**
   * The process's root logger (runtime/logger.ts); default one at config.LOG_LEVEL; false = none (tests).
   * Requests log through Fastify's per-request children, services through `{ component }` children.
   */
  logger?: Logger | false;
  authFailureLimit?: number;
  /**
   * The LAN HTTPS address (`npm start`'s HttpsListener), once listening: links for other devices (camera
   * join link, QR code) use it when PUBLIC_URL is unset.
   */
  lanUrl?: () => string | null;
  /**
   * obs-websocket listener port (0 = any free port); left out: none. Process entries pass
   * config.OBS_WEBSOCKET_PORT (when not 0); tests and harnesses opt in.
   */
  obsWebSocketPort?: number;
}

/** Fastify's typings lack the hop count its runtime takes: the same rule as a function of the hop. */
function fastifyTrustProxy(
  option: false | number | string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof option === 'number' ? (_address, hop) => hop < option : option;
}

/** The obs-websocket option of a process entry: the configured port, or none when it is 0 (off). */
export function obsWebSocket(config: Config): Pick<AppOptions, 'obsWebSocketPort'> {
  return config.OBS_WEBSOCKET_PORT === 0 ? {} : { obsWebSocketPort: config.OBS_WEBSOCKET_PORT };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  // Typed as Fastify's base logger: routes and plugins see the same FastifyInstance type either way.
  const logger: FastifyBaseLogger | false = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const app = Fastify({
    ...(logger === false ? { logger: false } : { loggerInstance: logger }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Only the proxies TRUST_PROXY names: believing any X-Forwarded-For let a client pick its own address
    // and escape the auth-failure and join limits.
    trustProxy: fastifyTrustProxy(trustProxyOption(config.TRUST_PROXY)),
    routerOptions: { maxParamLength: 200 },
    // Fastify's 10 s per plugin is shorter than loading the route files (compiled by tsx as they load) on
    // a loaded machine: a controller restarting mid-show there failed "Plugin did not start in time" and
    // stayed down (tests/faults/controller-restart-pages, load average 30 on two cores).
    pluginTimeout: PLUGIN_TIMEOUT_MS,
  });
  const livekit =
    options.livekit !== undefined
      ? options.livekit
      : config.LIVEKIT_URL === ''
        ? null
        : { url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET };

  await app.register(validationPlugin);
  await app.register(errorsPlugin);
  await app.register(servicesPlugin, {
    redisUrl: options.redisUrl,
    keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
    adminKey: options.adminKey,
    livekit,
    publicUrl: config.PUBLIC_URL === '' ? null : config.PUBLIC_URL,
    allowPrivateNetworks: allowedNetworks(config),
    logStreamMaxEntries: config.LOG_STREAM_MAX_ENTRIES,
    lanUrl: options.lanUrl ?? (() => null),
    socketLimits: socketLimits(config),
    iceServers: iceServers(config),
    dataDir: config.PITCHSIDE_DATA_DIR,
    replayIsoWaitMs: config.REPLAY_ISO_WAIT_MS,
    uploadMinFreeBytes: config.UPLOAD_MIN_FREE_BYTES,
  });
  await app.register(metricsPlugin);
  await app.register(authPlugin, {
    failureLimit: options.authFailureLimit ?? AUTH_FAILURE_LIMIT,
    failureWindowMs: AUTH_FAILURE_WINDOW_MS,
  });
  await app.register(docsPlugin);
  await app.register(websocket, {
    options: {
      maxPayload: WS_MAX_PAYLOAD_BYTES,
      // Pages offer the key and the chat ticket as subprotocols beside 'pitchside': only that one is ever
      // selected (echoed back), so no secret comes back in a response header.
      handleProtocols: (offered) => (offered.has(EVENT_SOCKET_PROTOCOL) ? EVENT_SOCKET_PROTOCOL : false),
    },
  });
  await app.register(staticPagesPlugin, { distDir: options.distDir === undefined ? resolve('dist') : options.distDir });
  // @fastify/autoload loads .ts route files only under a TypeScript runtime it recognises, and it does not
  // recognise `node --import tsx` on Node 20 (the process entry the Dockerfiles and docs run): there the
  // controller refused to start. Every Pitchside process runs its .ts sources through tsx, so say so.
  process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1';
  const routeOptions: RouteOptions = { config };
  if (options.obsWebSocketPort !== undefined) {
    await app.register(obsWebSocketPlugin, { host: config.HOST, port: options.obsWebSocketPort });
  }
  await app.register(autoload, { dir: join(import.meta.dirname, 'routes'), forceESM: true, options: routeOptions });
  return app;
}
