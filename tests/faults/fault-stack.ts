// The pieces a fault test kills and restarts, each a real process: a private Redis with AOF on a fixed
// port (so a restart comes back at the same address, with its data), the controller and the worker as
// the process entries a deployment runs (`node --import tsx controller/server.ts`, `worker/main.ts`), and
// RTMP receivers that, like a real ingest, accept the publisher again after a disconnect.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  testSources,
  type Command,
  type JobStatusMessage,
  type OutputStatusMessage,
  type ProgramState,
  type RoleKey,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { freePort } from '../../runtime/free-port.ts';

export const FAULT_ADMIN_KEY = 'psadm_fault-suite-admin-key-0123456789';
/** How long a restarted process may take to answer again before the test gives up (generous: 2 loaded cores). */
export const START_TIMEOUT_MS = 60_000;
const POLL_MS = 50;

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pitchside-fault-${name}-`));
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls until `probe` gives a value (not null/undefined/false); throws naming `what` after the timeout. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
  pollMs = POLL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === null ? '' : `: ${String(last)}`}`);
    await sleep(pollMs);
  }
}

/** A redis-server of the test's own, append-only file on, that can be stopped and started on the same port. */
export class PrivateRedis {
  readonly dir = tempDir('redis');
  #port = 0;
  #redis: EmbeddedRedis | null = null;

  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<string> {
    if (this.#port === 0) this.#port = await freePort();
    this.#redis = new EmbeddedRedis({ dataDir: this.dir, appendOnly: true, port: this.#port });
    await this.#redis.start();
    return this.url;
  }

  /** SIGTERM (Redis flushes its AOF), then nothing listens until start(). */
  async stop(): Promise<void> {
    await this.#redis?.close();
    this.#redis = null;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Node process entry run the way a deployment runs it, with its output kept for failure messages. */
export class NodeProcess {
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  output = '';
  /** Everything written since the last spawn (readiness lines are looked for here). */
  #sinceSpawn = '';

  constructor(
    private readonly entry: string,
    private readonly env: () => Record<string, string>,
  ) {}

  get pid(): number {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error(`${this.entry} is not running`);
    return pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  spawn(): void {
    // node --import tsx, not the tsx CLI: the CLI runs the program in a child of its own, so a kill -9 of
    // the CLI would leave the real process running.
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(this.entry)], {
      env: { ...process.env, ...this.env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#sinceSpawn = '';
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-20_000);
      this.#sinceSpawn = (this.#sinceSpawn + d.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Waits until the process has written `text` since it was (re)spawned. */
  async waitForOutput(text: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await until(
      `"${text}" from ${this.entry} (output: ${this.output.slice(-500)})`,
      () => {
        if (!this.running) throw new Error(`${this.entry} exited`);
        return this.#sinceSpawn.includes(text);
      },
      timeoutMs,
    );
  }

  /** Sends the signal and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.#child?.kill(signal);
    await this.#exited;
  }
}

/** The controller process (controller/server.ts) on a fixed port, so a restart comes back at the same URL. */
export class ControllerProcess extends NodeProcess {
  #port = 0;

  constructor(
    redisUrl: () => string,
    private readonly dataDir: string,
  ) {
    super('controller/server.ts', () => ({
      REDIS_URL: redisUrl(),
      HOST: '127.0.0.1',
      PORT: String(this.#port),
      PITCHSIDE_ADMIN_KEY: FAULT_ADMIN_KEY,
      PITCHSIDE_DATA_DIR: this.dataDir,
      LOG_LEVEL: 'warn',
    }));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Starts it and waits until /healthz answers 200; returns how long that took (ms). */
  async start(): Promise<number> {
    if (this.#port === 0) this.#port = await freePort();
    const begin = Date.now();
    this.spawn();
    await until(
      `the controller on ${this.origin} (output: ${this.output.slice(-500)})`,
      async () => (await fetch(`${this.origin}/healthz`)).ok,
      START_TIMEOUT_MS,
    );
    return Date.now() - begin;
  }
}

/** A worker process (worker/main.ts) with the built-in recorder; recordings under `<dataDir>/recordings`. */
export class WorkerProcess extends NodeProcess {
  constructor(redisUrl: () => string, dataDir: string, extraEnv: Record<string, string> = {}) {
    super('worker/main.ts', () => ({
      REDIS_URL: redisUrl(),
      PITCHSIDE_DATA_DIR: dataDir,
      OUTPUT_BACKEND: 'builtin',
      // info: its "started" line is how a test knows it takes jobs.
      LOG_LEVEL: 'info',
      ...extraEnv,
    }));
  }

  async start(): Promise<void> {
    this.spawn();
    await this.waitForOutput('output worker started');
  }
}

export interface OutputsAnswer {
  plan: { record: boolean; destinations: string[]; stop: boolean; revision: number } | null;
  statuses: JobStatusMessage[];
  recordings: { index: number; startedAt: number | null; endedAt: number }[];
}

/** What a test drives the controller with: plain HTTP, as panels and control surfaces do. */
export class ApiClient {
  constructor(
    readonly origin: () => string,
    readonly eventId: string,
  ) {}

  async request<T>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.origin()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  async ok<T>(method: string, path: string, key: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, key, body);
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Creates the event with test sources camera-1…camera-4 and returns its role keys. */
  async createEvent(): Promise<Record<string, string>> {
    await this.ok('POST', '/api/events', FAULT_ADMIN_KEY, {
      id: this.eventId,
      name: 'Fault match',
      sport: 'football',
      home: { name: 'Reds' },
      away: { name: 'Blues' },
    });
    const { keys } = await this.ok<{ keys: RoleKey[] }>('GET', `/api/events/${this.eventId}/keys`, FAULT_ADMIN_KEY);
    const byRole = Object.fromEntries(keys.map((k) => [k.role, k.key]));
    for (const source of testSources(4)) await this.command(byRole['director'] ?? '', { type: 'source.add', source });
    return byRole;
  }

  command(
    key: string,
    command: Command,
  ): Promise<{ status: number; body: { revision?: number; state?: ProgramState } }> {
    return this.request('POST', `/api/events/${this.eventId}/commands`, key, command);
  }

  async state(key: string): Promise<ProgramState> {
    return (await this.ok<{ state: ProgramState }>('GET', `/api/events/${this.eventId}/state`, key)).state;
  }

  /** The output plan, the last job statuses and the finished recordings (GET …/outputs). */
  outputs(key: string): Promise<OutputsAnswer> {
    return this.ok<OutputsAnswer>('GET', `/api/events/${this.eventId}/outputs`, key);
  }

  /** The last output status, when the worker has published one. */
  async outputStatus(key: string): Promise<OutputStatusMessage | null> {
    const { statuses } = await this.outputs(key);
    return statuses.find((s): s is OutputStatusMessage => s.type === 'job.output') ?? null;
  }

  async switchLog(key: string): Promise<SwitchLogEntry[]> {
    return (await this.ok<{ entries: SwitchLogEntry[] }>('GET', `/api/events/${this.eventId}/switch-log`, key)).entries;
  }
}

/**
 * An RTMP ingest on loopback: `ffmpeg -listen 1` takes one publisher and exits when it goes, so this
 * starts a new listener on the same port each time (as YouTube accepts a reconnect), one FLV per session.
 */
export class RtmpReceiver {
  readonly dir: string;
  #port = 0;
  #child: ChildProcess | null = null;
  #stopped = true;
  sessions = 0;

  constructor(readonly name: string) {
    this.dir = tempDir(`rtmp-${name}`);
  }

  get serverUrl(): string {
    return `rtmp://127.0.0.1:${this.#port}/live`;
  }

  async start(): Promise<void> {
    if (this.#port === 0) this.#port = await freePort();
    this.#stopped = false;
    this.#listen();
  }

  /** The receiver dies (SIGKILL): the publisher's socket breaks; nothing listens until start(). */
  async kill(): Promise<void> {
    this.#stopped = true;
    const child = this.#child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Total bytes received over every session. */
  bytes(): number {
    if (!existsSync(this.dir)) return 0;
    return readdirSync(this.dir).reduce((sum, f) => sum + statSync(join(this.dir, f)).size, 0);
  }

  files(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.flv'))
      .sort()
      .map((f) => join(this.dir, f));
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #listen(): void {
    if (this.#stopped) return;
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `session-${String(this.sessions).padStart(3, '0')}.flv`);
    this.sessions += 1;
    const child = spawn(
      'ffmpeg',
      ['-v', 'error', '-listen', '1', '-i', `${this.serverUrl}/key`, '-c', 'copy', '-f', 'flv', '-y', file],
      { stdio: 'ignore' },
    );
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) setTimeout(() => this.#listen(), 100).unref();
    });
  }
}
