// Process entry of a standalone worker: config, then the worker stack; SIGTERM hands running outputs
// back to the queue (another worker adopts them) and lets a running export finish.
import closeWithGrace from 'close-with-grace';
import { loadConfigOrExit } from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { startWorkerStack } from './worker-stack.ts';

/** Long enough for a recorder to finalise its MP4 (faststart remux) before the process goes. */
export const WORKER_SHUTDOWN_GRACE_MS = 60_000;

const config = loadConfigOrExit();
if (config.REDIS_URL === '')
  throw new Error('worker/main.ts needs REDIS_URL (the controller and the worker share one Redis).');
const log = createLogger({ level: config.LOG_LEVEL });
const stack = await startWorkerStack(config, config.REDIS_URL, { log });
closeWithGrace({ delay: WORKER_SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) log.error({ err }, 'closing after an error');
  else log.info({ signal }, 'closing');
  await stack.close();
});
