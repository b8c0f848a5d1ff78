// `npm run bench:controller`: take throughput and latency through the whole controller (auth, schema,
// reducer, Lua compare-and-set in Redis, pub/sub fan-out) next to a bare Fastify route in the same run,
// over loopback HTTP with keep-alive. Writes bench/results/controller.json and prints a table.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import Fastify from 'fastify';
import { buildApp } from '../../controller/app.ts';
import { testSources } from '../../protocol/index.ts';
import { loadConfig } from '../../runtime/config.ts';
import { idleLoadOrExit } from '../bench-report.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';

/** Requests in flight at once: a few panels hammering one event. */
export const CONCURRENCY = 8;
export const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
export const WARMUP_MS = 1000;

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function load(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: (i: number) => string,
  durationMs: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const end = performance.now() + durationMs;
  const one = (payload: string): Promise<number> =>
    new Promise((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        },
      );
      req.on('error', fail);
      req.end(payload);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await one(body(sent++)).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

// The machine is shared: the load before and after the run goes into the result next to the figures.
const loadBefore = idleLoadOrExit()[0]!;
const redis = new EmbeddedRedis({ appendOnly: false });
const redisUrl = await redis.start();
const adminKey = 'bench-admin-key';
const app = await buildApp({
  config: loadConfig({ PORT: 0, LOG_LEVEL: 'warn' }, {}),
  redisUrl,
  adminKey,
  // A prefix of its own: a bench pointed at a shared Redis never touches another run's keys.
  keyPrefix: `bench-${randomUUID().slice(0, 8)}:`,
  distDir: null,
  livekit: null,
  logger: false,
});
await app.listen({ port: 0, host: '127.0.0.1' });
await app.events.create(
  { id: 'bench', name: 'Bench', sport: 'football', home: { name: 'A' }, away: { name: 'B' } },
  { sources: testSources(4) },
);
const director = (await app.apiKeys.ensureEventKeys('bench')).find((k) => k.role === 'director')!.key;

const bare = Fastify({ logger: false });
bare.post('/take', async (req) => ({ ok: true, echo: req.body }));
await bare.listen({ port: 0, host: '127.0.0.1' });

const controllerPort = (app.server.address() as AddressInfo).port;
const barePort = (bare.server.address() as AddressInfo).port;
const takeBody = (i: number) => JSON.stringify({ source: `camera-${(i % 4) + 1}`, transition: { type: 'cut' } });
const auth = { authorization: `Bearer ${director}` };

await load(controllerPort, '/api/events/bench/program/take', auth, takeBody, WARMUP_MS);
await load(barePort, '/take', {}, takeBody, WARMUP_MS);
const take = await load(controllerPort, '/api/events/bench/program/take', auth, takeBody, DURATION_MS);
const baseline = await load(barePort, '/take', {}, takeBody, DURATION_MS);

await bare.close();
await app.close();
await redis.close();

const result = {
  name: 'controller',
  when: new Date().toISOString(),
  node: process.version,
  cpu: { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
  /** 1-minute load average before and after the run (other work on the machine included). */
  load1: { before: loadBefore, after: loadavg()[0]! },
  concurrency: CONCURRENCY,
  durationMs: DURATION_MS,
  take,
  bareFastify: baseline,
  /** take throughput as a fraction of a bare Fastify route's, same machine, same run. */
  throughputRatio: take.perSecond / baseline.perSecond,
  p50Ratio: take.p50Ms / baseline.p50Ms,
  p99Ratio: take.p99Ms / baseline.p99Ms,
};
const out = resolve('bench/results/controller.json');
await mkdir(resolve('bench/results'), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
const row = (name: string, r: LoadResult) =>
  `| ${name.padEnd(22)} | ${r.perSecond.toFixed(0).padStart(8)} | ${r.p50Ms.toFixed(2).padStart(7)} | ${r.p99Ms.toFixed(2).padStart(7)} | ${String(r.errors).padStart(6)} |`;
console.log(
  [
    `| ${'route'.padEnd(22)} | ${'req/s'.padStart(8)} | ${'p50 ms'.padStart(7)} | ${'p99 ms'.padStart(7)} | ${'errors'.padStart(6)} |`,
    `|${'-'.repeat(24)}|${'-'.repeat(10)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(8)}|`,
    row('take (controller)', take),
    row('bare Fastify POST', baseline),
    `throughput ratio ${result.throughputRatio.toFixed(3)}, p50 ×${result.p50Ratio.toFixed(2)}, p99 ×${result.p99Ratio.toFixed(2)}  → ${out}`,
    `${result.cpu.model} × ${result.cpu.cores}, load ${result.load1.before.toFixed(2)} → ${result.load1.after.toFixed(2)}`,
  ].join('\n'),
);
