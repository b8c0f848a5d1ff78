// The re-render queue's worker: runs rerender per job with the event's switch log and ISO index from Redis,
// reporting progress as `job.rerender` frames on the event's status channel (StatusJobWorker).
import { Redis } from 'ioredis';
import { RERENDER_QUEUE, RerenderJobSchema, type RedisKeys, type RerenderResult } from '../../protocol/index.ts';
import { readIsoCameras, readIsoSegments } from '../../outputs/iso-index.ts';
import type { Logger } from '../../runtime/logger.ts';
import { rerender } from './rerender.ts';
import { StatusJobWorker } from './status-job-worker.ts';
import { readWholeLog, type SwitchLogReader } from './vod-export.ts';

export interface RerenderWorkerOptions {
  redisUrl: string;
  readLog: SwitchLogReader;
  /** Redis names: the queue prefix, the status keys and the ISO index (tests use a fresh prefix). */
  keys: RedisKeys;
  /** This component's logger (a child of the process's root logger). */
  log: Logger;
}

export class RerenderWorker extends StatusJobWorker<typeof RerenderJobSchema, RerenderResult> {
  /** Reads the ISO index (the base class's connections are BullMQ's and the status publisher's). */
  #index: Redis | null = null;
  readonly #redisUrl: string;

  constructor(options: RerenderWorkerOptions) {
    const { keys, readLog, log } = options;
    const index = () => {
      if (this.#index === null) throw new Error('rerender worker is closing');
      return this.#index;
    };
    super(
      {
        queue: RERENDER_QUEUE,
        status: 'job.rerender',
        schema: RerenderJobSchema,
        // One at a time: a re-render takes every core it is given, below live outputs (EXPORT_NICENESS).
        concurrency: 1,
        run: async (data, onProgress) => {
          const result = await rerender(
            data,
            {
              readLog: (eventId) => readWholeLog(readLog, eventId),
              isoCameras: (eventId) => readIsoCameras(index(), keys, eventId),
              isoSegments: (eventId, camera, fromMs, toMs) =>
                readIsoSegments(index(), keys, eventId, camera, fromMs, toMs),
            },
            { onProgress },
          );
          log.info({ eventId: data.eventId, speed: result.speed, renderMs: result.renderMs }, 're-render ready');
          return result;
        },
        doneMessage: 're-render ready',
      },
      options,
    );
    this.#redisUrl = options.redisUrl;
  }

  override async start(): Promise<void> {
    this.#index = new Redis(this.#redisUrl, {
      maxRetriesPerRequest: 3,
      connectionName: `pitchside-rerender-index-${this.id}`,
    });
    await super.start();
  }

  override async close(): Promise<void> {
    await super.close();
    this.#index?.disconnect();
    this.#index = null;
  }
}
