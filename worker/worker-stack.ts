// Everything one worker process runs: the program output worker (with the deployment's backend), the
// export worker and the retention sweep of old recordings and exports, started in order and closed in
// reverse. `worker/main.ts` is the process entry; `npm start` or a test can run the same stack in-process.
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { allowedNetworks, type Config } from '../runtime/config.ts';
import { OutboundPolicy } from '../runtime/outbound-policy.ts';
import { createRedisKeys, type RedisKeys } from '../protocol/redis-keys.ts';
import { HLS_DATA_SUBDIR } from '../protocol/hls.ts';
import { GameLog } from '../outputs/game-log.ts';
import { SwitchLog } from '../outputs/switch-log.ts';
import { BuiltinBackend } from './builtin-backend.ts';
import { EgressBackend } from './egress-backend.ts';
import { ClipExportWorker } from './export/clip-export-worker.ts';
import { ExportWorker } from './export/export-worker.ts';
import { RerenderWorker } from './export/rerender-worker.ts';
import { OutputWorker } from './output-worker.ts';
import { createLogger, type Logger } from '../runtime/logger.ts';
import { retentionSweeper } from './retention.ts';

export interface WorkerStack {
  close(): Promise<void>;
}

export interface WorkerStackOptions {
  /** Redis names (tests use a fresh prefix). */
  keys?: RedisKeys;
  /** The process's root logger; default one at config.LOG_LEVEL. Each component logs through a child. */
  log?: Logger;
}

export async function startWorkerStack(
  config: Config,
  redisUrl: string,
  options: WorkerStackOptions = {},
): Promise<WorkerStack> {
  const keys = options.keys ?? createRedisKeys();
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL });
  const backend =
    config.OUTPUT_BACKEND === 'egress'
      ? new EgressBackend({
          url: config.LIVEKIT_URL,
          apiKey: config.LIVEKIT_API_KEY,
          apiSecret: config.LIVEKIT_API_SECRET,
          // Egress shares the data dir (docker/compose.yaml), so the controller serves what it writes.
          hlsDir: resolve(config.PITCHSIDE_DATA_DIR, HLS_DATA_SUBDIR),
        })
      : new BuiltinBackend({
          recordingsDir: resolve(config.PITCHSIDE_DATA_DIR, 'recordings'),
          hlsDir: resolve(config.PITCHSIDE_DATA_DIR, HLS_DATA_SUBDIR),
          outbound: new OutboundPolicy({ allow: allowedNetworks(config) }),
          chromiumPath: config.CHROMIUM_PATH,
        });
  const outputs = new OutputWorker({
    redisUrl,
    backends: { [backend.kind]: backend },
    defaultBackend: backend.kind,
    concurrency: config.WORKER_CONCURRENCY,
    keys,
    log: log.child({ component: 'output' }),
  });
  // Exports read the switch log the controller writes (same keys, same reader).
  const logRedis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const switchLog = new SwitchLog(logRedis, keys);
  const gameLog = new GameLog(logRedis, keys);
  const exports = new ExportWorker({
    redisUrl,
    keys,
    readLog: (eventId, range) => switchLog.query(eventId, range),
    readGame: (eventId) => gameLog.read(eventId),
    log: log.child({ component: 'export' }),
  });
  const clipExports = new ClipExportWorker({ redisUrl, keys, log: log.child({ component: 'clip-export' }) });
  const rerenders = new RerenderWorker({
    redisUrl,
    keys,
    readLog: (eventId, range) => switchLog.query(eventId, range),
    log: log.child({ component: 'rerender' }),
  });
  const retention = retentionSweeper({
    recordingsDir: resolve(config.PITCHSIDE_DATA_DIR, 'recordings'),
    exportsDir: resolve(config.PITCHSIDE_DATA_DIR, 'exports'),
    hlsDir: resolve(config.PITCHSIDE_DATA_DIR, HLS_DATA_SUBDIR),
    recordingDays: config.RECORDING_RETENTION_DAYS,
    exportDays: config.EXPORT_RETENTION_DAYS,
    log: log.child({ component: 'retention' }),
  });
  await outputs.start();
  await exports.start();
  await clipExports.start();
  await rerenders.start();
  retention.start();
  return {
    async close() {
      await retention.close();
      await rerenders.close();
      await clipExports.close();
      await exports.close();
      await outputs.close();
      logRedis.disconnect();
    },
  };
}
