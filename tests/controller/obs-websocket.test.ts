// The obs-websocket v5 endpoint driven by the real client Companion uses (obs-websocket-js 5.0.8), in both
// its MessagePack build (Companion's, under Node) and its JSON build.
import { OBSWebSocket as MsgpackClient, OBSWebSocketError } from 'obs-websocket-js';
import { OBSWebSocket as JsonClient } from 'obs-websocket-js/json';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ObsEventSubscription, ObsRequestStatus, REPLAY_TRANSITION } from '../../protocol/index.ts';
import { bearer, seedEvent, testApp } from './controller-helpers.ts';
import { storeClip } from '../replay/stored-clip.ts';

type Client = MsgpackClient | JsonClient;
const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()?.disconnect();
});

let events = 0;

async function obsApp(): Promise<{
  app: FastifyInstance;
  url: string;
  director: string;
  graphics: string;
  eventId: string;
}> {
  const app = await testApp({ obsWebSocketPort: 0 });
  // An event id of its own: output plans outlive the app, and both client builds run the same tests.
  const eventId = `obs-${process.pid}-${++events}`;
  const keys = await seedEvent(app, eventId);
  return {
    app,
    url: `ws://127.0.0.1:${app.obsWebSocketPort}`,
    director: keys.director!.key,
    graphics: keys.graphics!.key,
    eventId,
  };
}

async function connect(kind: 'msgpack' | 'json', url: string, password: string): Promise<Client> {
  const client = kind === 'msgpack' ? new MsgpackClient() : new JsonClient();
  clients.push(client);
  // Companion's subscription mask: every standard category plus the high-volume tally events.
  await client.connect(url, password, { rpcVersion: 1, eventSubscriptions: 987135 });
  return client;
}

function nextEvent<T>(client: Client, name: string, match: (data: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (data: T): void => {
      if (!match(data)) return;
      (client as unknown as { off: (n: string, l: (d: T) => void) => void }).off(name, listener);
      resolve(data);
    };
    (client as unknown as { on: (n: string, l: (d: T) => void) => void }).on(name, listener);
  });
}

