// The real controller (controller/app.ts) for template tests: dist/ served by it, one event `demo` with
// test sources camera-1..camera-4, commands through its HTTP API, and a restart on the same address to
// cut every socket. Same surface as TemplateControllerStub where the tests use it.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../controller/app.ts';
import { testSources, type Command, type ProgramState } from '../../protocol/index.ts';
import { loadConfig } from '../../runtime/config.ts';
import { freePort } from '../../runtime/free-port.ts';
import { freshPrefix, testRedisUrl } from './redis.ts';
import { DIST_DIR } from './template-controller-stub.ts';

const EVENT = 'demo';
const ADMIN_KEY = 'psadm_template-test-admin-key-0123456789';

export interface TemplateTestControllerOptions {
  /** Outside vitest (benchmarks) there is no test-run Redis to inject: pass one. */
  redisUrl?: string;
}

export class TemplateTestController {
  state!: ProgramState;
  #app: FastifyInstance | null = null;
  #port = 0;
  #keys: Record<string, string> = {};
  readonly #prefix = freshPrefix('tpl');
  readonly #redisUrl: string | undefined;

  constructor(options: TemplateTestControllerOptions = {}) {
    this.#redisUrl = options.redisUrl;
  }

  async start(): Promise<void> {
    this.#port = await freePort();
    await this.#listen();
    const app = this.#app!;
    await app.events.create(
      { id: EVENT, name: 'Template test', sport: 'football', home: { name: 'Home' }, away: { name: 'Away' } },
      { sources: testSources(4) },
    );
    for (const key of await app.apiKeys.ensureEventKeys(EVENT)) this.#keys[key.role] = key.key;
    const response = await fetch(`${this.origin}/api/events/${EVENT}/state`, {
      headers: { authorization: `Bearer ${this.#keys['director']}` },
    });
    this.state = ((await response.json()) as { state: ProgramState }).state;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  templateUrl(query: Record<string, string | number> = {}): string {
    const params = new URLSearchParams({ event: EVENT, key: this.#keys['template'] ?? '' });
    for (const [k, v] of Object.entries(query)) params.set(k, String(v));
    return `${this.origin}/template/?${params}`;
  }

  async command(...commands: Command[]): Promise<ProgramState> {
    for (const command of commands) {
      const response = await fetch(`${this.origin}/api/events/${EVENT}/commands`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#keys['director']}`, 'content-type': 'application/json' },
        body: JSON.stringify(command),
      });
      const body = (await response.json()) as { state?: ProgramState; error?: unknown };
      if (!response.ok || body.state === undefined)
        throw new Error(`${command.type}: HTTP ${response.status} ${JSON.stringify(body.error)}`);
      this.state = body.state;
    }
    return this.state;
  }

  /** Cut every socket: stop the controller and start a new one on the same address and Redis prefix. */
  async dropConnections(): Promise<void> {
    await this.#app?.close();
    await this.#listen();
  }

  async close(): Promise<void> {
    await this.#app?.close();
    this.#app = null;
  }

  async #listen(): Promise<void> {
    const app = await buildApp({
      config: loadConfig({ PORT: this.#port }, {}),
      redisUrl: this.#redisUrl ?? testRedisUrl(),
      adminKey: ADMIN_KEY,
      keyPrefix: this.#prefix,
      distDir: DIST_DIR,
      livekit: null,
      logger: false,
    });
    await app.listen({ port: this.#port, host: '127.0.0.1' });
    this.#app = app;
  }
}
