// Holes 4 and 5 (issue 22): ISO segments were taken while ISO was not armed, with no limit on size per second
// of media or per minute (192 MiB for 24 s of "recording" in a second), logo uploads could fill the disk, and
// a segment that was only a media magic number and junk made a clip request fail with 500. Every upload door
// now goes through one quota (per key and per event, counted in Redis) and a free-space floor, and ISO media
// is checked for a recording's layout when it arrives.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_QUOTAS, type JoinResponse } from '../../protocol/index.ts';
import { admin, armIso, bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';
import { MAX_ISO_SEGMENT_MS } from '../../outputs/iso-index.ts';
import { makeIsoSegment } from '../replay/iso-segment.ts';

const SEGMENT_MS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'pitchside-quotas-'));
let segment: Buffer;
let png: Buffer;

beforeAll(() => {
  segment = makeIsoSegment(dir, SEGMENT_MS / 1000);
  // The smallest PNG (1×1): what the logo quota counts is files, not their size.
  png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
    'base64',
  );
});

async function stack(overrides: Record<string, unknown> = {}) {
  const app = await testApp({
    config: testConfig({ PITCHSIDE_DATA_DIR: mkdtempSync(join(dir, 'data-')), ...overrides }),
  });
  const keys = await seedEvent(app);
  const code = (await app.events.require('match')).joinCode;
  const joined = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'North' } });
  return { app, keys, camera: JSON.parse(joined.body) as JoinResponse };
}

function upload(
  app: FastifyInstance,
  camera: JoinResponse,
  startMs: number,
  body: Buffer = segment,
  spanMs = SEGMENT_MS,
) {
  return app.inject({
    method: 'POST',
    url: `/api/events/match/cameras/${camera.camera.id}/iso?startMs=${startMs}&endMs=${startMs + spanMs}`,
    headers: { ...bearer(camera.key), 'content-type': 'video/webm' },
    payload: body,
  });
}

async function isoRanges(app: FastifyInstance): Promise<unknown[]> {
  return (await app.inject({ url: '/api/events/match/iso', headers: admin() })).json().ranges as unknown[];
}

