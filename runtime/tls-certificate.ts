// The certificate of the HTTPS listener phones open the camera page on (browsers give camera access only
// in a secure context). Given files (TLS_CERT/TLS_KEY) win; otherwise Pitchside keeps a small local CA in
// the data dir and signs a server certificate for this machine's names and LAN addresses with it. A phone
// trusts that CA once; when the laptop gets another address on the next venue's Wi-Fi, only the server
// certificate is re-signed, and the phone keeps trusting it.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export const TLS_DIR = 'tls';
export const CA_CERT_FILE = 'pitchside-ca.crt';
const CA_KEY_FILE = 'pitchside-ca.key';
const SERVER_CERT_FILE = 'server.crt';
const SERVER_KEY_FILE = 'server.key';

/** The CA never leaves this machine; ten years, so a phone trusts it once for the life of the laptop. */
export const CA_VALIDITY_DAYS = 3650;
/** Apple refuses TLS server certificates valid for longer than 398 days, whoever signed them. */
export const SERVER_CERT_VALIDITY_DAYS = 397;
/** A server certificate this close to its end is re-signed at start, before a match, not during one. */
export const RENEW_BEFORE_DAYS = 30;

const DAY_MS = 86_400_000;

export interface TlsMaterial {
  /** PEM: the server certificate, then the CA for a generated one (browsers get the whole chain). */
  cert: string;
  key: string;
  /** Where the certificate came from, for the start message. */
  source: 'files' | 'generated' | 'reused';
  /** SHA-256 of the certificate a phone is asked to trust (the CA for a generated one). */
  fingerprint256: string;
  /** The CA certificate phones install (generated certificates only). */
  caFile: string | null;
}

export interface TlsCertificateOptions {
  dataDir: string;
  /** Addresses (IP) and names (DNS) the server certificate must name, besides localhost. */
  hosts: string[];
  /** TLS_CERT / TLS_KEY: PEM files to use instead; both or neither. */
  certFile?: string;
  keyFile?: string;
  now?: Date;
}

export class TlsCertificateError extends Error {
  override readonly name = 'TlsCertificateError';
}

/** The certificate to serve: the given files, else the one in the data dir if it still fits, else a new one. */
export async function loadOrCreateCertificate(options: TlsCertificateOptions): Promise<TlsMaterial> {
  const { certFile = '', keyFile = '' } = options;
  if (certFile !== '' || keyFile !== '') return readGivenFiles(certFile, keyFile);
  const now = options.now ?? new Date();
  const dir = join(options.dataDir, TLS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await loadOrCreateCa(dir, now);
  const names = certificateNames(options.hosts);
  const existing = await readIfPresent(join(dir, SERVER_CERT_FILE), join(dir, SERVER_KEY_FILE));
  const caFile = join(dir, CA_CERT_FILE);
  const fingerprint256 = new X509Certificate(ca.cert).fingerprint256;
  if (existing !== null && serverCertFits(existing.cert, ca.cert, names, now)) {
    return { cert: pemChain(existing.cert, ca.cert), key: existing.key, source: 'reused', fingerprint256, caFile };
  }
  const server = await generate([{ name: 'commonName', value: `Pitchside on ${hostname()}` }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY_MS),
    notAfterDate: new Date(now.getTime() + SERVER_CERT_VALIDITY_DAYS * DAY_MS),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  await writeFile(join(dir, SERVER_KEY_FILE), server.private, { mode: 0o600 });
  await writeFile(join(dir, SERVER_CERT_FILE), server.cert);
  return { cert: pemChain(server.cert, ca.cert), key: server.private, source: 'generated', fingerprint256, caFile };
}

/** Server certificate first, then its issuer: the order TLS sends a chain in. */
function pemChain(...pems: string[]): string {
  return pems.map((pem) => `${pem.trim()}\n`).join('');
}

interface PemPair {
  cert: string;
  key: string;
}

async function readGivenFiles(certFile: string, keyFile: string): Promise<TlsMaterial> {
  if (certFile === '' || keyFile === '')
    throw new TlsCertificateError('TLS_CERT and TLS_KEY must be set together (or neither).');
  const read = async (file: string, variable: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new TlsCertificateError(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  };
  const cert = await read(certFile, 'TLS_CERT');
  const key = await read(keyFile, 'TLS_KEY');
  let fingerprint256: string;
  try {
    fingerprint256 = new X509Certificate(cert).fingerprint256;
  } catch {
    throw new TlsCertificateError(`TLS_CERT: ${certFile} is not a PEM certificate`);
  }
  return { cert, key, source: 'files', fingerprint256, caFile: null };
}

async function readIfPresent(certFile: string, keyFile: string): Promise<PemPair | null> {
  try {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function loadOrCreateCa(dir: string, now: Date): Promise<PemPair> {
  const existing = await readIfPresent(join(dir, CA_CERT_FILE), join(dir, CA_KEY_FILE));
  if (existing !== null && new Date(new X509Certificate(existing.cert).validTo) > now) return existing;
  const ca = await generate(
    [
      { name: 'commonName', value: `Pitchside local CA (${hostname()})` },
      { name: 'organizationName', value: 'Pitchside' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - DAY_MS),
      notAfterDate: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  await writeFile(join(dir, CA_KEY_FILE), ca.private, { mode: 0o600 });
  await writeFile(join(dir, CA_CERT_FILE), ca.cert);
  return { cert: ca.cert, key: ca.private };
}

function certificateNames(hosts: string[]): { dns: string[]; ips: string[] } {
  const isIp = (host: string): boolean => /^[\d.]+$/.test(host) || host.includes(':');
  const host = hostname();
  const all = ['localhost', host, `${host}.local`, '127.0.0.1', '::1', ...hosts];
  const unique = [...new Set(all.filter((h) => h !== ''))];
  return { dns: unique.filter((h) => !isIp(h)), ips: unique.filter(isIp) };
}

/** Signed by this CA, not near its end, and naming every current address and name. */
function serverCertFits(pem: string, caPem: string, names: { dns: string[]; ips: string[] }, now: Date): boolean {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return false;
  }
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  return (
    names.ips.every((ip) => cert.checkIP(ip) !== undefined) &&
    names.dns.every((dns) => cert.checkHost(dns) !== undefined)
  );
}