describe.each(['msgpack', 'json'] as const)('obs-websocket v5 with obs-websocket-js (%s build)', (kind) => {
  it('identifies with the director key and answers what Companion asks first', async () => {
    const { url, director } = await obsApp();
    const obs = await connect(kind, url, director);
    const version = await obs.call('GetVersion');
    expect(version.rpcVersion).toBe(1);
    expect(version.supportedImageFormats).toEqual([]);
    expect(version.availableRequests).toContain('TriggerStudioModeTransition');
    expect((await obs.call('GetStudioModeEnabled')).studioModeEnabled).toBe(true);
    const list = await obs.call('GetSceneList');
    // OBS order: bottom scene first, sceneIndex 0 at the bottom; Pitchside's first source is the top.
    expect(list.scenes.map((s) => s.sceneUuid)).toEqual(['camera-4', 'camera-3', 'camera-2', 'camera-1']);
    expect(list.scenes.map((s) => s.sceneIndex)).toEqual([0, 1, 2, 3]);
    expect(list.scenes[3]).toMatchObject({ sceneName: 'Camera 1' });
  });

  it('refuses a wrong password with close code 4009', async () => {
    const { url } = await obsApp();
    const client = kind === 'msgpack' ? new MsgpackClient() : new JsonClient();
    const error = await client.connect(url, 'psdir_not-a-key').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OBSWebSocketError);
    expect((error as OBSWebSocketError).code).toBe(4009);
  });

  it('sets preview, Fade at 700 ms, and the studio-mode transition takes a 700 ms mix', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect(kind, url, director);
    await obs.call('SetCurrentPreviewScene', { sceneName: 'Camera 3' });
    await obs.call('SetCurrentSceneTransition', { transitionName: 'Fade' });
    await obs.call('SetCurrentSceneTransitionDuration', { transitionDuration: 700 });
    const programChanged = nextEvent<{ sceneName: string; sceneUuid: string }>(obs, 'CurrentProgramSceneChanged');
    await obs.call('TriggerStudioModeTransition');
    expect(await programChanged).toEqual({ sceneName: 'Camera 3', sceneUuid: 'camera-3' });

    const state = await app.inject({ url: `/api/events/${eventId}/state`, headers: bearer(director) });
    const take = state.json().state.take;
    expect(take).toMatchObject({ to: 'camera-3', transition: { type: 'mix', durationMs: 700 } });
    const switches = await app.switchLog.query(eventId);
    expect(switches.at(-1)).toMatchObject({ source: 'camera-3' });
  });

  it('reports a take made in the director panel (HTTP API) as CurrentProgramSceneChanged and tally events', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect(kind, url, director);
    const changed = nextEvent<{ sceneUuid: string }>(obs, 'CurrentProgramSceneChanged');
    const tally = nextEvent<{ inputUuid: string; videoActive: boolean }>(
      obs,
      'InputActiveStateChanged',
      (d) => d.inputUuid === 'camera-2',
    );
    const res = await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/program/take`,
      headers: bearer(director),
      payload: { source: 'camera-2' },
    });
    expect(res.statusCode).toBe(200);
    expect((await changed).sceneUuid).toBe('camera-2');
    expect(await tally).toMatchObject({ inputUuid: 'camera-2', videoActive: true });
  });

  it('during a replay the live camera is not active (nor the replayed one), and is again after the return', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect(kind, url, director);
    const active = (uuid: string, videoActive: boolean) =>
      nextEvent<{ inputUuid: string; videoActive: boolean }>(
        obs,
        'InputActiveStateChanged',
        (d) => d.inputUuid === uuid && d.videoActive === videoActive,
      );
    const dark = active('camera-1', false);
    const now = Date.now();
    const clip = {
      id: 'abcd1234',
      source: 'camera-3',
      fromMs: now - 1500,
      toMs: now,
      mediaOffsetMs: 0,
      media: 'abcd1234-1.webm',
    };
    await storeClip(app, eventId, clip);
    const played = await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/commands`,
      headers: bearer(director),
      payload: { type: 'replay.play', clip, speed: 1 },
    });
    expect(played.statusCode, played.body).toBe(200);
    const replay = played.json().state.replay as { startedAt: number; endsAt: number };
    await dark;
    // Dark once the wipe has taken camera-1 off air (not at the request, not before the roll).
    expect(Date.now()).toBeGreaterThanOrEqual(replay.startedAt + REPLAY_TRANSITION.durationMs);
    const during = await Promise.all(
      ['Camera 1', 'Camera 3'].map((sourceName) => obs.call('GetSourceActive', { sourceName })),
    );
    expect(during.map((d) => d.videoActive)).toEqual([false, false]);
    // The automatic return lights camera-1 again (by server time, whether or not replay.end was committed).
    await active('camera-1', true);
    expect(Date.now()).toBeGreaterThanOrEqual(replay.endsAt);
    expect((await obs.call('GetSourceActive', { sourceName: 'Camera 1' })).videoActive).toBe(true);
  });

  it('runs a RequestBatch of preview + transition serially, Sleep included', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect(kind, url, director);
    const results = await obs.callBatch([
      { requestType: 'SetCurrentPreviewScene', requestData: { sceneUuid: 'camera-4' } },
      { requestType: 'SetCurrentSceneTransition', requestData: { transitionName: 'Fade to Color' } },
      { requestType: 'Sleep', requestData: { sleepMillis: 50 } },
      { requestType: 'GetCurrentSceneTransition' },
    ]);
    expect(results.map((r) => r.requestStatus.code)).toEqual([100, 100, 100, 100]);
    expect(results[3]?.responseData).toMatchObject({ transitionName: 'Fade to Color' });
    const state = (await app.program.requireState(eventId)) as { preview: string; transition: { type: string } };
    expect(state.preview).toBe('camera-4');
    expect(state.transition.type).toBe('dip');
  });

  it('answers an unknown request with status 204 and keeps the socket open', async () => {
    const { url, director } = await obsApp();
    const obs = await connect(kind, url, director);
    const error = await obs.call('GetProfileList' as 'GetVersion').catch((e: unknown) => e);
    expect((error as OBSWebSocketError).code).toBe(ObsRequestStatus.UnknownRequestType);
    expect((await obs.call('GetStudioModeEnabled')).studioModeEnabled).toBe(true);
  });

  it('StartRecord makes GetRecordStatus active; a second StartRecord says the output runs', async () => {
    const { url, director } = await obsApp();
    const obs = await connect(kind, url, director);
    expect((await obs.call('GetRecordStatus')).outputActive).toBe(false);
    await obs.call('StartRecord');
    expect((await obs.call('GetRecordStatus')).outputActive).toBe(true);
    const again = await obs.call('StartRecord').catch((e: unknown) => e);
    expect((again as OBSWebSocketError).code).toBe(ObsRequestStatus.OutputRunning);
  });

  it('CreateRecordChapter marks a named chapter while recording, and refuses when not recording', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect(kind, url, director);
    const idle = await obs.call('CreateRecordChapter', { chapterName: 'Kick-off' }).catch((e: unknown) => e);
    expect((idle as OBSWebSocketError).code).toBe(ObsRequestStatus.OutputNotRunning);
    await obs.call('StartRecord');
    await obs.call('CreateRecordChapter', { chapterName: 'Kick-off' });
    await obs.call('CreateRecordChapter');
    const res = await app.inject({ url: `/api/events/${eventId}/chapters`, headers: bearer(director) });
    expect(res.json().chapters.map((c: { name: string }) => c.name)).toEqual(['Kick-off', 'Chapter 2']);
  });
});

