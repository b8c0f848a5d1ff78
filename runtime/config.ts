// One environment schema for every Pitchside process (controller, worker, `npm start`). A wrong or
// missing value stops the process at start with a message naming the variable and what it expects.
import { DEFAULT_UPLOAD_MIN_FREE_BYTES } from '../protocol/upload-quotas.ts';
import { Type, type Static } from '@sinclair/typebox';
import { envSchema } from 'env-schema';
import ipaddr from 'ipaddr.js';
import { parseNetworkList } from './outbound-policy.ts';
import { DEFAULT_REPLAY_ISO_WAIT_MS, IceServersSchema, parse, type IceServer } from '../protocol/index.ts';

/** Far more takes and log lines than one event makes; the bound only stops a runaway from filling Redis. */
export const DEFAULT_LOG_STREAM_MAX_ENTRIES = 100_000;
/**
 * Event WebSocket limits per controller process (see controller/services/socket-registry.ts): a venue's
 * shared NAT still fits under the per-address cap; the viewer key is everyone's, so its cap is high.
 */
export const DEFAULT_WS_MAX_SOCKETS_PER_ADDRESS = 64;
export const DEFAULT_WS_MAX_SOCKETS_PER_KEY = 2000;
export const DEFAULT_WS_MAX_BUFFERED_BYTES = 1024 * 1024;
export const DEFAULT_WS_PING_INTERVAL_MS = 15_000;
/** Exports run one at a time (libx264 below live outputs' priority): ten queued is hours of work already. */
export const DEFAULT_EXPORT_QUEUE_MAX = 10;
/** Debian's Chromium; CHROMIUM_PATH names another one. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
/** The unit of every *_RETENTION_DAYS setting. */
export const DAY_MS = 24 * 3600 * 1000;

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address the controller listens on.' }),
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'Controller HTTP port (0 = any free port).',
  }),
  HTTPS_HOST: Type.String({
    default: '0.0.0.0',
    description:
      'Address of the HTTPS listener phones open the camera page on (browsers allow cameras only over HTTPS); empty = none (TLS ends at a reverse proxy).',
  }),
  HTTPS_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8443,
    description: 'HTTPS port (0 = any free port).',
  }),
  TLS_CERT: Type.String({
    default: '',
    description:
      'PEM certificate (chain) file for the HTTPS listener; empty = one signed by a local CA kept in the data dir.',
  }),
  TLS_KEY: Type.String({ default: '', description: 'PEM private key file of TLS_CERT.' }),
  PUBLIC_URL: Type.String({
    default: '',
    pattern: '^(https?://[^/]+.*)?$',
    description:
      'URL browsers and Egress reach the controller at (e.g. https://pitchside.example.org); empty = http://HOST:PORT, and links for other devices (camera join link, QR code) use the LAN HTTPS address.',
  }),
  TRUST_PROXY: Type.String({
    default: '',
    description:
      'Reverse proxies whose X-Forwarded-For the controller believes: a hop count (1 = the one proxy in front) or their addresses/CIDRs, comma-separated; empty = none (the client is the socket peer, so a forged header changes nothing).',
  }),
  ALLOW_PRIVATE_NETWORKS: Type.String({
    default: '',
    description:
      'Private networks (CIDRs or addresses, comma-separated, e.g. 192.168.1.0/24) that media source URLs and RTMP destinations may reach; empty = none: loopback, link-local, private and metadata addresses are refused.',
  }),
  REDIS_URL: Type.String({
    default: '',
    pattern: '^(rediss?://.+)?$',
    description: 'redis://… ; empty = start an embedded redis-server.',
  }),
  PITCHSIDE_DATA_DIR: Type.String({
    default: 'data',
    description: 'Embedded Redis data, admin key, recordings and exports.',
  }),
  PITCHSIDE_ADMIN_KEY: Type.String({
    default: '',
    description: 'Admin API key; empty = generate one on first start and keep it in the data dir.',
  }),
  LIVEKIT_URL: Type.String({
    default: '',
    pattern: '^(wss?://.+|https?://.+)?$',
    description: 'LiveKit server URL (wss://…); empty = no LiveKit.',
  }),
  LIVEKIT_API_KEY: Type.String({ default: '' }),
  LIVEKIT_API_SECRET: Type.String({ default: '' }),
  ICE_SERVERS: Type.String({
    default: '',
    description:
      'Direct cameras only: JSON array of RTCIceServer (STUN/TURN, e.g. [{"urls":"turn:turn.example.org:3478","username":"u","credential":"p"}]); empty = host candidates only (one LAN).',
  }),
  OUTPUT_BACKEND: Type.Union([Type.Literal('builtin'), Type.Literal('egress')], {
    default: 'builtin',
    description:
      'builtin: Pitchside records and streams in Chromium + ffmpeg; egress: LiveKit Egress composes the template.',
  }),
  WORKER_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 1,
    description: 'Program outputs one worker runs at once.',
  }),
  CHROMIUM_PATH: Type.String({
    default: DEFAULT_CHROMIUM_PATH,
    minLength: 1,
    description: 'The Chromium binary the built-in recorder runs (Debian: /usr/bin/chromium).',
  }),
  OBS_WEBSOCKET_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 4455,
    description:
      'obs-websocket v5 port for control surfaces (Companion, Stream Deck, tally apps); 0 = off. Password: an event key.',
  }),
  WS_MAX_SOCKETS_PER_ADDRESS: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: DEFAULT_WS_MAX_SOCKETS_PER_ADDRESS,
    description: 'Event WebSockets one client address (an IPv6 /64) may hold open on one controller process.',
  }),
  WS_MAX_SOCKETS_PER_KEY: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: DEFAULT_WS_MAX_SOCKETS_PER_KEY,
    description:
      'Event WebSockets one key may hold open on one controller process (the viewer key is shared by every viewer).',
  }),
  WS_MAX_BUFFERED_BYTES: Type.Integer({
    minimum: 64 * 1024,
    maximum: 256 * 1024 * 1024,
    default: DEFAULT_WS_MAX_BUFFERED_BYTES,
    description:
      'Unsent bytes a WebSocket may queue before its client counts as not reading and is dropped (it resyncs on reconnect).',
  }),
  WS_PING_INTERVAL_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: DEFAULT_WS_PING_INTERVAL_MS,
    description: 'The controller pings each WebSocket this often; one silent for a whole interval is dropped.',
  }),
  UPLOAD_MIN_FREE_BYTES: Type.Integer({
    minimum: 0,
    default: DEFAULT_UPLOAD_MIN_FREE_BYTES,
    description:
      'Free space the data dir keeps: below it ISO segments and logos are refused (507) and the event log says so (0 = no floor).',
  }),
  LOG_STREAM_MAX_ENTRIES: Type.Integer({
    minimum: 100,
    maximum: 10_000_000,
    default: DEFAULT_LOG_STREAM_MAX_ENTRIES,
    description:
      'Switch log and event log entries kept per event; older ones are trimmed (approximately: Redis drops whole stream nodes).',
  }),
  EXPORT_QUEUE_MAX: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: DEFAULT_EXPORT_QUEUE_MAX,
    description:
      'VOD exports waiting or running at once (they run one at a time); one more is refused with 429 until one finishes.',
  }),
  RECORDING_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 3650,
    default: 30,
    description:
      'Days recordings and finished HLS streams are kept on the worker disk after their last write; 0 = keep forever.',
  }),
  ISO_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 3650,
    default: 14,
    description:
      'Days camera ISO segments (replay and re-render sources, ~0.4 GB per camera-hour) are kept after they were recorded; replay clips stay with their clip; 0 = keep forever.',
  }),
  REPLAY_ISO_WAIT_MS: Type.Integer({
    minimum: 1000,
    maximum: 120_000,
    default: DEFAULT_REPLAY_ISO_WAIT_MS,
    description:
      "How long after a replay clip's out point its camera ISO segments may still arrive (the clip is pending meanwhile); then it is a partial clip of what arrived.",
  }),
  EXPORT_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 3650,
    default: 7,
    description: 'Days VOD exports are kept after they were made; 0 = keep forever.',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});
