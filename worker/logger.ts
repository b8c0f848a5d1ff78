// Named loggers per subsystem, one JSON line each on stderr. Every line goes through maskSecrets, so a
// stream key that slips into an error message (ffmpeg quotes its output URL) never reaches a log.
import { maskSecrets } from '../protocol/jobs.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function createLogger(name: string, level: LogLevel | 'silent' = (process.env.WORKER_LOG_LEVEL as LogLevel) ?? 'info'): Logger {
  const write = (lvl: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < (ORDER[level] ?? ORDER.info)) return;
    const line = JSON.stringify({ level: lvl, time: Date.now(), name, msg: message, ...fields });
    process.stderr.write(`${maskSecrets(line)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A message for people from any thrown value, with secrets masked. */
export function errorMessage(error: unknown): string {
  return maskSecrets(error instanceof Error ? error.message : String(error));
}
