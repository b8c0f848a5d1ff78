// Everything one worker process runs: the program output worker (with the deployment's backend) and
// the export worker, started in order and closed in reverse. `worker/main.ts` is the process entry;
// `npm start` or a test can run the same stack in-process.
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { allowedNetworks, type Config } from '../runtime/config.ts';
import { OutboundPolicy } from '../runtime/outbound-policy.ts';
import { createRedisKeys, type RedisKeys } from '../protocol/redis-keys.ts';
import { SwitchLog } from '../controller/services/switch-log.ts';
import { BuiltinBackend } from './builtin-backend.ts';
import { EgressBackend } from './egress-backend.ts';
import { ExportWorker } from './export/export-worker.ts';
import { OutputWorker } from './output-worker.ts';

export interface WorkerStack {
  close(): Promise<void>;
}

export async function startWorkerStack(
  config: Config,
  redisUrl: string,
  keys: RedisKeys = createRedisKeys(),
): Promise<WorkerStack> {
  const backend =
    config.OUTPUT_BACKEND === 'egress'
      ? new EgressBackend({
          url: config.LIVEKIT_URL,
          apiKey: config.LIVEKIT_API_KEY,
          apiSecret: config.LIVEKIT_API_SECRET,
        })
      : new BuiltinBackend({
          recordingsDir: resolve(config.PITCHSIDE_DATA_DIR, 'recordings'),
          outbound: new OutboundPolicy({ allow: allowedNetworks(config) }),
        });
  const outputs = new OutputWorker({
    redisUrl,
    backends: { [backend.kind]: backend },
    defaultBackend: backend.kind,
    concurrency: config.WORKER_CONCURRENCY,
    keys,
  });
  // Exports read the switch log the controller writes (same keys, same reader).
  const logRedis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const switchLog = new SwitchLog(logRedis, keys);
  const exports = new ExportWorker({ redisUrl, keys, readLog: (eventId, range) => switchLog.query(eventId, range) });
  await outputs.start();
  await exports.start();
  return {
    async close() {
      await exports.close();
      await outputs.close();
      logRedis.disconnect();
    },
  };
}
