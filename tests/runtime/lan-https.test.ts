// Phones on the LAN: `npm start` (scripts/start.ts, spawned as a person runs it, with its embedded Redis
// and data dir) also serves HTTPS on the machine's LAN address, with a certificate from a local CA in the
// data dir that names that address; the camera join link uses it; a restart keeps the certificate; and a
// real Chromium gets a secure context (so camera access) from the camera page there.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { get, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CA_CERT_PATH } from '../../controller/https-listener.ts';
import { findPage } from '../../controller/plugins/static-pages.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { lanAddresses } from '../../runtime/lan-addresses.ts';
import { CA_CERT_FILE, TLS_DIR, loadOrCreateCertificate } from '../../runtime/tls-certificate.ts';
import { buildPages } from '../web/web-stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** tsx compiling the stack, an embedded Redis, the worker: generous on a loaded two-core machine. */
const START_DEADLINE_MS = 120_000;
const SETUP_TIMEOUT_MS = 300_000;

interface Started {
  child: ChildProcess;
  output: string;
  /** The printed camera link (the join link). */
  cameraUrl: URL;
  directorKey: string;
}

/** Runs `npm start`'s entry in `cwd` (which holds the dist/ and data/ it uses) until it prints its URLs. */
async function startPitchside(cwd: string): Promise<Started> {
  // As package.json's `start` runs it (tsx by path: the working directory has no node_modules).
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'scripts/start.ts')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      PORT: '0',
      HTTPS_PORT: '0',
      // obs-websocket off: its default port (4455) is the machine's, and other tests start controllers too.
      OBS_WEBSOCKET_PORT: '0',
      LOG_LEVEL: 'warn',
      ...(process.env.CHROMIUM_PATH === undefined ? {} : { CHROMIUM_PATH: process.env.CHROMIUM_PATH }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + START_DEADLINE_MS;
  while (!/^\s+watch:/m.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start printed no URLs in ${START_DEADLINE_MS} ms:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const camera = /^\s+camera:\s+(\S+)/m.exec(output)?.[1];
  const directorKey = /^\s+director\s+(\S+)/m.exec(output)?.[1];
  if (camera === undefined || directorKey === undefined) throw new Error(`no camera link or key in:\n${output}`);
  return { child, output, cameraUrl: new URL(camera), directorKey };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

interface HttpsAnswer {
  status: number;
  body: string;
  peer: X509Certificate;
}

/** GET over HTTPS trusting only the local CA: the chain and the address in the URL are checked as a phone would. */
function httpsGet(url: string, ca: string, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  const options: RequestOptions = { ca, headers, agent: false };
  return new Promise((resolve, reject) => {
    get(url, options, (response) => {
      const peer = new X509Certificate((response.socket as TLSSocket).getPeerX509Certificate()!.raw);
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, peer }));
    }).on('error', reject);
  });
}

const lanAddress = lanAddresses()[0];

