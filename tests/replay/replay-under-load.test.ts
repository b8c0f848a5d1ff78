// Replay marks on a loaded machine: every core busy (a bounded busy loop per core, in child processes), a
// camera whose ISO segments reach the controller seconds late, over HTTP as the camera page sends them. A
// "last 5 s" mark is taken at the server time of the request and exists at once as `pending` with the range
// it asked for; it becomes `ready` with that whole range when the late segments arrive, or `partial` with
// what arrived once its wait (REPLAY_ISO_WAIT_MS, short here) is over. A pending clip survives a controller
// restart, and one whose wait ended while no controller ran is settled when the next one starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JoinResponse, ProgramState, ReplayClip } from '../../protocol/index.ts';
import { armIso, bearer, listen, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';
import { freshPrefix } from '../helpers/redis.ts';
import { until } from '../worker/helpers.ts';
import { makeIsoSegment } from './iso-segment.ts';

const SEGMENT_MS = 2000;
const MARK_SECONDS = 5;
/** How late the camera's segments reach the controller (a busy phone, a busy venue laptop). */
const LATE_MS = 3000;
/** The wait of the tests that see it end (the default, 25 s, is what the ready case runs with). */
const SHORT_WAIT_MS = 3000;
/** A busy loop never outlives this, even if the test process dies before afterEach kills it. */
const LOAD_BOUND_MS = 180_000;
/** Slack for a loaded machine between a deadline and seeing it kept (settling is an ffmpeg -c copy and a probe). */
const SETTLE_SLACK_MS = 15_000;

let dir = '';
let segment: Buffer = Buffer.alloc(0);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-replay-load-'));
  segment = makeIsoSegment(dir, SEGMENT_MS / 1000);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every core busy for the whole test.
const load: ChildProcess[] = [];
beforeEach(async () => {
  for (let i = 0; i < Math.max(2, availableParallelism()); i++) {
    const child = spawn(
      process.execPath,
      ['-e', `const end = Date.now() + ${LOAD_BOUND_MS}; while (Date.now() < end);`],
      {
        stdio: 'ignore',
      },
    );
    load.push(child);
    await once(child, 'spawn');
  }
});
afterEach(async () => {
  for (const child of load.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
});

interface Controller {
  app: FastifyInstance;
  base: string;
}

async function controller(options: { keyPrefix: string; dataDir: string; waitMs?: number }): Promise<Controller> {
  const app = await testApp({
    keyPrefix: options.keyPrefix,
    config: testConfig({
      PITCHSIDE_DATA_DIR: options.dataDir,
      ...(options.waitMs === undefined ? {} : { REPLAY_ISO_WAIT_MS: options.waitMs }),
    }),
  });
  return { app, base: `http://${await listen(app)}/api/events/match` };
}

/** A controller with the event, the director's key and a camera joined. */
async function stack(waitMs?: number) {
  const keyPrefix = freshPrefix('replay-load');
  const dataDir = mkdtempSync(join(dir, 'data-'));
  const ctl = await controller({ keyPrefix, dataDir, ...(waitMs === undefined ? {} : { waitMs }) });
  const director = (await seedEvent(ctl.app))['director']!.key;
  await armIso(ctl.app);
  const code = (await ctl.app.events.require('match')).joinCode;
  const joined = await ctl.app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'Goal cam' } });
  return { ...ctl, keyPrefix, dataDir, director, camera: JSON.parse(joined.body) as JoinResponse };
}

