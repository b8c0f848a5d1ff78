// Issue 11, item 12: a worker stack that is started and closed leaves no Redis connection behind. The
// BullMQ workers were given an inline ioredis connection that BullMQ never closes (a connection passed
// in is the caller's), so every start/close cycle leaked one per worker. A private Redis makes the
// count exact (the shared test Redis has other test files' clients coming and going).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { startWorkerStack } from '../../worker/worker-stack.ts';
import { until } from './helpers.ts';

const CYCLES = 3;
let server: EmbeddedRedis;
let probe: Redis;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pitchside-lifecycle-'));
  server = new EmbeddedRedis({ appendOnly: false });
  probe = new Redis(await server.start());
});

afterAll(async () => {
  probe.disconnect();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function connectedClients(): Promise<number> {
  const info = await probe.info('clients');
  return Number(/connected_clients:(\d+)/.exec(info)?.[1] ?? NaN);
}

describe('worker stack lifecycle', () => {
  it(`closes every Redis connection it opened, over ${CYCLES} start/close cycles`, async () => {
    const baseline = await connectedClients();
    const config = loadConfig({ PITCHSIDE_DATA_DIR: dataDir, OUTPUT_BACKEND: 'builtin', LOG_LEVEL: 'warn' }, {});
    for (let i = 0; i < CYCLES; i++) {
      const stack = await startWorkerStack(config, server.url);
      expect(await connectedClients()).toBeGreaterThan(baseline);
      await stack.close();
    }
    // Disconnects reach the server a moment after close() returns.
    await until(async () => (await connectedClients()) === baseline, 5000, 'connections back to the baseline').catch(
      () => undefined,
    );
    expect(await connectedClients()).toBe(baseline);
  });
});
