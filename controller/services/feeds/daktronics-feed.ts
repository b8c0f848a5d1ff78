// A Daktronics All Sport 5000 console (protocol/feeds/daktronics.ts) on a serial device or behind a
// serial-to-TCP bridge: decodes its RTD frames into the console's buffer and hands the sport's values on as
// feed packets, each time they change (and once a second while they do not, so the feed stays live). A
// lost connection is retried until the feed is closed.
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import {
  RTD_BAUD_RATE,
  RtdBuffer,
  RtdDecoder,
  daktronicsEndpoint,
  type DaktronicsSource,
  type FeedPacket,
} from '../../../protocol/index.ts';
import type { OutboundPolicy } from '../../../runtime/outbound-policy.ts';
import type { FeedConnector, FeedConnectorOptions } from './feed-connector.ts';

/** Unchanged values are sent again this often: the staleness watchdog hears the console is there. */
export const DAKTRONICS_REPEAT_MS = 1000;
/** A lost or refused connection is tried again after this long, doubling up to the maximum. */
export const DAKTRONICS_RETRY_MS = 500;
export const DAKTRONICS_RETRY_MAX_MS = 5000;

/** A serial port or a bridge's socket: both are byte streams both ways. */
type Stream = Duplex;

export class DaktronicsFeed implements FeedConnector {
  readonly #source: DaktronicsSource;
  readonly #options: FeedConnectorOptions;
  readonly #policy: OutboundPolicy;
  #stream: Stream | null = null;
  #retry: NodeJS.Timeout | null = null;
  #retryMs = DAKTRONICS_RETRY_MS;
  #closed = false;
  #decoder = new RtdDecoder();
  #buffer = new RtdBuffer();
  #last = '';
  #lastSentAt = 0;
  #sending: Promise<void> = Promise.resolve();

  constructor(source: DaktronicsSource, policy: OutboundPolicy, options: FeedConnectorOptions) {
    this.#source = source;
    this.#policy = policy;
    this.#options = options;
  }

  start(): void {
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let stream: Stream;
    try {
      stream = await this.#open();
    } catch (error) {
      this.#options.status('warn', `Scoreboard controller not reached: ${(error as Error).message}.`);
      this.#scheduleRetry();
      return;
    }
    if (this.#closed) {
      stream.destroy();
      return;
    }
    this.#stream = stream;
    this.#retryMs = DAKTRONICS_RETRY_MS;
    // A reconnect starts from a fresh buffer: the console resends what changes, and a STOP resends it all.
    this.#decoder = new RtdDecoder();
    this.#buffer = new RtdBuffer();
    this.#options.status('info', `Scoreboard controller connected (${this.#where()}).`);
    stream.on('data', (chunk: Buffer) => this.#handle(chunk));
    stream.on('error', () => {}); // 'close' follows; the retry is scheduled there
    stream.once('close', () => {
      this.#stream = null;
      if (this.#closed) return;
      this.#options.status('warn', `Scoreboard controller connection lost (${this.#where()}); retrying.`);
      this.#scheduleRetry();
    });
  }

  #where(): string {
    const endpoint = daktronicsEndpoint(this.#source);
    return 'serial' in endpoint ? endpoint.serial : `${this.#source.host}:${this.#source.port}`;
  }

  async #open(): Promise<Stream> {
    const endpoint = daktronicsEndpoint(this.#source);
    if (!endpoint.ok) throw new Error(endpoint.message);
    if ('serial' in endpoint) {
      const port = new SerialPort({
        path: endpoint.serial,
        baudRate: RTD_BAUD_RATE,
        dataBits: 8,
        parity: 'none',
        stopBits: 1,
        autoOpen: false,
      });
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
      return port;
    }
    // Checked again at each connection: the name may resolve elsewhere than when the source was saved.
    const [address] = await this.#policy.check(`tcp://${endpoint.host}:${endpoint.port}`);
    if (address === undefined) throw new Error(`${endpoint.host} does not resolve`);
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: address, port: endpoint.port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#connect();
    }, this.#retryMs);
    this.#retryMs = Math.min(DAKTRONICS_RETRY_MAX_MS, this.#retryMs * 2);
  }

  #handle(chunk: Buffer): void {
    const frames = this.#decoder.push(chunk);
    if (frames.length === 0) return;
    for (const frame of frames) this.#buffer.write(frame);
    const packet: FeedPacket = this.#buffer.read(this.#source.sport);
    const text = JSON.stringify(packet);
    const now = Date.now();
    if (text === this.#last && now - this.#lastSentAt < DAKTRONICS_REPEAT_MS) return;
    this.#last = text;
    this.#lastSentAt = now;
    // One at a time, in order: a packet never overtakes the one before it.
    this.#sending = this.#sending.then(() => this.#options.packet(packet)).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    const stream = this.#stream;
    if (stream !== null && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
    await this.#sending;
  }
}
