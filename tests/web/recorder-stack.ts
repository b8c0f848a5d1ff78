// The real controller (listening, the demo event) and an output worker with the built-in recorder writing
// where the controller serves (one data dir, as docker/compose.yaml shares it): what a page test needs to go
// live for real. `api` speaks HTTP with a Bearer key, as pages and scripts do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../controller/app.ts';
import { ensureDemoEvent } from '../../controller/services/demo-event.ts';
import { PROGRAM_OUTPUT_QUEUE } from '../../protocol/index.ts';
import { loadConfig } from '../../runtime/config.ts';
import { freePort } from '../../runtime/free-port.ts';
import { BuiltinBackend } from '../../worker/builtin-backend.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { testLogger } from '../helpers/logger.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';

export class RecorderStack {
  app!: FastifyInstance;
  worker!: OutputWorker;
  origin = '';
  dataDir = '';
  /** The demo event's role keys. */
  readonly keys: Record<string, string> = {};

  constructor(
    private readonly name: string,
    readonly adminKey = `psadm_${name}-test-admin-key-0123456789`,
  ) {}

  async start(): Promise<void> {
    this.dataDir = mkdtempSync(join(tmpdir(), `pitchside-${this.name}-`));
    const port = await freePort();
    this.app = await buildApp({
      config: loadConfig({ PORT: port, LOG_LEVEL: 'silent', PITCHSIDE_DATA_DIR: this.dataDir }, {}),
      redisUrl: testRedisUrl(),
      adminKey: this.adminKey,
      keyPrefix: freshPrefix(this.name),
      distDir: resolve('dist'),
      livekit: null,
      logger: false,
      authFailureLimit: 10_000,
    });
    await this.app.listen({ port, host: '127.0.0.1' });
    this.origin = `http://127.0.0.1:${port}`;
    for (const k of await ensureDemoEvent(this.app.events, this.app.apiKeys)) this.keys[k.role] = k.key;
    this.worker = new OutputWorker({
      log: testLogger('output'),
      redisUrl: testRedisUrl(),
      keys: this.app.redisKeys,
      backends: {
        builtin: new BuiltinBackend({
          recordingsDir: join(this.dataDir, 'recordings'),
          hlsDir: join(this.dataDir, 'hls'),
        }),
      },
    });
    await this.worker.start();
  }

  /** A request as a page makes it: `key` as a Bearer token (none: anonymous), a JSON body. */
  api(method: string, path: string, key: string | null, body?: object): Promise<Response> {
    return fetch(`${this.origin}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    if (this.app !== undefined) {
      const connection = testRedis();
      const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection, prefix: this.app.redisKeys.queuePrefix });
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
      await this.app.close();
    }
    if (this.dataDir !== '') rmSync(this.dataDir, { recursive: true, force: true });
  }
}
