// The replay API against a real controller, Redis and ffmpeg: camera pages upload ISO segments (real WebM
// files), the API lists them by server time, marks, nudges and deletes clips, serves their media and
// thumbnails, and plays a clip on program through the reducer. Bad input is a 4xx naming the field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { JoinResponse, ProgramState, ReplayClip } from '../../protocol/index.ts';
import { makeIsoSegment } from './iso-segment.ts';
import { armIso, bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';

const SEGMENT_MS = 2000;
const SEGMENTS = 4;

let dir = '';
let segment: Buffer = Buffer.alloc(0);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-replay-api-'));
  segment = makeIsoSegment(dir, SEGMENT_MS / 1000);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stack(): Promise<{ app: FastifyInstance; director: string; camera: JoinResponse; other: JoinResponse }> {
  const app = await testApp({
    config: testConfig({ PITCHSIDE_DATA_DIR: mkdtempSync(join(dir, 'data-')) }),
  });
  const keys = await seedEvent(app);
  await armIso(app);
  const code = (await app.events.require('match')).joinCode;
  const join1 = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'North' } });
  const join2 = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'South' } });
  return {
    app,
    director: keys['director']!.key,
    camera: JSON.parse(join1.body) as JoinResponse,
    other: JSON.parse(join2.body) as JoinResponse,
  };
}

function upload(app: FastifyInstance, camera: JoinResponse, startMs: number, key = camera.key, body: Buffer = segment) {
  return app.inject({
    method: 'POST',
    url: `/api/events/match/cameras/${camera.camera.id}/iso?startMs=${startMs}&endMs=${startMs + SEGMENT_MS}`,
    headers: { ...bearer(key), 'content-type': 'video/webm;codecs=vp8' },
    payload: body,
  });
}