export type Config = Static<typeof ConfigSchema> & {
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the environment (plus overrides, for tests). Throws ConfigError naming the variable. */
export function loadConfig(
  overrides: Partial<Record<keyof Config, string | number>> = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  let config: Config;
  try {
    // env: false — only the environment passed in counts (process.env by default), so tests can pass their own.
    config = envSchema<Config>({ schema: ConfigSchema, data: [env, overrides], env: false, dotenv: false });
  } catch (error) {
    throw new ConfigError(`Configuration: ${describeSchemaErrors(error as SchemaError)}`);
  }
  const livekit = [config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET];
  if (livekit.some((v) => v !== '') && livekit.some((v) => v === '')) {
    throw new ConfigError(
      'Configuration: LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set together (or none of them).',
    );
  }
  if ((config.TLS_CERT === '') !== (config.TLS_KEY === '')) {
    throw new ConfigError('Configuration: TLS_CERT and TLS_KEY must be set together (or neither).');
  }
  trustProxyOption(config.TRUST_PROXY);
  allowedNetworks(config);
  iceServers(config);
  if (config.OUTPUT_BACKEND === 'egress' && config.LIVEKIT_URL === '') {
    throw new ConfigError(
      'Configuration: OUTPUT_BACKEND=egress needs LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET.',
    );
  }
  return config;
}

interface SchemaError extends Error {
  errors?: { instancePath: string; message?: string }[];
}

/**
 * One line per wrong variable, saying what it expects. Ajv reports a union of literals as three
 * unhelpful lines ("must be equal to constant" ...), so those list the allowed values instead. Values
 * are never echoed: some are secrets.
 */
function describeSchemaErrors(error: SchemaError): string {
  if (!error.errors?.length) return error.message.replace(/^env\/?/, '');
  const byVariable = new Map<string, string>();
  for (const { instancePath, message } of error.errors) {
    const name = instancePath.replace(/^\//, '');
    if (byVariable.has(name)) continue;
    const property = (ConfigSchema.properties as Record<string, { anyOf?: { const?: string }[] }>)[name];
    const allowed = property?.anyOf?.map((option) => option.const).filter((v) => v !== undefined);
    byVariable.set(name, allowed?.length ? `must be one of ${allowed.join(', ')}` : (message ?? 'is invalid'));
  }
  return [...byVariable].map(([name, expects]) => `${name} ${expects}`).join('; ');
}

/** More proxies than any real deployment chains; a bigger count is a typo. */
export const MAX_TRUSTED_PROXY_HOPS = 10;

/**
 * TRUST_PROXY as Fastify's `trustProxy`: false (believe no forwarding header), a hop count, or the
 * proxies' addresses. Never `true`: that believes whatever a client writes into X-Forwarded-For.
 */
export function trustProxyOption(value: string): false | number | string[] {
  const text = value.trim();
  if (text === '') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > MAX_TRUSTED_PROXY_HOPS)
      throw new ConfigError(`Configuration: TRUST_PROXY must be a hop count from 1 to ${MAX_TRUSTED_PROXY_HOPS}`);
    return hops;
  }
  const addresses = text.split(',').map((a) => a.trim());
  const wrong = addresses.filter((a) => !ipaddr.isValid(a) && !ipaddr.isValidCIDR(a));
  if (wrong.length > 0 || addresses.length === 0)
    throw new ConfigError(
      'Configuration: TRUST_PROXY must be a hop count or comma-separated proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)',
    );
  return addresses;
}

/** ALLOW_PRIVATE_NETWORKS as a list (see runtime/outbound-policy.ts). */
export function allowedNetworks(config: Pick<Config, 'ALLOW_PRIVATE_NETWORKS'>): string[] {
  try {
    return parseNetworkList(config.ALLOW_PRIVATE_NETWORKS);
  } catch (error) {
    throw new ConfigError(`Configuration: ALLOW_PRIVATE_NETWORKS: ${(error as Error).message}`);
  }
}

/** ICE_SERVERS parsed and checked (ConfigError naming the variable and the field). */
export function iceServers(config: Config): IceServer[] {
  if (config.ICE_SERVERS.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(config.ICE_SERVERS);
  } catch {
    throw new ConfigError('Configuration: ICE_SERVERS must be a JSON array of {urls, username?, credential?}.');
  }
  const parsed = parse(IceServersSchema, value);
  if (!parsed.ok) throw new ConfigError(`Configuration: ICE_SERVERS${parsed.error.field} ${parsed.error.message}`);
  return parsed.value;
}

/** For process entries: a configuration error is a message for the operator, not a stack trace. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
