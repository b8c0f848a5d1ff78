// The viewer page's data: public channel ids (admin edits them, every role of the event reads them, bad
// ids are refused naming the field) and the event status derived from the program output's status the
// worker keeps in Redis, read by GET and pushed on the WebSocket as it changes.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutputReport, OutputStatusMessage } from '../../protocol/index.ts';
import { publishJobStatus } from '../../outputs/job-status.ts';
import { admin, bearer, connectWs, listen, seedEvent, testApp } from './controller-helpers.ts';

const STREAM_KEY = 'live-secret-key-0123456789';
const YOUTUBE_VIDEO = 'dQw4w9WgXcQ';
/** A fresh event id per test (each test app also has a fresh key prefix). */
const freshEventId = () => `watch-${randomUUID().slice(0, 8)}`;

function outputStatus(
  eventId: string,
  state: OutputStatusMessage['state'],
  stream: OutputReport['state'] | null,
): OutputStatusMessage {
  const outputs: OutputReport[] = [
    { id: 'recording', kind: 'recording', label: 'Recording', target: 'rec.mp4', state: 'live' },
  ];
  if (stream !== null)
    outputs.push({
      id: 'youtube',
      kind: 'rtmp',
      label: 'YouTube',
      target: 'rtmp://a.rtmp.youtube.com/live2/****',
      state: stream,
    });
  return {
    type: 'job.output',
    eventId,
    jobId: `program-output-${eventId}`,
    backend: 'builtin',
    state,
    outputs,
    recordingStartedAt: null,
    message: '',
    at: Date.now(),
  };
}

describe('viewer page data', () => {
  it('admin sets public channels; the viewer reads them with the status and never a stream key', async () => {
    const app = await testApp();
    const id = freshEventId();
    const keys = await seedEvent(app, id);
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: admin(),
      payload: {
        channels: { youtube: YOUTUBE_VIDEO, twitch: 'pitchside_tv' },
        destinations: [{ kind: 'youtube', streamKey: STREAM_KEY }],
      },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json().channels).toEqual({ youtube: YOUTUBE_VIDEO, twitch: 'pitchside_tv' });

    const watch = await app.inject({ url: `/api/events/${id}/watch`, headers: bearer(keys['viewer']!.key) });
    expect(watch.statusCode, watch.body).toBe(200);
    expect(watch.json()).toEqual({
      eventId: id,
      name: 'Test match',
      channels: { youtube: YOUTUBE_VIDEO, twitch: 'pitchside_tv' },
      status: 'upcoming',
    });
    expect(watch.body).not.toContain(STREAM_KEY.slice(-4));
    expect(watch.body).not.toMatch(/streamKey|destinations|joinCode/);

    // The event itself (join code → a camera key, destinations) is for operators only.
    for (const role of ['viewer', 'camera', 'template']) {
      const event = await app.inject({ url: `/api/events/${id}`, headers: bearer(keys[role]!.key) });
      expect(event.statusCode, role).toBe(403);
      expect(event.body).not.toMatch(/joinCode|destinations/);
    }
    expect(
      (await app.inject({ url: `/api/events/${id}`, headers: bearer(keys['director']!.key) })).json().joinCode,
    ).toMatch(/\w+/);

    // Only admin edits the event.
    const byViewer = await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: bearer(keys['viewer']!.key),
      payload: { channels: {} },
    });
    expect(byViewer.statusCode).toBe(403);
  });

  it('refuses bad channel ids naming the field, and changes nothing', async () => {
    const app = await testApp();
    const id = freshEventId();
    await seedEvent(app, id);
    await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: admin(),
      payload: { channels: { twitch: 'good_name' } },
    });
    const cases: [object, string][] = [
      [{ youtube: 'rtmp://a.rtmp.youtube.com/live2/key' }, '/channels/youtube'],
      [{ twitch: 'no spaces here' }, '/channels/twitch'],
      [{ facebook: 'x' }, '/channels'],
    ];
    for (const [channels, field] of cases) {
      const response = await app.inject({
        method: 'PATCH',
        url: `/api/events/${id}`,
        headers: admin(),
        payload: { channels },
      });
      expect(response.statusCode, JSON.stringify(channels)).toBe(400);
      expect(response.json().error.field).toContain(field);
    }
    const created = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: admin(),
      payload: {
        name: 'Bad',
        sport: 'football',
        home: { name: 'A' },
        away: { name: 'B' },
        channels: { youtube: 'short' },
      },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.field).toBe('/channels/youtube');
    const event = await app.inject({ url: `/api/events/${id}`, headers: admin() });
    expect(event.json().channels).toEqual({ twitch: 'good_name' });
  });

  it('derives upcoming → live → ended from the output status, by GET and pushed on the WebSocket', async () => {
    const app = await testApp();
    const id = freshEventId();
    const keys = await seedEvent(app, id);
    const host = await listen(app);
    const viewer = keys['viewer']!.key;
    const status = async () =>
      (await app.inject({ url: `/api/events/${id}/watch`, headers: bearer(viewer) })).json().status;
    const ws = await connectWs(host, id, viewer);
    const watchFrames = () =>
      ws.frames.filter((f) => f.type === 'watch').map((f) => (f['watch'] as { status: string }).status);
    await ws.waitFor((f) => f.type === 'watch');
    expect(watchFrames()).toEqual(['upcoming']);

    // Recording alone is not public; a stream destination still starting is not live yet.
    await publishJobStatus(app.redis, app.redisKeys, outputStatus(id, 'running', null));
    await publishJobStatus(app.redis, app.redisKeys, outputStatus(id, 'running', 'starting'));
    expect(await status()).toBe('upcoming');
    await publishJobStatus(app.redis, app.redisKeys, outputStatus(id, 'running', 'live'));
    await ws.waitFor((f) => f.type === 'watch' && (f['watch'] as { status: string }).status === 'live');
    expect(await status()).toBe('live');
    await publishJobStatus(app.redis, app.redisKeys, outputStatus(id, 'running', 'retrying'));
    await publishJobStatus(app.redis, app.redisKeys, outputStatus(id, 'completed', 'stopped'));
    await ws.waitFor((f) => f.type === 'watch' && (f['watch'] as { status: string }).status === 'ended');
    expect(await status()).toBe('ended');
    // One frame per change, none for statuses that change nothing.
    expect(watchFrames()).toEqual(['upcoming', 'live', 'ended']);

    // A viewer who opens the page after the end reads it at once.
    const late = await connectWs(host, id, viewer);
    const frame = await late.waitFor((f) => f.type === 'watch');
    expect((frame['watch'] as { status: string }).status).toBe('ended');
    await late.close();

    // A channel edit reaches open pages too.
    await app.inject({
      method: 'PATCH',
      url: `/api/events/${id}`,
      headers: admin(),
      payload: { channels: { twitch: 'new_channel' } },
    });
    const edited = await ws.waitFor(
      (f) => f.type === 'watch' && (f['watch'] as { channels: { twitch?: string } }).channels.twitch === 'new_channel',
    );
    expect(edited['watch']).toMatchObject({ status: 'ended' });
    await ws.close();
  });
});
