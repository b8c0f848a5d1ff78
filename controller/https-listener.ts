// A second listener for the same Fastify app, over TLS on the LAN: phones open the camera page here,
// because browsers give a page camera access only in a secure context (HTTPS, or loopback). Requests go
// through the app's own routing and WebSocket upgrades to the app's upgrade handler, so every route,
// hook and socket behaves exactly as on the plain listener.
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../runtime/config.ts';
import { lanAddresses } from '../runtime/lan-addresses.ts';
import { loadOrCreateCertificate, type TlsMaterial } from '../runtime/tls-certificate.ts';

/** Where a phone downloads the local CA to trust it once (see README, "Phones on the LAN"). */
export const CA_CERT_PATH = '/pitchside-ca.crt';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export interface HttpsSettings {
  tls: TlsMaterial;
  /** The LAN address links name (the best of lanAddresses(), or HTTPS_HOST when it is one address). */
  host: string | null;
}

export class HttpsListener {
  #server: Server | null = null;

  constructor(
    private readonly app: FastifyInstance,
    readonly settings: HttpsSettings,
  ) {}

  get tls(): TlsMaterial {
    return this.settings.tls;
  }

  /** https://LAN-ADDRESS:PORT once listening; null before, or when no LAN address exists. */
  get url(): string | null {
    const address = this.#server?.address();
    const { host } = this.settings;
    if (host === null || address === undefined || address === null || typeof address === 'string') return null;
    return `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  async listen(host: string, port: number): Promise<void> {
    const caPem = this.tls.caFile === null ? null : this.tls.cert.slice(this.tls.cert.lastIndexOf('-----BEGIN'));
    const server = createServer({ cert: this.tls.cert, key: this.tls.key }, (request, response) => {
      // The CA is public (its key never leaves the data dir): a phone needs it before it trusts anything here.
      if (caPem !== null && request.method === 'GET' && request.url === CA_CERT_PATH) {
        response.writeHead(200, { 'content-type': 'application/x-x509-ca-cert', 'cache-control': 'no-store' });
        response.end(caPem);
        return;
      }
      this.app.routing(request, response);
    });
    server.on('upgrade', (request, socket, head) => this.app.server.emit('upgrade', request, socket, head));
    // A phone that drops mid-handshake (or a scanner probing with plain HTTP) must not reach the app's logs as an error.
    server.on('tlsClientError', () => undefined);
    server.listen({ host, port });
    await once(server, 'listening');
    this.#server = server;
  }

  /** Stops accepting and drops open connections (call before the app closes: its sockets are closing too). */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }
}

/**
 * What the HTTPS listener of `npm start` (or a standalone controller) serves when HTTPS_HOST is set: the
 * given TLS_CERT/TLS_KEY, else a certificate from the local CA in the data dir naming this machine's LAN
 * addresses. Throws TlsCertificateError naming the variable for unreadable files.
 */
export async function resolveHttps(config: Config, dataDir: string): Promise<HttpsSettings | null> {
  if (config.HTTPS_HOST === '') return null;
  const addresses = WILDCARD_HOSTS.has(config.HTTPS_HOST) ? lanAddresses() : [config.HTTPS_HOST];
  const tls = await loadOrCreateCertificate({
    dataDir,
    hosts: addresses,
    certFile: config.TLS_CERT,
    keyFile: config.TLS_KEY,
  });
  return { tls, host: addresses[0] ?? null };
}
