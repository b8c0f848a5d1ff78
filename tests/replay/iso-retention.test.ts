// Camera ISO segments are removed ISO_RETENTION_DAYS after they were recorded (the sweep runs when a
// controller starts and hourly): the old range leaves the API and the disk, the recent one stays whole, and
// a replay clip marked on the old range keeps its media (clips are their own files).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoRange, JoinResponse, ReplayClip } from '../../protocol/index.ts';
import { DAY_MS } from '../../runtime/config.ts';
import { freshPrefix } from '../helpers/redis.ts';
import { makeIsoSegment } from './iso-segment.ts';
import { armIso, bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';

const SEGMENT_MS = 2000;
const RETENTION_DAYS = 14;

let dir = '';
let segment: Buffer = Buffer.alloc(0);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-iso-retention-'));
  segment = makeIsoSegment(dir, SEGMENT_MS / 1000);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ISO retention', () => {
  it('removes segments past ISO_RETENTION_DAYS from the index and the disk, and keeps recent ones and clips', async () => {
    const config = testConfig({ PITCHSIDE_DATA_DIR: join(dir, 'data'), ISO_RETENTION_DAYS: RETENTION_DAYS });
    const keyPrefix = freshPrefix('iso-retention');
    const first = await testApp({ config, keyPrefix });
    const director = (await seedEvent(first))['director']!.key;
    await armIso(first);
    const code = (await first.events.require('match')).joinCode;
    const camera = JSON.parse(
      (await first.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'North' } })).body,
    ) as JoinResponse;
    const upload = (startMs: number) =>
      first.inject({
        method: 'POST',
        url: `/api/events/match/cameras/${camera.camera.id}/iso?startMs=${startMs}&endMs=${startMs + SEGMENT_MS}`,
        headers: { ...bearer(camera.key), 'content-type': 'video/webm' },
        payload: segment,
      });
    const old = Date.now() - (RETENTION_DAYS + 1) * DAY_MS;
    const recent = Date.now() - 60_000;
    for (const start of [old, old + SEGMENT_MS, recent, recent + SEGMENT_MS])
      expect((await upload(start)).statusCode).toBe(200);
    const marked = await first.inject({
      method: 'POST',
      url: '/api/events/match/replay/clips',
      headers: bearer(director),
      payload: { source: camera.camera.id, fromMs: old + 500, toMs: old + 3500 },
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const clip = (JSON.parse(marked.body) as { clip: ReplayClip }).clip;
    await first.close();

    // A controller starting on the same store sweeps at once.
    const second = await testApp({ config, keyPrefix });
    const ranges = async () =>
      (
        JSON.parse((await second.inject({ url: '/api/events/match/iso', headers: bearer(director) })).body) as {
          ranges: IsoRange[];
        }
      ).ranges;
    await expect.poll(async () => (await ranges()).length, { timeout: 10_000 }).toBe(1);
    expect(await ranges()).toMatchObject([{ fromMs: recent, toMs: recent + 2 * SEGMENT_MS, segments: 2 }]);
    // The index goes first and the files after it: wait for the sweep to have removed them too.
    const starts = () =>
      readdirSync(join(dir, 'data', 'iso', 'match', camera.camera.id))
        .map((f) => Number(f.split('-')[1]?.split('.')[0]))
        .sort();
    await expect.poll(starts, { timeout: 10_000 }).toEqual([recent, recent + SEGMENT_MS]);
    // The clip marked on the old range still plays: its media is its own file.
    const media = await second.inject({ url: clip.mediaUrl!, headers: bearer(director) });
    expect(media.statusCode).toBe(200);
    await second.close();
  });
});
