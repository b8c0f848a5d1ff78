// Process entry of a standalone controller: config, admin key, app, listen, graceful close. (`npm start`
// runs the same app in-process, after its embedded Redis; see scripts/start.ts.)
import closeWithGrace from 'close-with-grace';
import { loadConfigOrExit } from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { buildApp, obsWebSocket } from './app.ts';
import { HttpsListener, resolveHttps } from './https-listener.ts';
import { resolveAdminKey } from './services/admin-key.ts';

export const SHUTDOWN_GRACE_MS = 10_000;

const config = loadConfigOrExit();
if (config.REDIS_URL === '') {
  throw new Error('controller/server.ts needs REDIS_URL (use `npm start` for an embedded Redis).');
}
const https = await resolveHttps(config, config.PITCHSIDE_DATA_DIR);
const admin = await resolveAdminKey(config.PITCHSIDE_DATA_DIR, config.PITCHSIDE_ADMIN_KEY);
let lan: HttpsListener | null = null;
const app = await buildApp({
  config,
  logger: createLogger({ level: config.LOG_LEVEL }),
  redisUrl: config.REDIS_URL,
  adminKey: admin.key,
  lanUrl: () => lan?.url ?? null,
  ...obsWebSocket(config),
});
if (https !== null) lan = new HttpsListener(app, https);

closeWithGrace({ delay: SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await lan?.close();
  await app.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
await lan?.listen(config.HTTPS_HOST, config.HTTPS_PORT);
if (lan !== null) app.log.info({ url: lan.url, certificate: lan.tls.source }, 'HTTPS listening');
if (admin.generated) {
  // Printed once, on the run that created it; afterwards it is only in the data dir.
  process.stdout.write(`Admin key (kept in ${admin.file}): ${admin.key}\n`);
}