describe('ISO recordings and replay clips', () => {
  it('stores uploaded segments, lists ranges, marks, plays, nudges and deletes clips', async () => {
    const { app, director, camera, other } = await stack();
    const cameraId = camera.camera.id;
    const t0 = Date.now() - SEGMENTS * SEGMENT_MS;
    for (let i = 0; i < SEGMENTS; i++) expect((await upload(app, camera, t0 + i * SEGMENT_MS)).statusCode).toBe(200);

    // A camera key uploads only as its own camera; a body that is not WebM is refused, naming it.
    expect((await upload(app, camera, t0, other.key)).statusCode).toBe(403);
    const junk = await upload(app, camera, t0, camera.key, Buffer.from('not a webm file at all'));
    expect([junk.statusCode, JSON.parse(junk.body).error.field]).toEqual([400, '/body']);

    const iso = JSON.parse((await app.inject({ url: '/api/events/match/iso', headers: bearer(director) })).body);
    expect(iso.ranges).toEqual([
      {
        camera: cameraId,
        fromMs: t0,
        toMs: t0 + SEGMENTS * SEGMENT_MS,
        segments: SEGMENTS,
        bytes: SEGMENTS * segment.length,
      },
    ]);

    const post = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/events/match/replay/clips', headers: bearer(director), payload });
    const created = await post({ source: cameraId, fromMs: t0 + 2500, toMs: t0 + 7500 });
    expect(created.statusCode, created.body).toBe(200);
    const clip = JSON.parse(created.body).clip as ReplayClip;
    expect(clip).toMatchObject({
      source: cameraId,
      status: 'ready',
      fromMs: t0 + 2500,
      toMs: t0 + 7500,
      durationMs: 5000,
    });
    // The media starts at the segment holding the in point.
    expect(clip.mediaOffsetMs).toBe(500);
    // Marked = cued: every renderer starts loading its media now.
    const cueOf = async () => (await app.program.requireState('match')).replayCue;
    expect(await cueOf()).toMatchObject({ id: clip.id, mediaOffsetMs: 500, fromMs: t0 + 2500 });

    // Bad input names its field, and nothing is created.
    const errors = await Promise.all([
      post({ source: 'nobody', lastSeconds: 5 }),
      post({ source: 'camera-2', lastSeconds: 5 }), // a test source: no ISO
      post({ source: cameraId, fromMs: t0 - 60_000, toMs: t0 - 50_000 }),
      post({ source: cameraId, lastSeconds: 500 }),
      post({ source: cameraId, fromMs: t0 + 5000, toMs: t0 + 1000 }),
    ]);
    expect(errors.map((r) => [r.statusCode, JSON.parse(r.body).error.field])).toEqual([
      [404, '/source'],
      [422, '/lastSeconds'],
      [422, '/fromMs'],
      [400, '/lastSeconds'],
      [400, '/toMs'],
    ]);
    const list = JSON.parse(
      (await app.inject({ url: '/api/events/match/replay/clips', headers: bearer(director) })).body,
    ) as { clips: ReplayClip[] };
    expect(list.clips.map((c) => c.id)).toEqual([clip.id]);

    // A mark past the newest segment waits for the rest (pending): nothing may play, cue, show or export it
    // yet, by the replay routes or by a command through any door; it can be deleted.
    const waiting = JSON.parse((await post({ source: cameraId, fromMs: t0 + 6000, toMs: Date.now() + 1000 })).body)
      .clip as ReplayClip;
    expect(waiting).toMatchObject({ status: 'pending', mediaUrl: null, thumbnailUrl: null });
    const command = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/events/match/commands', headers: bearer(director), payload });
    const ref = { id: waiting.id, source: cameraId, fromMs: waiting.fromMs, toMs: waiting.toMs, mediaOffsetMs: 0 };
    const refused = await Promise.all([
      app.inject({
        method: 'POST',
        url: '/api/events/match/replay/play',
        headers: bearer(director),
        payload: { clip: waiting.id, speed: 1 },
      }),
      command({ type: 'replay.play', clip: { ...ref, media: `${waiting.id}-1.webm` }, speed: 1 }),
      command({ type: 'replay.cue', clip: { ...ref, media: `${waiting.id}-1.webm` } }),
      app.inject({ url: `/api/events/match/replay/clips/${waiting.id}/thumbnail.jpg`, headers: bearer(director) }),
      app.inject({
        method: 'POST',
        url: `/api/events/match/replay/clips/${waiting.id}/export`,
        headers: bearer(director),
      }),
    ]);
    expect(refused.map((r) => [r.statusCode, JSON.parse(r.body).error.code, JSON.parse(r.body).error.field])).toEqual([
      [409, 'CLIP_PENDING', '/clip'],
      [409, 'CLIP_PENDING', '/clip/id'],
      [409, 'CLIP_PENDING', '/clip/id'],
      [409, 'CLIP_PENDING', '/clipId'],
      [409, 'CLIP_PENDING', '/clipId'],
    ]);
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/replay/clips/${waiting.id}`,
      headers: bearer(director),
    });
    expect(deleted.statusCode).toBe(204);

    // The generic commands route plays and cues only a clip as stored: not another range or media under its
    // id, not an unknown clip.
    const stored = (await cueOf())!;
    const mismatched = await Promise.all([
      command({ type: 'replay.play', clip: { ...stored, toMs: stored.toMs + 5000 }, speed: 1 }),
      command({ type: 'replay.cue', clip: { ...stored, media: `${clip.id}-9.webm` } }),
      command({ type: 'replay.play', clip: { ...stored, id: 'nope' }, speed: 1 }),
    ]);
    expect(mismatched.map((r) => [r.statusCode, JSON.parse(r.body).error.code])).toEqual([
      [409, 'CLIP_MISMATCH'],
      [409, 'CLIP_MISMATCH'],
      [404, 'UNKNOWN_CLIP'],
    ]);
    expect((await command({ type: 'replay.cue', clip: stored })).statusCode).toBe(200);

    // Media with byte ranges (the template seeks in it) and a thumbnail.
    const media = await app.inject({ url: `${clip.mediaUrl}`, headers: { ...bearer(director), range: 'bytes=0-99' } });
    expect([media.statusCode, media.headers['content-range'], media.rawPayload.length]).toEqual([
      206,
      expect.stringMatching(/^bytes 0-99\/\d+$/),
      100,
    ]);
    const thumb = await app.inject({ url: clip.thumbnailUrl!, headers: bearer(director) });
    expect([thumb.statusCode, thumb.headers['content-type'], thumb.rawPayload.subarray(0, 2).toString('hex')]).toEqual([
      200,
      'image/jpeg',
      'ffd8',
    ]);

    // Play at half speed: program state changes through the reducer.
    const play = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/events/match/replay/play', headers: bearer(director), payload });
    const bad = await Promise.all([play({ clip: clip.id, speed: 2 }), play({ clip: 'nope', speed: 0.5 })]);
    expect(bad.map((r) => [r.statusCode, JSON.parse(r.body).error.field])).toEqual([
      [400, '/speed'],
      [404, '/clip'],
    ]);
    const played = await play({ clip: clip.id, speed: 0.5 });
    expect(played.statusCode, played.body).toBe(200);
    const state = JSON.parse(played.body).state as ProgramState;
    expect(state.program).toBe('replay');
    expect(state.replay).toMatchObject({ speed: 0.5, returnTo: 'camera-1', clip: { id: clip.id, mediaOffsetMs: 500 } });
    expect(state.replay!.endsAt - state.replay!.startedAt).toBe(10_000);
    const stopped = await app.inject({
      method: 'POST',
      url: '/api/events/match/replay/stop',
      headers: bearer(director),
    });
    expect((JSON.parse(stopped.body).state as ProgramState).program).toBe('camera-1');
    const again = await app.inject({ method: 'POST', url: '/api/events/match/replay/stop', headers: bearer(director) });
    expect([again.statusCode, JSON.parse(again.body).error.code]).toEqual([422, 'NO_REPLAY']);

    // Nudge the in point a second later: new media, same clip.
    const nudged = await app.inject({
      method: 'PATCH',
      url: `/api/events/match/replay/clips/${clip.id}`,
      headers: bearer(director),
      payload: { inDeltaMs: 1000 },
    });
    expect(nudged.statusCode, nudged.body).toBe(200);
    const after = JSON.parse(nudged.body).clip as ReplayClip;
    expect([after.fromMs, after.durationMs, after.mediaOffsetMs]).toEqual([t0 + 3500, 4000, 1500]);
    expect(after.mediaUrl).not.toBe(clip.mediaUrl);
    // The nudged version is cued (its new media), and deleting the cued clip clears the cue.
    expect(await cueOf()).toMatchObject({ id: clip.id, fromMs: t0 + 3500, mediaOffsetMs: 1500 });
    expect(after.mediaUrl!.endsWith(`/media/${(await cueOf())?.media}`)).toBe(true);

    const del = () =>
      app.inject({ method: 'DELETE', url: `/api/events/match/replay/clips/${clip.id}`, headers: bearer(director) });
    expect((await del()).statusCode).toBe(204);
    expect(await cueOf()).toBeNull();
    const gone = await del();
    expect([gone.statusCode, JSON.parse(gone.body).error.code]).toEqual([404, 'UNKNOWN_CLIP']);

    // Deleting the event removes its ISO index and clips from Redis.
    await app.events.delete('match');
    const left = await app.redis.exists(
      app.redisKeys.isoCameras('match'),
      app.redisKeys.isoSegments('match', cameraId),
      app.redisKeys.replayClips('match'),
    );
    expect(left).toBe(0);
  }, 60_000);

  it('returns to the live source by itself at the end of the replay, and logs both takes', async () => {
    const { app, director, camera } = await stack();
    const t0 = Date.now() - 2 * SEGMENT_MS;
    for (let i = 0; i < 2; i++) await upload(app, camera, t0 + i * SEGMENT_MS);
    const created = await app.inject({
      method: 'POST',
      url: '/api/events/match/replay/clips',
      headers: bearer(director),
      payload: { source: camera.camera.id, fromMs: t0, toMs: t0 + 1500 },
    });
    const clip = JSON.parse(created.body).clip as ReplayClip;
    await app.inject({
      method: 'POST',
      url: '/api/events/match/replay/play',
      headers: bearer(director),
      payload: { clip: clip.id, speed: 1 },
    });
    const started = Date.now();
    let state = await app.program.requireState('match');
    while (state.program === 'replay' && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      state = await app.program.requireState('match');
    }
    expect(state.program).toBe('camera-1');
    expect(state.replay).toBeNull();
    const log = JSON.parse(
      (await app.inject({ url: '/api/events/match/switch-log', headers: bearer(director) })).body,
    ) as { entries: Array<{ source: string; from: string | null; replay?: { clip: { id: string }; speed: number } }> };
    expect(log.entries.slice(-2).map((e) => [e.from, e.source])).toEqual([
      ['camera-1', 'replay'],
      ['replay', 'camera-1'],
    ]);
    // The replay take carries what it played, so a re-render from the ISOs can play it again.
    expect(log.entries.slice(-2).map((e) => e.replay && [e.replay.clip.id, e.replay.speed])).toEqual([
      [clip.id, 1],
      undefined,
    ]);
  }, 30_000);

  it('ends a clip where its media ends when a segment holds less picture than its server-time span', async () => {
    const { app, director, camera } = await stack();
    // A busy phone's recorder started late: 1.4 s of picture uploaded as a 2 s segment.
    const short = makeIsoSegment(dir, 1.4, 'short.webm');
    const t0 = Date.now() - 10_000;
    expect((await upload(app, camera, t0, camera.key, short)).statusCode).toBe(200);
    const created = await app.inject({
      method: 'POST',
      url: '/api/events/match/replay/clips',
      headers: bearer(director),
      payload: { source: camera.camera.id, fromMs: t0 + 200, toMs: t0 + SEGMENT_MS },
    });
    expect(created.statusCode, created.body).toBe(200);
    const clip = JSON.parse(created.body).clip as ReplayClip;
    // Marked to 2 s; the picture ends at 1.4 s: so does the clip (the replay's length, the export's).
    expect(clip.toMs - t0).toBeGreaterThan(1300);
    expect(clip.toMs - t0).toBeLessThan(1500);
    expect(clip.durationMs).toBe(clip.toMs - clip.fromMs);
  }, 30_000);
});
