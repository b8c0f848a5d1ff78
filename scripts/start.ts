// `npm start`: the whole stack on embedded defaults in one process tree — Redis (embedded unless
// REDIS_URL is set), then the controller with the demo event and a worker — printing only the URLs that exist.
import { dirname, resolve } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { buildApp, obsWebSocket } from '../controller/app.ts';
import { CA_CERT_PATH, HttpsListener, resolveHttps, type HttpsSettings } from '../controller/https-listener.ts';
import { findPage, hasTemplate, OPERATOR_PAGES } from '../controller/plugins/static-pages.ts';
import { resolveAdminKey } from '../controller/services/admin-key.ts';
import { DEMO_EVENT_ID, ensureDemoEvent } from '../controller/services/demo-event.ts';
import { maskSecrets, pageLink } from '../protocol/index.ts';
import { loadConfigOrExit } from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { prepareDataDir } from '../runtime/data-dir.ts';
import { EmbeddedRedis } from '../runtime/embedded-redis.ts';
import { TlsCertificateError } from '../runtime/tls-certificate.ts';
import { startWorkerStack } from '../worker/worker-stack.ts';

const SHUTDOWN_GRACE_MS = 10_000;

const config = loadConfigOrExit();
// One root logger for the process tree; the controller and the worker each log through a child of it.
const log = createLogger({ level: config.LOG_LEVEL });
const dataDir = resolve(config.PITCHSIDE_DATA_DIR);
const distDir = resolve('dist');
// Before anything is written: the data dir and all this tree writes are this user's alone (runtime/data-dir.ts).
await prepareDataDir(dataDir);

let https: HttpsSettings | null;
try {
  https = await resolveHttps(config, dataDir);
} catch (error) {
  if (!(error instanceof TlsCertificateError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

let redis: EmbeddedRedis | null = null;
let redisUrl = config.REDIS_URL;
if (redisUrl === '') {
  redis = new EmbeddedRedis({ dataDir: resolve(dataDir, 'redis'), appendOnly: true, requirePassword: true });
  redisUrl = await redis.start();
}

const admin = await resolveAdminKey(dataDir, config.PITCHSIDE_ADMIN_KEY);
let lan: HttpsListener | null = null;
const app = await buildApp({
  config,
  logger: log.child({ process: 'controller' }),
  redisUrl,
  adminKey: admin.key,
  distDir,
  lanUrl: () => lan?.url ?? null,
  ...obsWebSocket(config),
});
if (https !== null) lan = new HttpsListener(app, https);
const worker = await startWorkerStack(config, redisUrl, { log: log.child({ process: 'worker' }) });

closeWithGrace({ delay: SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) console.error(err);
  else console.log(`${signal}: shutting down`);
  // Order: hand running outputs back and finish exports, stop serving, then the store both write to.
  await worker.close();
  await lan?.close();
  await app.close();
  await redis?.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
await lan?.listen(config.HTTPS_HOST, config.HTTPS_PORT);
const keys = Object.fromEntries((await ensureDemoEvent(app.events, app.apiKeys)).map((k) => [k.role, k.key]));
const base = app.publicUrl;
const lines = [
  'Pitchside is running.',
  `  Redis:      ${maskSecrets(redisUrl)}${redis ? ` (embedded, password-protected, data in ${dataDir})` : ''}`,
  `  API docs:   ${base}/docs`,
  `  Health:     ${base}/healthz   Metrics: ${base}/metrics`,
  `  Worker:     ${config.OUTPUT_BACKEND === 'egress' ? 'LiveKit Egress' : 'built-in recorder (Chromium + ffmpeg)'}, recordings in ${resolve(dataDir, 'recordings')}`,
];
if (lan !== null) lines.push(...lanLines(lan));
const demo = await app.events.require(DEMO_EVENT_ID);
// Cameras join by code (the QR code encodes the same URL); the other pages carry their role's key in the
// fragment, which browsers never send: it stays out of access logs, proxies and Referer headers.
const demoQuery = { event: DEMO_EVENT_ID };
const pageLinks: Record<(typeof OPERATOR_PAGES)[number], string | null> = {
  console: pageLink('', {}, { key: admin.key }),
  director: pageLink('', demoQuery, { key: keys['director'] ?? '' }),
  graphics: pageLink('', demoQuery, { key: keys['graphics'] ?? '' }),
  camera: `?code=${demo.joinCode}`,
  // Each seat has its own link (the director's Commentary card hands it out): there is no event-wide one.
  commentary: null,
  watch: pageLink('', demoQuery, { key: keys['viewer'] ?? '' }),
};
for (const page of OPERATOR_PAGES) {
  const link = pageLinks[page];
  if (link === null || findPage(distDir, page) === null) continue;
  // Phones open the camera link: on the LAN it must be HTTPS (see lanLines).
  const pageBase = page === 'camera' ? app.deviceUrl : base;
  lines.push(`  ${`${page}:`.padEnd(11)} ${pageBase}/${page}${link}`);
}
if (hasTemplate(distDir))
  lines.push(`  template:   ${pageLink(`${base}/template/`, demoQuery, { key: keys['template'] ?? '' })}`);
else lines.push('  (no dist/ build yet: pages are not served)');
if (app.hasDecorator('obsWebSocketPort') && app.obsWebSocketPort !== null)
  lines.push(
    `  obs-websocket: ws://${config.HOST}:${app.obsWebSocketPort} (Companion "OBS Studio": password = the director key)`,
  );
lines.push(`  Demo event "${DEMO_EVENT_ID}" role keys:`);
for (const [role, key] of Object.entries(keys)) lines.push(`    ${role.padEnd(9)} ${key}`);
lines.push(
  `  Admin key:  in the admin link (${admin.file === null ? 'from PITCHSIDE_ADMIN_KEY' : `${admin.generated ? 'new, ' : ''}kept in ${admin.file}`})`,
);
console.log(lines.join('\n'));

/** What a person needs to open the camera page on a phone: the HTTPS address and the certificate to trust. */
function lanLines(listener: HttpsListener): string[] {
  const url = listener.url;
  if (url === null)
    return [
      `  HTTPS:      listening on ${config.HTTPS_HOST}:${config.HTTPS_PORT}, but this machine has no LAN address`,
    ];
  const { tls } = listener;
  const certificate =
    tls.source === 'files'
      ? `TLS_CERT (SHA-256 ${tls.fingerprint256})`
      : `local CA ${tls.source === 'reused' ? 'kept' : 'created'} in ${dirname(tls.caFile ?? '')} (SHA-256 ${tls.fingerprint256})`;
  const lines = [`  Phones:     ${url}  certificate: ${certificate}`];
  if (tls.caFile !== null)
    lines.push(`              each phone trusts it once: ${url}${CA_CERT_PATH} (README, "Phones on the LAN")`);
  return lines;
}
