// Named loggers per subsystem, one JSON line each on stderr. Every line goes through maskSecrets, so a
// stream key that slips into an error message (ffmpeg quotes its output URL) never reaches a log.
import { maskSecrets } from '../protocol/jobs.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * The level comes from LOG_LEVEL, the variable runtime/config.ts checks at start for every process
 * (pino's fatal/trace map to error/debug here).
 */
export function createLogger(name: string, level: LogLevel | 'silent' = levelFrom(process.env.LOG_LEVEL)): Logger {
  const write = (lvl: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < (ORDER[level] ?? ORDER.info)) return;
    // Masked before JSON escaping: a key holding a quote is then still one run of characters to mask.
    const line = JSON.stringify(maskDeep({ level: lvl, time: Date.now(), name, msg: message, ...fields }));
    process.stderr.write(`${line}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object' && !(value instanceof Error))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]));
  return value instanceof Error ? maskSecrets(value.message) : value;
}

function levelFrom(value: string | undefined): LogLevel | 'silent' {
  if (value === 'fatal') return 'error';
  if (value === 'trace') return 'debug';
  return value === 'silent' || (value !== undefined && value in ORDER) ? (value as LogLevel | 'silent') : 'info';
}

/** A message for people from any thrown value, with secrets masked. */
export function errorMessage(error: unknown): string {
  return maskSecrets(error instanceof Error ? error.message : String(error));
}
