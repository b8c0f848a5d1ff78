// A private redis-server for `npm start` and tests when REDIS_URL is not set: loopback only, its own
// directory, stopped with the process that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export const REDIS_START_TIMEOUT_MS = 10_000;

export interface EmbeddedRedisOptions {
  /** Where Redis keeps its files; a fresh temp dir when left out. */
  dataDir?: string;
  /** Append-only file on (for `npm start`'s data dir: nothing lost on a crash) or off (tests). */
  appendOnly: boolean;
  port?: number;
  /**
   * Require a password (a fresh random one each start, in the URL): other local users then cannot read or
   * change the store. It goes in a 0600 config file in the Redis dir, never on the command line (which
   * every local user can read in `ps`).
   */
  requirePassword?: boolean;
}

export class EmbeddedRedis {
  #process: ChildProcess | null = null;
  #url = '';

  constructor(private readonly options: EmbeddedRedisOptions) {}

  get url(): string {
    if (this.#url === '') throw new Error('EmbeddedRedis: start() it first');
    return this.#url;
  }

  async start(): Promise<string> {
    const dir = this.options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pitchside-redis-')));
    await mkdir(dir, { recursive: true });
    const port = this.options.port ?? (await freePort());
    const password = this.options.requirePassword === true ? randomBytes(24).toString('hex') : null;
    const conf = join(dir, 'pitchside-redis.conf');
    if (password !== null) await writeFile(conf, `requirepass ${password}\n`, { mode: 0o600 });
    const args = [
      ...(password === null ? [] : [conf]),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--dir',
      dir,
      '--appendonly',
      this.options.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      // Snapshots only where data must survive; tests run with none.
      '--save',
      this.options.appendOnly ? '3600 1 300 100' : '',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start in ${REDIS_START_TIMEOUT_MS} ms: ${output}`)),
        REDIS_START_TIMEOUT_MS,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new Error(`redis-server could not be started (${error.message}); run scripts/bootstrap.sh or set REDIS_URL`),
        );
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
      // redis-server logs nothing at "warning" when ready, so ask it: one PING at a time (on a loaded machine
      // a probe process spawned every 50 ms piled up faster than they finished).
      let waiting = true;
      const ask = (): void => {
        if (!waiting) return;
        void pingOnce(port).then((ready) => {
          if (!waiting) return;
          if (!ready) {
            setTimeout(ask, 50);
            return;
          }
          waiting = false;
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve();
        });
      };
      ask();
      child.once('exit', () => (waiting = false));
      timer.unref();
    });
    this.#url = `redis://${password === null ? '' : `:${password}@`}127.0.0.1:${port}`;
    return this.#url;
  }

  async close(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (child === null || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM'); // redis-server writes its AOF/RDB on SIGTERM
    });
  }
}

/** One RESP PING on a fresh TCP connection: true when the server answered (PONG, or NOAUTH). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      // A server that wants its password answers NOAUTH: it is up all the same.
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
    });
  });
}
