// One logger style for every Pitchside process: pino, JSON lines. A process entry makes the root logger
// from its configuration (LOG_LEVEL) and hands each component a child (`log.child({ component })`), so
// every line names where it came from. Stream keys and role keys never reach a line: known secret
// fields are redacted, and every string (messages, fields, error messages) goes through maskSecrets, so
// a key that slips into an error message (ffmpeg quotes its output URL) is masked too.
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { maskSecrets } from '../protocol/index.ts';
import type { Config } from './config.ts';

export type { Logger };

/** Where secrets may appear in a log line; pino replaces them. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'streamKey',
  'key',
  'apiSecret',
  'token',
  '*.streamKey',
  '*.key',
  '*.apiSecret',
  '*.token',
  'destinations[*].streamKey',
];

export interface LoggerOptions {
  level: Config['LOG_LEVEL'];
  /** Where lines go; default stdout. Tests pass a sink to read them. */
  stream?: DestinationStream;
}

/** The root logger of a process. Components get children of it, never a logger of their own. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        err: (error: Error) => {
          const serialized = stdSerializers.err(error);
          serialized.message = maskSecrets(serialized.message);
          serialized.stack = maskSecrets(serialized.stack);
          return serialized;
        },
        // Page and WebSocket URLs carry `?key=`.
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: maskSecrets(req.url),
          ip: req.ip,
        }),
      },
      hooks: {
        logMethod(args, method) {
          // Masked before JSON escaping: a key holding a quote is then still one run of characters to mask.
          method.apply(this, args.map(maskDeep) as Parameters<typeof method>);
        },
      },
    },
    options.stream,
  );
}

/**
 * Strings masked inside plain objects and arrays; anything else (a Fastify request, a socket) is left
 * to its serializer. Errors outside `err` become their masked message.
 */
function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value instanceof Error) return maskSecrets(value.message);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'err' ? v : maskDeep(v)]));
  return value;
}

/** A message for people from any thrown value, with secrets masked. */
export function errorMessage(error: unknown): string {
  return maskSecrets(error instanceof Error ? error.message : String(error));
}
