// Process entry of a standalone worker: config, then the worker stack; SIGTERM hands running outputs
// back to the queue (another worker adopts them) and lets a running export finish.
import closeWithGrace from 'close-with-grace';
import { loadConfigOrExit } from '../runtime/config.ts';
import { startWorkerStack } from './worker-stack.ts';

/** Long enough for a recorder to finalise its MP4 (faststart remux) before the process goes. */
export const WORKER_SHUTDOWN_GRACE_MS = 60_000;

const config = loadConfigOrExit();
if (config.REDIS_URL === '')
  throw new Error('worker/main.ts needs REDIS_URL (the controller and the worker share one Redis).');
const stack = await startWorkerStack(config, config.REDIS_URL);
closeWithGrace({ delay: WORKER_SHUTDOWN_GRACE_MS }, async ({ err }) => {
  if (err !== undefined) console.error(err);
  await stack.close();
});