/** Waits for a fresh quota window when the current one ends within `needMs` (fixed windows reset at once). */
async function freshWindow(windowMs: number, needMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

describe('upload quotas and media checks', () => {
  it('takes ISO only while armed (and the segment in flight at a disarm), naming the field', async () => {
    const { app, camera } = await stack();
    const before = Date.now() - 3 * SEGMENT_MS;
    const refused = await upload(app, camera, before);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'ISO_NOT_ARMED', field: '/querystring/startMs' });
    expect(await isoRanges(app)).toEqual([]);

    await armIso(app);
    expect((await upload(app, camera, Date.now() - SEGMENT_MS)).statusCode).toBe(200);
    const disarm = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: admin(),
      payload: { type: 'iso.arm', armed: false },
    });
    expect(disarm.statusCode).toBe(200);
    // The segment each camera was recording when the director disarmed still arrives…
    expect((await upload(app, camera, Date.now() - SEGMENT_MS - 500)).statusCode).toBe(200);
    // …one that started after it does not.
    await new Promise((r) => setTimeout(r, 20));
    expect((await upload(app, camera, Date.now() - 10, segment, 10)).statusCode).toBe(409);
  });

  it('refuses junk media with 422 when it arrives, so a clip of the range is never a 500', async () => {
    const { app, keys, camera } = await stack();
    await armIso(app);
    const t0 = Date.now() - 4 * SEGMENT_MS;
    // A WebM magic number and random bytes: the magic-number check passes, the layout check does not.
    const junk = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), randomBytes(64 * 1024)]);
    const answer = await upload(app, camera, t0, junk);
    expect(answer.statusCode, answer.body).toBe(422);
    expect(answer.json().error).toMatchObject({ code: 'UNREADABLE_MEDIA', field: '/body' });
    expect(await isoRanges(app)).toEqual([]);
    for (let i = 1; i < 4; i++) expect((await upload(app, camera, t0 + i * SEGMENT_MS)).statusCode).toBe(200);
    const clip = await app.inject({
      method: 'POST',
      url: '/api/events/match/replay/clips',
      headers: bearer(keys.director!.key),
      payload: { source: camera.camera.id, fromMs: t0 + SEGMENT_MS, toMs: t0 + 3 * SEGMENT_MS },
    });
    expect(clip.statusCode, clip.body).toBe(200);
  });

  it('refuses a segment denser than 2 MB per second of media, and more media per minute than a key may send', async () => {
    const { app, camera } = await stack();
    await armIso(app);
    // 8 MiB claiming 1 s: the 192 MiB-for-24-s upload, one segment of it.
    const dense = Buffer.concat([segment, Buffer.alloc(8 * 1024 * 1024)]);
    const refused = await upload(app, camera, Date.now() - 2000, dense, 1000);
    expect(refused.statusCode, refused.body).toBe(413);
    expect(refused.json().error).toMatchObject({ code: 'TOO_LARGE', field: '/body' });

    // Segments as long as a segment may be, so few uploads reach the limit.
    const limit = UPLOAD_QUOTAS.iso.find((l) => l.scope === 'key' && l.measure === 'mediaMs')!;
    const allowed = Math.floor(limit.max / MAX_ISO_SEGMENT_MS);
    await freshWindow(limit.windowMs, 20_000);
    const t0 = Date.now() - (allowed + 2) * MAX_ISO_SEGMENT_MS;
    const statuses: number[] = [];
    for (let i = 0; i <= allowed; i++)
      statuses.push((await upload(app, camera, t0 + i * MAX_ISO_SEGMENT_MS, segment, MAX_ISO_SEGMENT_MS)).statusCode);
    expect(
      statuses.slice(0, allowed).every((s) => s === 200),
      statuses.join(' '),
    ).toBe(true);
    expect(statuses[allowed]).toBe(429);
    const over = await upload(app, camera, t0, segment, MAX_ISO_SEGMENT_MS);
    expect(over.json().error).toMatchObject({ code: 'QUOTA_EXCEEDED', field: '/body' });
    expect(over.json().error.message).toMatch(/90 s of media/);
  }, 120_000);

  it('refuses more logo uploads than a key may make in an hour', async () => {
    const { app, keys } = await stack();
    const limit = UPLOAD_QUOTAS.logo.find((l) => l.scope === 'key')!;
    await freshWindow(limit.windowMs, 30_000);
    const put = () =>
      app.inject({
        method: 'PUT',
        url: '/api/events/match/teams/home/logo',
        headers: { ...bearer(keys.graphics!.key), 'content-type': 'image/png' },
        payload: png,
      });
    for (let i = 0; i < limit.max; i++) expect((await put()).statusCode).toBe(200);
    const refused = await put();
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'QUOTA_EXCEEDED', field: '/logo' });
  });

  it('stores nothing under the free-space floor (507), and tells the event log', async () => {
    const { app, keys, camera } = await stack({ UPLOAD_MIN_FREE_BYTES: 2 ** 52 });
    await armIso(app);
    const iso = await upload(app, camera, Date.now() - SEGMENT_MS);
    expect(iso.statusCode, iso.body).toBe(507);
    expect(iso.json().error).toMatchObject({ code: 'INSUFFICIENT_STORAGE', field: '/body' });
    const logo = await app.inject({
      method: 'PUT',
      url: '/api/events/match/teams/home/logo',
      headers: { ...bearer(keys.graphics!.key), 'content-type': 'image/png' },
      payload: png,
    });
    expect(logo.statusCode).toBe(507);
    expect(await isoRanges(app)).toEqual([]);
    const log = await app.inject({ url: '/api/events/match/event-log', headers: bearer(keys.director!.key) });
    expect(log.json().entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'storage.low', level: 'error' })]),
    );
  });
});
