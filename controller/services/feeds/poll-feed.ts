// Polling a JSON URL (protocol/feeds/poll.ts): every interval one GET, to an address the outbound policy allows
// (checked at each request and pinned for it, so a name cannot resolve elsewhere between check and connect),
// no redirects, at most POLL_MAX_BYTES in POLL_TIMEOUT_MS; the pointers' values go on as a feed packet. A
// failure is logged once, and once more when the URL answers again.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { POLL_MAX_BYTES, POLL_TIMEOUT_MS, pollPacket, type PollSource } from '../../../protocol/index.ts';
import type { OutboundPolicy } from '../../../runtime/outbound-policy.ts';
import type { FeedConnector, FeedConnectorOptions } from './feed-connector.ts';

export class PollFeed implements FeedConnector {
  readonly #source: PollSource;
  readonly #policy: OutboundPolicy;
  readonly #options: FeedConnectorOptions;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> = Promise.resolve();
  #failing = false;

  constructor(source: PollSource, policy: OutboundPolicy, options: FeedConnectorOptions) {
    this.#source = source;
    this.#policy = policy;
    this.#options = options;
  }

  start(): void {
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll().finally(() => this.#schedule(this.#source.intervalSeconds * 1000));
    }, delayMs);
  }

  async #poll(): Promise<void> {
    let document: unknown;
    try {
      const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(POLL_TIMEOUT_MS)]);
      document = await fetchJson(this.#source.url, this.#policy, signal);
    } catch (error) {
      if (this.#stop.signal.aborted) return;
      if (!this.#failing) this.#options.status('warn', `Polled feed not read: ${(error as Error).message}.`);
      this.#failing = true;
      return;
    }
    if (this.#failing) this.#options.status('info', 'Polled feed answers again.');
    this.#failing = false;
    await this.#options.packet(pollPacket(document, this.#source.pointers));
  }

  async close(): Promise<void> {
    this.#stop.abort();
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#polling;
  }
}

/** One GET of a JSON document under the outbound rules and limits. */
export async function fetchJson(url: string, policy: OutboundPolicy, signal: AbortSignal): Promise<unknown> {
  const [address] = await policy.check(url);
  if (address === undefined) throw new Error('the host does not resolve');
  const target = new URL(url);
  const https = target.protocol === 'https:';
  const body = await new Promise<Buffer>((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`HTTP ${response.statusCode ?? '?'}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > POLL_MAX_BYTES) request.destroy(new Error(`the document is larger than ${POLL_MAX_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', reject);
    };
    const options = {
      host: address,
      port: target.port === '' ? (https ? 443 : 80) : Number(target.port),
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      // The name the policy resolved, for the virtual host and (https) the certificate check.
      headers: { host: target.host, accept: 'application/json' },
      signal,
      ...(https ? { servername: target.hostname } : {}),
    };
    const request = https ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    request.on('error', (error) => reject(signal.aborted ? new Error(`no answer in ${POLL_TIMEOUT_MS} ms`) : error));
    request.end();
  });
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new Error('the answer is not JSON');
  }
}