// A machine without any LAN address cannot show a LAN URL; every CI machine and laptop has one.
describe.skipIf(lanAddress === undefined)('npm start on the LAN over HTTPS', () => {
  let cwd = '';
  let first: Started;
  let ca = '';

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'pitchside-lan-'));
    // `npm test` builds dist/ before the suite; a lone run of this file builds its own.
    const built = findPage(join(ROOT, 'dist'), 'camera') !== null ? join(ROOT, 'dist') : await buildPages();
    symlinkSync(built, join(cwd, 'dist'));
    first = await startPitchside(cwd);
    ca = readFileSync(join(cwd, 'data', TLS_DIR, CA_CERT_FILE), 'utf8');
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    if (first !== undefined) await stop(first.child);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the LAN HTTPS address and makes it the camera join link', async () => {
    const origin = first.cameraUrl.origin;
    expect(first.cameraUrl.protocol).toBe('https:');
    expect(first.cameraUrl.hostname).toBe(lanAddress);
    expect(first.output).toContain(`Phones:     ${origin}`);
    expect(first.output).toContain(`${origin}${CA_CERT_PATH}`);
    const auth = { authorization: `Bearer ${first.directorKey}` };
    const join = await httpsGet(`${origin}/api/events/demo/join`, ca, auth);
    expect(join.status, join.body).toBe(200);
    const { url, code } = JSON.parse(join.body) as { url: string; code: string };
    expect(url).toBe(`${origin}/camera?code=${code}`);
    expect(first.cameraUrl.href).toBe(url);
    const qr = await httpsGet(`${origin}/api/events/demo/join-qr.svg`, ca, auth);
    expect(qr.status).toBe(200);
    expect(qr.body).toMatch(/^<svg/);
  });

  it('answers with a certificate from the local CA that names the LAN address, and serves that CA', async () => {
    const answer = await httpsGet(`${first.cameraUrl.origin}/healthz`, ca);
    expect(answer.status).toBe(200);
    expect(answer.peer.subjectAltName).toContain(`IP Address:${lanAddress}`);
    expect(answer.peer.checkIP(lanAddress!)).toBe(lanAddress);
    const caCert = new X509Certificate(ca);
    expect(caCert.ca).toBe(true);
    expect(answer.peer.verify(caCert.publicKey)).toBe(true);
    expect(answer.peer.ca).toBe(false);
    const served = await httpsGet(`${first.cameraUrl.origin}${CA_CERT_PATH}`, ca);
    expect(served.body.trim()).toBe(ca.trim());
    expect(first.output).toContain(caCert.fingerprint256);
  });

  it('carries the event WebSocket over the same HTTPS listener', async () => {
    const url = `wss://${first.cameraUrl.host}/api/events/demo/ws?key=${encodeURIComponent(first.directorKey)}`;
    const socket = new WebSocket(url, { ca });
    const frame = await new Promise<{ type: string }>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse((data as Buffer).toString('utf8')) as { type: string }));
      socket.once('error', reject);
    });
    expect(frame.type).toBe('state');
    socket.close();
  });

  it('gives the camera page a secure context with camera access in a real Chromium', async () => {
    const browser = await launchChromium({
      args: ['--ignore-certificate-errors', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(first.cameraUrl.href, { waitUntil: 'load' });
      const seen = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ video: true });
        const tracks = stream.getVideoTracks().length;
        stream.getTracks().forEach((t) => t.stop());
        return { secure: window.isSecureContext, host: location.hostname, title: document.title, tracks };
      });
      expect(seen).toEqual({ secure: true, host: lanAddress, title: 'Camera · Pitchside', tracks: 1 });
    } finally {
      await browser.close();
    }
  });

  it('keeps the same certificate across a restart', { timeout: SETUP_TIMEOUT_MS }, async () => {
    const before = (await httpsGet(`${first.cameraUrl.origin}/healthz`, ca)).peer.fingerprint256;
    await stop(first.child);
    first = await startPitchside(cwd);
    expect(first.output).toMatch(/local CA kept in/);
    const after = await httpsGet(`${first.cameraUrl.origin}/healthz`, ca);
    expect(after.peer.fingerprint256).toBe(before);
  });
});

describe('the local CA and its server certificate', () => {
  it('re-signs only the server certificate when the LAN address changes or its end nears, with the same CA', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pitchside-tls-'));
    try {
      const first = await loadOrCreateCertificate({ dataDir, hosts: ['10.1.2.3'] });
      expect(first.source).toBe('generated');
      const again = await loadOrCreateCertificate({ dataDir, hosts: ['10.1.2.3'] });
      expect(again.source).toBe('reused');
      expect(again.cert).toBe(first.cert);
      const moved = await loadOrCreateCertificate({ dataDir, hosts: ['192.168.7.20'] });
      expect(moved.source).toBe('generated');
      expect(moved.fingerprint256).toBe(first.fingerprint256);
      const leaf = new X509Certificate(moved.cert);
      expect(leaf.checkIP('192.168.7.20')).toBe('192.168.7.20');
      expect(leaf.checkIP('10.1.2.3')).toBeUndefined();
      // Apple refuses server certificates valid for more than 398 days.
      const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
      expect(days).toBeLessThanOrEqual(398);
      const nearEnd = new Date(Date.parse(leaf.validTo) - 10 * 86_400_000);
      const renewed = await loadOrCreateCertificate({ dataDir, hosts: ['192.168.7.20'], now: nearEnd });
      expect(renewed.source).toBe('generated');
      expect(renewed.fingerprint256).toBe(first.fingerprint256);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses TLS_CERT/TLS_KEY files when given, and names the variable when one cannot be read', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pitchside-tls-'));
    try {
      const made = await loadOrCreateCertificate({ dataDir, hosts: [] });
      const tlsDir = join(dataDir, TLS_DIR);
      const given = await loadOrCreateCertificate({
        dataDir: join(dataDir, 'unused'),
        hosts: [],
        certFile: join(tlsDir, 'server.crt'),
        keyFile: join(tlsDir, 'server.key'),
      });
      expect(given.source).toBe('files');
      expect(given.caFile).toBeNull();
      expect(given.fingerprint256).toBe(new X509Certificate(made.cert).fingerprint256);
      await expect(
        loadOrCreateCertificate({ dataDir, hosts: [], certFile: join(tlsDir, 'nope.crt'), keyFile: 'x' }),
      ).rejects.toThrow(/^TLS_CERT: cannot read .*nope\.crt \(ENOENT\)$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