async function call(base: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What the camera page sends once a segment is complete: the WebM, its server-time span in the query. */
async function upload(base: string, camera: JoinResponse, startMs: number): Promise<void> {
  const res = await fetch(`${base}/cameras/${camera.camera.id}/iso?startMs=${startMs}&endMs=${startMs + SEGMENT_MS}`, {
    method: 'POST',
    headers: { ...bearer(camera.key), 'content-type': 'video/webm;codecs=vp8' },
    body: new Uint8Array(segment),
  });
  expect(res.status, await res.text()).toBe(200);
}

/**
 * Uploads the segments from startMs on until one reaches toMs, each once it is complete (as a camera page
 * does); answers where the last one ends.
 */
async function uploadUpTo(base: string, camera: JoinResponse, startMs: number, toMs: number): Promise<number> {
  let at = startMs;
  for (; at < toMs; at += SEGMENT_MS) {
    await new Promise((r) => setTimeout(r, Math.max(0, at + SEGMENT_MS - Date.now())));
    await upload(base, camera, at);
  }
  return at;
}

async function clipOf(base: string, director: string, id: string): Promise<ReplayClip> {
  const { body } = await call(base, director, 'GET', '/replay/clips');
  const clip = (body['clips'] as ReplayClip[]).find((c) => c.id === id);
  if (clip === undefined) throw new Error(`clip ${id} is not listed`);
  return clip;
}

/** Waits (reading the list, as the director's panel does) until the clip is no longer pending. */
async function settled(base: string, director: string, id: string, timeoutMs: number): Promise<ReplayClip> {
  let clip = await clipOf(base, director, id);
  await until(
    async () => (clip = await clipOf(base, director, id)).status !== 'pending',
    timeoutMs,
    `clip ${id} to settle`,
  );
  return clip;
}

/** Marks the camera's last 5 s: the answer, and the server times the request was sent and answered between. */
async function mark(base: string, director: string, camera: JoinResponse) {
  const sentAt = Date.now();
  const res = await call(base, director, 'POST', '/replay/clips', {
    source: camera.camera.id,
    lastSeconds: MARK_SECONDS,
  });
  const answeredAt = Date.now();
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { clip: res.body['clip'] as ReplayClip, sentAt, answeredAt };
}

function expectPendingMark(marked: Awaited<ReturnType<typeof mark>>): void {
  const { clip, sentAt, answeredAt } = marked;
  expect(clip).toMatchObject({ status: 'pending', durationMs: MARK_SECONDS * 1000, mediaUrl: null });
  // The range asked for, ending at the server time of the request.
  expect(clip.toMs).toBeGreaterThanOrEqual(sentAt);
  expect(clip.toMs).toBeLessThanOrEqual(answeredAt);
  expect(clip.fromMs).toBe(clip.toMs - MARK_SECONDS * 1000);
}

describe('replay marks on a loaded machine', () => {
  it('a mark whose ISO arrives seconds late is pending at once, then ready with its whole range', async () => {
    const { base, app, director, camera } = await stack();
    // The camera has recorded for a while; its last segments are stuck on the way.
    const t0 = Date.now() - 3 * SEGMENT_MS;
    await uploadUpTo(base, camera, t0, t0 + 2 * SEGMENT_MS);

    const marked = await mark(base, director, camera);
    expectPendingMark(marked);
    const { clip } = marked;
    const listed = await clipOf(base, director, clip.id);
    expect(listed).toMatchObject({ status: 'pending', fromMs: clip.fromMs, toMs: clip.toMs });
    expect(listed.waitUntil).toBeGreaterThan(clip.toMs);
    // Playing it now is refused, saying why.
    const early = await call(base, director, 'POST', '/replay/play', { clip: clip.id, speed: 0.5 });
    expect([early.status, early.body['error']]).toEqual([
      409,
      expect.objectContaining({ code: 'CLIP_PENDING', field: '/clip' }),
    ]);

    await new Promise((r) => setTimeout(r, LATE_MS));
    await uploadUpTo(base, camera, t0 + 2 * SEGMENT_MS, clip.toMs);
    const ready = await settled(base, director, clip.id, SETTLE_SLACK_MS);
    expect(ready).toMatchObject({ status: 'ready', fromMs: clip.fromMs, waitUntil: null });
    expect(ready.toMs).toBeGreaterThanOrEqual(clip.toMs - 100);
    expect(ready.mediaUrl).not.toBeNull();
    // Cued as a mark with its ISO there is (the cue is committed just after the clip is stored ready: a cue
    // of a clip that is not ready yet would be refused), and it plays.
    await vi.waitFor(async () => expect((await app.program.requireState('match')).replayCue?.id).toBe(clip.id), {
      timeout: 5000,
      interval: 50,
    });
    const played = await call(base, director, 'POST', '/replay/play', { clip: clip.id, speed: 0.5 });
    expect(played.status, JSON.stringify(played.body)).toBe(200);
    expect((played.body['state'] as ProgramState).replay?.clip).toMatchObject({ id: clip.id, fromMs: clip.fromMs });
  }, 90_000);

  it('a mark whose ISO never all arrives is partial, with what arrived, once its wait is over', async () => {
    const { base, director, camera } = await stack(SHORT_WAIT_MS);
    const t0 = Date.now() - 4 * SEGMENT_MS;
    await uploadUpTo(base, camera, t0, t0 + 2 * SEGMENT_MS);

    const marked = await mark(base, director, camera);
    expectPendingMark(marked);
    const { clip } = marked;
    // One late segment comes, the camera's others never do.
    await new Promise((r) => setTimeout(r, LATE_MS / 2));
    await upload(base, camera, t0 + 2 * SEGMENT_MS);
    const partial = await settled(base, director, clip.id, SHORT_WAIT_MS + SETTLE_SLACK_MS);
    expect(Date.now()).toBeGreaterThanOrEqual(clip.waitUntil!);
    expect(partial).toMatchObject({ status: 'partial', fromMs: clip.fromMs, toMs: t0 + 3 * SEGMENT_MS });
    const played = await call(base, director, 'POST', '/replay/play', { clip: clip.id, speed: 1 });
    expect(played.status, JSON.stringify(played.body)).toBe(200);
  }, 90_000);

  it('a pending clip survives a controller restart; one whose wait ended while it was down settles at start', async () => {
    const first = await stack(SHORT_WAIT_MS + LATE_MS);
    const { keyPrefix, dataDir, director, camera } = first;
    const t0 = Date.now() - 5 * SEGMENT_MS;
    await uploadUpTo(first.base, camera, t0, t0 + 2 * SEGMENT_MS);
    const waiting = (await mark(first.base, director, camera)).clip;
    await first.app.close();

    // Still pending after the restart; the late segments reach the new controller and it becomes ready.
    const second = await controller({ keyPrefix, dataDir, waitMs: SHORT_WAIT_MS + LATE_MS });
    expect((await clipOf(second.base, director, waiting.id)).status).toBe('pending');
    const end = await uploadUpTo(second.base, camera, t0 + 2 * SEGMENT_MS, waiting.toMs);
    expect((await settled(second.base, director, waiting.id, SETTLE_SLACK_MS)).status).toBe('ready');

    // Marked over the newest segment's end (1.5 s of it), then no controller until its wait is over: the next
    // one settles it, with what arrived, before it takes a request.
    const res = await call(second.base, director, 'POST', '/replay/clips', {
      source: camera.camera.id,
      fromMs: end - 1500,
      toMs: end + 1900,
    });
    const expired = res.body['clip'] as ReplayClip;
    expect([res.status, expired.status]).toEqual([200, 'pending']);
    await second.app.close();
    await new Promise((r) => setTimeout(r, Math.max(0, expired.waitUntil! - Date.now())));
    const third = await controller({ keyPrefix, dataDir, waitMs: SHORT_WAIT_MS + LATE_MS });
    expect(await clipOf(third.base, director, expired.id)).toMatchObject({
      status: 'partial',
      fromMs: end - 1500,
      toMs: end,
      waitUntil: null,
    });
  }, 120_000);
});
