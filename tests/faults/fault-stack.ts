// The pieces a fault test kills and restarts, each a real process: a private Redis with AOF on a fixed
// port (so a restart comes back at the same address, with its data), the controller and the worker as
// the process entries a deployment runs (`node --import tsx controller/server.ts`, `worker/main.ts`), and
// RTMP receivers that, like a real ingest, accept the publisher again after a disconnect.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CHECK_REGION,
  testSources,
  type Command,
  type JobStatusMessage,
  type OutputStatusMessage,
  type ProgramState,
  type RoleKey,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { TEST_PRIVATE_NETWORKS } from '../controller/controller-helpers.ts';
import { freePort } from '../../runtime/free-port.ts';

export const FAULT_ADMIN_KEY = 'psadm_fault-suite-admin-key-0123456789';
/** How long a restarted process may take to answer again before the test gives up (generous: 2 loaded cores). */
export const START_TIMEOUT_MS = 120_000;
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
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last === null ? '' : `: ${last instanceof Error ? last.message : JSON.stringify(last)}`}`,
      );
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
    // The test runner's own variables stay out: the process must start as a deployment starts it (vitest's
    // VITEST=true once hid that the controller could not load its routes under `node --import tsx`).
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(this.entry)], {
      env: { ...inherited, ...this.env() },
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
      `"${text}" from ${this.entry}`,
      () => {
        if (!this.running) throw new Error(`${this.entry} exited: ${this.output.slice(-1000)}`);
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
      // No LAN HTTPS listener: its fixed default port is the machine's, and nothing here needs TLS.
      HTTPS_HOST: '',
      // Nor obs-websocket: its default port (4455) is fixed too (0 = off).
      OBS_WEBSOCKET_PORT: '0',
      // The receivers are on loopback (refused by default: tests/security/outbound-addresses).
      ALLOW_PRIVATE_NETWORKS: TEST_PRIVATE_NETWORKS,
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
      `the controller on ${this.origin}`,
      async () => {
        if (!this.running) throw new Error(`the controller exited: ${this.output.slice(-1000)}`);
        return (await fetch(`${this.origin}/healthz`)).ok;
      },
      START_TIMEOUT_MS,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n(controller output: ${this.output.slice(-1000)})`);
    });
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
      ALLOW_PRIVATE_NETWORKS: TEST_PRIVATE_NETWORKS,
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
  #refuser: Server | null = null;
  sessions = 0;
  /** When a publisher tried to connect while the receiver was down. */
  readonly attempts: number[] = [];

  constructor(readonly name: string) {
    this.dir = tempDir(`rtmp-${name}`);
  }

  get serverUrl(): string {
    return `rtmp://127.0.0.1:${this.#port}/live`;
  }

  async start(): Promise<void> {
    if (this.#port === 0) this.#port = await freePort();
    await new Promise<void>((resolve) => (this.#refuser ? this.#refuser.close(() => resolve()) : resolve()));
    this.#refuser = null;
    this.#stopped = false;
    this.#listen();
  }

  /**
   * The receiver dies (SIGKILL): the publisher's socket breaks. Until start(), connections to the port
   * are reset at once (as a host whose ingest is down answers), and the time of each attempt is kept.
   */
  async kill(): Promise<void> {
    this.#stopped = true;
    const child = this.#child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    if (this.#port === 0 || this.#refuser !== null) return;
    const refuser = createServer((socket) => {
      this.attempts.push(Date.now());
      socket.resetAndDestroy();
    });
    this.#refuser = refuser;
    await until(
      'the port free for the stand-in',
      () =>
        new Promise<boolean>((resolve) => {
          refuser.once('error', () => resolve(false));
          refuser.listen(this.#port, '127.0.0.1', () => resolve(true));
        }),
    );
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
    await new Promise<void>((resolve) => (this.#refuser ? this.#refuser.close(() => resolve()) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  #listen(): void {
    if (this.#stopped) return;
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `session-${String(this.sessions).padStart(3, '0')}.flv`);
    this.sessions += 1;
    const child = spawn(
      'ffmpeg',
      // -flush_packets: bytes reach the file as they arrive, so its size tells when the stream flows.
      [
        '-v',
        'error',
        '-listen',
        '1',
        '-i',
        `${this.serverUrl}/key`,
        '-c',
        'copy',
        '-flush_packets',
        '1',
        '-f',
        'flv',
        '-y',
        file,
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) setTimeout(() => this.#listen(), 100).unref();
    });
  }
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

/** Every process now, from `ps`. */
export function processes(): ProcessInfo[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }));
}

/** The processes below `pid` (children, grandchildren, …). */
export function descendants(pid: number): ProcessInfo[] {
  const all = processes();
  const found: ProcessInfo[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const next = all.filter((p) => parents.has(p.ppid));
    found.push(...next);
    parents = new Set(next.map((p) => p.pid));
  }
  return found;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Byte counts of receivers sampled over time: where a stream stopped and started again. */
export class ByteTimeline {
  readonly samples: { at: number; bytes: number[] }[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly receivers: RtmpReceiver[],
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.#timer = setInterval(
      () => this.samples.push({ at: Date.now(), bytes: this.receivers.map((r) => r.bytes()) }),
      this.everyMs,
    );
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The longest time receiver `index` got nothing, between `from` and `to` (ms). */
  longestStall(index: number, from: number, to: number): number {
    let lastGrowth = from;
    let longest = 0;
    let previous: number | null = null;
    for (const s of this.samples) {
      const bytes = s.bytes[index] ?? 0;
      if (s.at >= from && s.at <= to && previous !== null && bytes > previous) {
        longest = Math.max(longest, s.at - lastGrowth);
        lastGrowth = s.at;
      }
      previous = bytes;
    }
    return Math.max(longest, Math.min(to, Date.now()) - lastGrowth);
  }

  /** When receiver `index` first got bytes after `after`, or null. */
  firstGrowthAfter(index: number, after: number): number | null {
    let previous: number | null = null;
    for (const s of this.samples) {
      const bytes = s.bytes[index] ?? 0;
      if (s.at > after && previous !== null && bytes > previous) return s.at;
      previous = bytes;
    }
    return null;
  }
}

/** Mean RGB of CHECK_REGION in the last frame of a media file that may still be growing (an FLV being received). */
export function lastFrameColour(file: string): [number, number, number] {
  const { x0, x1, y0, y1 } = CHECK_REGION;
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-sseof', '-0.5', '-i', file, '-frames:v', '1'],
      ...['-vf', `crop=iw*${x1 - x0}:ih*${y1 - y0}:iw*${x0}:ih*${y0},scale=1:1:flags=area`],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    ],
    { timeout: 10_000 },
  );
  if (raw.length < 3) throw new Error(`no frame at the end of ${file}`);
  return [raw[0] ?? 0, raw[1] ?? 0, raw[2] ?? 0];
}
