// The URLs the stack points at the controller (LiveKit's webhook, Egress's template, compose's
// healthcheck) are checked against the controller app itself: its real route table, not a copy.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../controller/app.ts';
import { loadConfig } from '../../runtime/config.ts';
import { freshPrefix, testRedisUrl } from '../helpers/redis.ts';
import { composeConfig, readYamlFile, ROOT } from './stack-files.ts';

const livekit = readYamlFile<{ webhook: { urls: string[] } }>(join(ROOT, 'livekit.yaml'));
const egress = readYamlFile<{ template_base: string }>(join(ROOT, 'egress.yaml'));
const TEMPLATE_MARKER = `<!-- template ${randomUUID()} -->`;

let app: FastifyInstance;
beforeAll(async () => {
  // A stand-in for the vite build, so that the test sees which path the controller serves it at.
  const distDir = await mkdtemp(join(tmpdir(), 'pitchside-dist-'));
  await mkdir(join(distDir, 'template'));
  await writeFile(join(distDir, 'template', 'index.html'), `<!doctype html>${TEMPLATE_MARKER}`);
  app = await buildApp({
    config: loadConfig({}, {}),
    redisUrl: testRedisUrl(),
    keyPrefix: freshPrefix('stack'),
    adminKey: `admin-${randomUUID()}`,
    distDir,
    livekit: null,
    logger: false,
  });
  await app.ready();
});
/** close() of an app with no traffic in flight is quick; longer means a handle is left open. */
const APP_CLOSE_TIMEOUT_MS = 10_000;
afterAll(async () => {
  await app?.close();
}, APP_CLOSE_TIMEOUT_MS);

describe('URLs the stack configuration points at the controller', () => {
  it("egress.yaml's template_base is where the controller serves the program template", async () => {
    const url = new URL(egress.template_base);
    // As Egress loads it: the base with its query added.
    const response = await app.inject({
      method: 'GET',
      url: `${url.pathname}?layout=program&url=ws%3A%2F%2Fx&token=t`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(TEMPLATE_MARKER);
  });

  it("livekit.yaml's webhook URL is the controller's LiveKit webhook route (POST)", async () => {
    expect(livekit.webhook.urls.length).toBe(1);
    const path = new URL(livekit.webhook.urls[0]!).pathname;
    expect(app.hasRoute({ method: 'POST', url: path })).toBe(true);
    // Unsigned: refused, not accepted and not missing.
    const response = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/webhook+json' },
      payload: '{}',
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.statusCode).not.toBe(404);
  });

  it("the controller's compose healthcheck asks a route that answers 200 without a key", async () => {
    const { config } = await composeConfig();
    const test = [config.services.controller!.healthcheck!.test].flat().join(' ');
    const path = /127\.0\.0\.1:' \+ process\.env\.PORT \+ '(\/[^']*)'/.exec(test)?.[1];
    expect(path).toBeDefined();
    const response = await app.inject({ method: 'GET', url: path! });
    expect(response.statusCode).toBe(200);
  });
});
