// A Daktronics All Sport 5000 console as its RTD output looks on the wire, served over TCP like a
// serial-to-TCP bridge: idle SYNs, then one frame per changed part of the buffer,
//   SYN "00000000" SOH "004210" + 4-digit offset STX text EOT checksum ETB,
// with the clock segment resent every tick as a real console does. Built here from the format itself (not from
// the decoder under test), at the item positions the console's documentation gives for its team sports.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const SYN = 0x16;
const ETB = 0x17;
/** How often the console resends its clock segment. */
export const SIMULATOR_TICK_MS = 100;

/** 1-based buffer positions of the items the tests drive (basketball, football, soccer, hockey, volleyball). */
const POSITION = { clock: 1, stopped: 28, home: 108, away: 112, period: 142 } as const;

/** One frame writing `text` at 0-based `offset`, as the console sends it. */
export function rtdFrame(offset: number, text: string, checksumOverride?: string): Buffer {
  const body = Buffer.from(`00000000\x01004210${String(offset).padStart(4, '0')}\x02${text}\x04`, 'latin1');
  let sum = 0;
  for (const byte of body) sum = (sum + byte) % 256;
  const checksum = checksumOverride ?? sum.toString(16).toUpperCase().padStart(2, '0');
  return Buffer.concat([Buffer.from([SYN, SYN]), body, Buffer.from(checksum, 'latin1'), Buffer.from([ETB])]);
}

export class DaktronicsSimulator {
  readonly #server: Server = createServer((socket) => this.#join(socket));
  readonly #clients = new Set<Socket>();
  #timer: NodeJS.Timeout | null = null;
  #paused = false;
  /** The console's clock: counting down from `ms` since `at` while running. */
  #clock = { ms: 0, running: false, at: Date.now() };
  #items = { home: 0, away: 0, period: 1 };

  async start(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#timer = setInterval(() => this.#tick(), SIMULATOR_TICK_MS);
    return { host: '127.0.0.1', port: (this.#server.address() as AddressInfo).port };
  }

  /** Resolves once a controller is connected (at once if one is). */
  connected(timeoutMs = 10_000): Promise<void> {
    if (this.#clients.size > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no controller connected to the simulator')), timeoutMs);
      this.#server.once('connection', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  clockMs(now = Date.now()): number {
    const { ms, running, at } = this.#clock;
    return running ? Math.max(0, ms - (now - at)) : ms;
  }

  setClock(ms: number, running: boolean): void {
    this.#clock = { ms, running, at: Date.now() };
    this.#sendClock();
  }

  setScore(home: number, away: number): void {
    this.#items = { ...this.#items, home, away };
    this.#send(POSITION.home, `${String(home).padStart(4)}${String(away).padStart(4)}`);
  }

  setPeriod(period: number): void {
    this.#items = { ...this.#items, period };
    this.#send(POSITION.period, String(period).padStart(2));
  }

  /** Sends raw bytes to every connected controller (a malformed frame, noise). */
  sendRaw(bytes: Buffer): void {
    for (const client of this.#clients) client.write(bytes);
  }

  /** The console goes quiet (cable pulled at the console end, the bridge still up). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#sendClock();
    this.setScore(this.#items.home, this.#items.away);
    this.setPeriod(this.#items.period);
  }

  /** The bridge drops its connections; controllers must reconnect. */
  dropClients(): void {
    for (const client of this.#clients) client.destroy();
    this.#clients.clear();
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.dropClients();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #join(socket: Socket): void {
    socket.on('error', () => {});
    socket.on('close', () => this.#clients.delete(socket));
    this.#clients.add(socket);
    // A console that has just been connected sends everything once (as after its STOP key).
    this.#sendClock();
    this.setScore(this.#items.home, this.#items.away);
    this.setPeriod(this.#items.period);
  }

  #tick(): void {
    if (this.#paused) return;
    this.sendRaw(Buffer.from([SYN, SYN, SYN])); // idle between frames
    this.#sendClock();
  }

  #sendClock(): void {
    const ms = this.clockMs();
    // mm:ss counting down shows the started second; under a minute the console shows tenths.
    const text =
      ms >= 60_000
        ? `${String(Math.floor(Math.ceil(ms / 1000) / 60)).padStart(2)}:${String(Math.ceil(ms / 1000) % 60).padStart(2, '0')}`
        : `${String(Math.floor(ms / 1000)).padStart(2)}.${Math.floor((ms % 1000) / 100)}`;
    this.#send(POSITION.clock, text.padEnd(5));
    this.#send(POSITION.stopped, this.#clock.running ? ' ' : 's');
  }

  #send(position: number, text: string): void {
    if (this.#paused) return;
    this.sendRaw(rtdFrame(position - 1, text));
  }
}