describe('obs-websocket SaveReplayBuffer', () => {
  it('marks the last seconds of the program camera as a replay clip, and says why it cannot', async () => {
    const { url, director } = await obsApp();
    const obs = await connect('json', url, director);
    // camera-1 (a test source) is on program: it has no ISO recording, so no clip; the answer says so.
    const error = (await obs.call('SaveReplayBuffer').catch((e: unknown) => e)) as OBSWebSocketError;
    expect(error).toBeInstanceOf(OBSWebSocketError);
    expect(error.message).toMatch(/camera-1.*no ISO recording/);
  });
});

describe('obs-websocket mapping details', () => {
  it('clamps a Companion-length transition to what Pitchside supports, and says so', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect('msgpack', url, director);
    const [result] = await obs.callBatch([
      { requestType: 'SetCurrentSceneTransitionDuration', requestData: { transitionDuration: 60000 } },
    ]);
    expect(result?.requestStatus).toMatchObject({ result: true, code: 100 });
    expect((result?.requestStatus as { comment?: string }).comment).toMatch(/at most 5000 ms/);
    expect((await app.program.requireState(eventId)).transition.durationMs).toBe(5000);
    const out = await obs
      .call('SetCurrentSceneTransitionDuration', { transitionDuration: 60001 })
      .catch((e: unknown) => e);
    expect((out as OBSWebSocketError).code).toBe(ObsRequestStatus.RequestFieldOutOfRange);
  });

  it('a graphics key connects but may not take; the state is unchanged', async () => {
    const { app, url, graphics, eventId } = await obsApp();
    const obs = await connect('json', url, graphics);
    const before = await app.program.requireState(eventId);
    const error = await obs.call('SetCurrentProgramScene', { sceneName: 'Camera 2' }).catch((e: unknown) => e);
    expect((error as OBSWebSocketError).code).toBe(ObsRequestStatus.CannotAct);
    expect((await app.program.requireState(eventId)).revision).toBe(before.revision);
  });

  it('honours the subscription mask: without tally bits no InputActiveStateChanged arrives', async () => {
    const { app, url, director, eventId } = await obsApp();
    const quiet = new MsgpackClient();
    clients.push(quiet);
    await quiet.connect(url, director, { rpcVersion: 1, eventSubscriptions: ObsEventSubscription.Scenes });
    const seen: string[] = [];
    quiet.on('InputActiveStateChanged', () => seen.push('tally'));
    const scene = nextEvent<{ sceneUuid: string }>(quiet, 'CurrentProgramSceneChanged');
    await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/program/take`,
      headers: bearer(director),
      payload: { source: 'camera-2' },
    });
    await scene;
    // The program-scene event and the tally events come from the same state frame, in one pass.
    expect(seen).toEqual([]);
  });

  it('closes the session when its key is rotated', async () => {
    const { app, url, director, eventId } = await obsApp();
    const obs = await connect('json', url, director);
    const closed = new Promise<number>((resolve) => obs.on('ConnectionClosed', (e) => resolve(e.code)));
    // No request needed: the revocation reaches every open session by itself.
    await app.apiKeys.rotate(eventId, 'director');
    expect(await closed).toBe(4011);
  });
});
