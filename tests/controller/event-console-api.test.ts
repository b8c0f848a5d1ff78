// The API the producer's console stands on: sport presets set the first program state and an edit
// reaches the scorebug; the list summary; deleting an event stops its outputs; recordings with size,
// stills at a time, exports on disk with YouTube chapters.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { resolveSportRules, SPORT_PRESETS, type ProgramState } from '../../protocol/index.ts';
import { youtubeChapters } from '../../controller/routes/console.ts';
import { loadConfig } from '../../runtime/config.ts';
import { readPlan, updatePlan } from '../../outputs/plan-store.ts';
import { noteRecordings } from '../../outputs/recording-notes.ts';
import { ffmetadata, takeChapters } from '../../worker/export/chapters.ts';
import { testRedis } from '../helpers/redis.ts';
import { admin, bearer, testApp } from './controller-helpers.ts';

const MINUTE = 60_000;
const temp = mkdtempSync(join(tmpdir(), 'pitchside-console-'));
const redis = testRedis();
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
  redis.disconnect();
});

async function stateOf(app: Awaited<ReturnType<typeof testApp>>, id: string): Promise<ProgramState> {
  return (await app.inject({ method: 'GET', url: `/api/events/${id}/state`, headers: admin() })).json().state;
}

describe('event console API', () => {
  it('a sport preset sets the first period and the clock; overrides win field by field; edits reach the scorebug', async () => {
    const app = await testApp();
    const id = `bb-${randomUUID().slice(0, 8)}`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: admin(),
      payload: { id, name: 'Final', sport: 'basketball', home: { name: 'Hoops' }, away: { name: 'Dunkers' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().rules).toEqual({
      periods: ['Q1', 'Q2', 'Q3', 'Q4', 'OT'],
      clock: 'down',
      periodMs: 10 * MINUTE,
      scoreSteps: [1, 2, 3],
      // Basketball chapters: quarters, lead changes and 8–0 runs, not every basket.
      chapters: { periods: true, everyScore: false, leadChanges: true, runPoints: 8 },
    });
    let state = await stateOf(app, id);
    expect(state.scorebug.period).toBe('Q1');
    expect(state.clock).toMatchObject({ direction: 'down', baseMs: 10 * MINUTE, limitMs: null, visible: true });

    // NBA quarters: one override, the rest of the preset stays.
    const edited = await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: admin(),
      payload: { rules: { periodMs: 12 * MINUTE }, home: { name: 'Hoops City', short: 'HPC', colour: '#112233' } },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().rules.periodMs).toBe(12 * MINUTE);
    expect(edited.json().rules.scoreSteps).toEqual([1, 2, 3]);
    expect(edited.json().ruleOverrides).toEqual({ periodMs: 12 * MINUTE });
    state = await stateOf(app, id);
    expect(state.clock.baseMs).toBe(12 * MINUTE);
    expect(state.scorebug.home).toMatchObject({ name: 'Hoops City', short: 'HPC', colour: '#112233' });

    // Volleyball: sets, no clock; the period moves to the first set because Q1 is not one.
    await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: admin(),
      payload: { sport: 'volleyball', rules: {} },
    });
    state = await stateOf(app, id);
    expect(state.scorebug.period).toBe('SET 1');
    expect(state.clock.visible).toBe(false);

    // A refused change changes nothing.
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: admin(),
      payload: { rules: { clock: 'sideways' }, name: 'Renamed' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('/rules/clock');
    expect((await app.inject({ method: 'GET', url: `/api/events/${id}`, headers: admin() })).json().name).toBe('Final');
  });

  it('every preset resolves to valid rules, and an unknown sport gets the custom ones', () => {
    for (const preset of SPORT_PRESETS) expect(resolveSportRules(preset.id)).toEqual(preset.rules);
    expect(resolveSportRules('kabaddi').clock).toBe('up');
    expect(resolveSportRules('tennis').clock).toBe('none');
  });

  it('summarises events for the list, and deleting an event stops its outputs', async () => {
    const app = await testApp();
    const id = `del-${randomUUID().slice(0, 8)}`;
    await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: admin(),
      payload: {
        id,
        name: 'To delete',
        sport: 'football',
        home: { name: 'A' },
        away: { name: 'B' },
        destinations: [{ kind: 'youtube', streamKey: 'yt-key-for-delete-test-0000' }],
      },
    });
    const list = await app.inject({ method: 'GET', url: '/api/event-summaries', headers: admin() });
    expect(list.statusCode).toBe(200);
    const summary = list.json().events.find((e: { event: { id: string } }) => e.event.id === id);
    expect(summary).toMatchObject({ status: 'upcoming', cameras: { total: 0, live: 0 }, outputsRunning: 0 });
    expect(list.body).not.toContain('yt-key-for-delete-test-0000');
    const director = (await app.apiKeys.ensureEventKeys(id)).find((k) => k.role === 'director')!.key;
    expect(
      (await app.inject({ method: 'GET', url: '/api/event-summaries', headers: bearer(director) })).statusCode,
    ).toBe(403);

    // An output plan as the output routes write it; deleting the event must tell the worker to stop.
    await updatePlan(redis, app.redisKeys, id, () => ({
      eventId: id,
      templateUrl: 'http://127.0.0.1/template/',
      video: { width: 1280, height: 720, fps: 30 },
      record: true,
      destinations: [],
      stop: false,
      revision: 0,
    }));
    const deleted = await app.inject({ method: 'DELETE', url: `/api/events/${id}`, headers: admin() });
    expect(deleted.statusCode).toBe(204);
    expect((await readPlan(redis, app.redisKeys, id))?.stop).toBe(true);
  });

  it('lists recordings with size, serves stills at a server time, and lists exports with YouTube chapters', async () => {
    const app = await testApp();
    const id = `rec-${randomUUID().slice(0, 8)}`;
    await app.events.create({ id, name: 'Recorded', sport: 'football', home: { name: 'A' }, away: { name: 'B' } });
    const recording = join(temp, `${id}.mp4`);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x180:rate=30:duration=4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      recording,
    ]);
    const startedAt = Date.now() - 10_000;
    await noteRecordings(redis, app.redisKeys, id, {
      recordings: [recording],
      recordingStartedAt: startedAt,
    });
    const listed = await app.inject({ method: 'GET', url: `/api/events/${id}/recordings`, headers: admin() });
    expect(listed.statusCode, listed.body).toBe(200);
    const [view] = listed.json().recordings;
    expect(view).toMatchObject({ index: 0, name: `${id}.mp4`, startedAt, recovered: false });
    expect(view.bytes).toBeGreaterThan(1000);
    expect(view.durationMs).toBeGreaterThanOrEqual(10_000);
    expect(listed.body).not.toContain(temp);

    const still = await app.inject({
      method: 'GET',
      url: `/api/events/${id}/recordings/0/frame.jpg?at=${startedAt + 2000}`,
      headers: admin(),
    });
    expect(still.statusCode, still.body).toBe(200);
    expect(still.headers['content-type']).toBe('image/jpeg');
    expect(still.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const outside = await app.inject({
      method: 'GET',
      url: `/api/events/${id}/recordings/0/frame.jpg?at=${startedAt - 1}`,
      headers: admin(),
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.field).toBe('/querystring/at');

    // An export directory as the worker leaves it.
    const jobId = `export-${id}-0123456789abcdef`;
    const dir = join(resolve(loadConfig().PITCHSIDE_DATA_DIR), 'exports', id, jobId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'program.mp4'), 'x');
    writeFileSync(
      join(dir, 'chapters.txt'),
      ffmetadata(
        takeChapters(
          [
            { n: 1, source: 'camera-1', startMs: 0, endMs: 65_000, transition: 'cut', transitionMs: 0, at: 0 },
            {
              n: 2,
              source: 'camera-2',
              startMs: 65_000,
              endMs: 3_700_000,
              transition: 'mix',
              transitionMs: 500,
              at: 0,
            },
          ],
          (s) => s.toUpperCase(),
        ),
        id,
      ),
    );
    try {
      const exports = await app.inject({ method: 'GET', url: `/api/events/${id}/exports`, headers: admin() });
      expect(exports.statusCode).toBe(200);
      expect(exports.json().exports).toEqual([
        expect.objectContaining({
          jobId,
          files: {
            mp4: `/api/events/${id}/exports/${jobId}/program.mp4`,
            chapters: `/api/events/${id}/exports/${jobId}/youtube-chapters.txt`,
          },
        }),
      ]);
      const chapters = await app.inject({
        method: 'GET',
        url: exports.json().exports[0].files.chapters,
        headers: admin(),
      });
      expect(chapters.statusCode).toBe(200);
      expect(chapters.body.split('\n')[0]).toMatch(/^00:00 /);
      expect(chapters.body.split('\n')[1]).toMatch(/^01:05 /);
    } finally {
      for (const what of ['exports', 'frames'])
        rmSync(join(resolve(loadConfig().PITCHSIDE_DATA_DIR), what, id), { recursive: true, force: true });
    }
  });

  it('turns ffmetadata chapters into YouTube description lines, hours included', () => {
    const text =
      ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=5\ntitle=Kick\\=off\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=3723000\nEND=3724000\ntitle=Late\n';
    expect(youtubeChapters(text)).toBe('00:00 Kick=off\n1:02:03 Late\n');
  });
});
