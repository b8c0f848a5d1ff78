// The export queue's worker: runs exportVod per job, reports progress (job progress + the event's
// status channel) and fails bad input at once while retrying the rest (StatusJobWorker).
import { EXPORT_QUEUE, ExportJobSchema, type ExportResult, type RedisKeys } from '../../protocol/index.ts';
import type { Logger } from '../../runtime/logger.ts';
import { StatusJobWorker } from './status-job-worker.ts';
import { exportVod, type GameLogReader, type SwitchLogReader } from './vod-export.ts';

/** One export at a time per worker: a libx264 encode takes every core it is given (see EXPORT_NICENESS). */
export const EXPORT_CONCURRENCY = 1;

export interface ExportWorkerOptions {
  redisUrl: string;
  readLog: SwitchLogReader;
  /** The game log, for chapters at periods and score changes. */
  readGame?: GameLogReader;
  /** Redis names: the queue prefix and the status keys (tests use a fresh prefix). */
  keys: RedisKeys;
  /** This component's logger (a child of the process's root logger). */
  log: Logger;
}

export class ExportWorker extends StatusJobWorker<typeof ExportJobSchema, ExportResult> {
  constructor(options: ExportWorkerOptions) {
    super(
      {
        queue: EXPORT_QUEUE,
        status: 'job.export',
        schema: ExportJobSchema,
        concurrency: EXPORT_CONCURRENCY,
        run: (data, onProgress) =>
          exportVod(data, {
            readLog: options.readLog,
            ...(options.readGame === undefined ? {} : { readGame: options.readGame }),
            onProgress,
          }),
        doneMessage: 'export ready',
      },
      options,
    );
  }
}
