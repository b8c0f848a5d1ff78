// The mixer through obs-websocket, with obs-websocket-js's MessagePack build as Companion runs it: volume,
// mute and sync offset change the program state, events follow changes from any door, and InputVolumeMeters
// carries the output renderer's meters at about 20 Hz only to clients that subscribe to it.
import { OBSWebSocket, OBSWebSocketError } from 'obs-websocket-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ObsEventSubscription, ObsRequestStatus, type AudioSourceSettings } from '../../protocol/index.ts';
import { meterReading, report } from './audio-helpers.ts';
import { bearer, connectWs, listen, seedEvent, testApp } from './controller-helpers.ts';

const clients: OBSWebSocket[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()?.disconnect();
});

/** Companion's subscription mask: every standard category plus the high-volume ones (meters, tally). */
const COMPANION_SUBSCRIPTIONS = 987135;

let events = 0;

async function mixerApp() {
  const app = await testApp({ obsWebSocketPort: 0 });
  const eventId = `obs-audio-${process.pid}-${++events}`;
  const keys = await seedEvent(app, eventId);
  const connect = async (eventSubscriptions = COMPANION_SUBSCRIPTIONS): Promise<OBSWebSocket> => {
    const obs = new OBSWebSocket();
    clients.push(obs);
    await obs.connect(`ws://127.0.0.1:${app.obsWebSocketPort}`, keys.director!.key, {
      rpcVersion: 1,
      eventSubscriptions,
    });
    return obs;
  };
  const mixer = async (source: string): Promise<AudioSourceSettings | undefined> =>
    (await app.program.requireState(eventId)).audio?.sources[source];
  return { app, eventId, keys, connect, mixer };
}

function failure(promise: Promise<unknown>): Promise<OBSWebSocketError> {
  return promise.then(
    () => Promise.reject(new Error('the request succeeded')),
    (error: unknown) => error as OBSWebSocketError,
  );
}

function nextEvent<T>(obs: OBSWebSocket, name: string, match: (data: T) => boolean = () => true): Promise<T> {
  const emitter = obs as unknown as { on: (n: string, l: (d: T) => void) => void; off: typeof emitter.on };
  return new Promise((resolve) => {
    const listener = (data: T): void => {
      if (!match(data)) return;
      emitter.off(name, listener);
      resolve(data);
    };
    emitter.on(name, listener);
  });
}

type Meters = { inputs: Array<{ inputUuid: string; inputLevelsMul: number[][] }> };

describe('obs-websocket mixer requests (MessagePack build)', () => {
  it('SetInputVolume moves the fader by dB or multiplier; GetInputVolume and InputVolumeChanged say where', async () => {
    const { connect, mixer } = await mixerApp();
    const obs = await connect();
    const changed = nextEvent<{ inputUuid: string; inputVolumeDb: number }>(obs, 'InputVolumeChanged');
    await obs.call('SetInputVolume', { inputName: 'Camera 2', inputVolumeDb: -6 });
    expect(await changed).toMatchObject({ inputName: 'Camera 2', inputUuid: 'camera-2', inputVolumeDb: -6 });
    expect((await mixer('camera-2'))?.gainDb).toBe(-6);
    const volume = await obs.call('GetInputVolume', { inputUuid: 'camera-2' });
    expect(volume.inputVolumeDb).toBe(-6);
    expect(volume.inputVolumeMul).toBeCloseTo(0.501, 3);

    // Below the fader's floor is silence: OBS's silence is mul 0, −100 dB.
    await obs.call('SetInputVolume', { inputName: 'Camera 2', inputVolumeMul: 0 });
    expect((await mixer('camera-2'))?.gainDb).toBe(-60);
    expect(await obs.call('GetInputVolume', { inputName: 'Camera 2' })).toEqual({
      inputVolumeMul: 0,
      inputVolumeDb: -100,
    });
    await obs.call('SetInputVolume', { inputName: 'Camera 2', inputVolumeMul: 2 });
    expect((await mixer('camera-2'))?.gainDb).toBeCloseTo(6.02, 2);

    // Above the fader's top it stops there (and says so); outside OBS's own range it is refused.
    const [clamped] = await obs.callBatch([
      { requestType: 'SetInputVolume', requestData: { inputName: 'Camera 2', inputVolumeDb: 20 } },
    ]);
    expect(clamped?.requestStatus).toMatchObject({ result: true, code: ObsRequestStatus.Success });
    expect((clamped?.requestStatus as { comment?: string }).comment).toMatch(/up to 10 dB/);
    expect((await mixer('camera-2'))?.gainDb).toBe(10);
    const outOfRange = await failure(obs.call('SetInputVolume', { inputName: 'Camera 2', inputVolumeDb: 30 }));
    expect(outOfRange.code).toBe(ObsRequestStatus.RequestFieldOutOfRange);
    const both = await failure(
      obs.call('SetInputVolume', { inputName: 'Camera 2', inputVolumeDb: 0, inputVolumeMul: 1 }),
    );
    expect(both.code).toBe(ObsRequestStatus.TooManyRequestFields);
    const missing = await failure(obs.call('SetInputVolume', { inputName: 'Camera 2' }));
    expect(missing.code).toBe(ObsRequestStatus.MissingRequestField);
    const unknown = await failure(obs.call('GetInputVolume', { inputName: 'Camera 9' }));
    expect(unknown.code).toBe(ObsRequestStatus.ResourceNotFound);
    expect((await mixer('camera-2'))?.gainDb).toBe(10);
  });

  it('SetInputMute and ToggleInputMute mute the source; a mute from the director panel reaches the surface', async () => {
    const { app, eventId, keys, connect, mixer } = await mixerApp();
    const obs = await connect();
    expect(await obs.call('GetInputMute', { inputName: 'Camera 1' })).toEqual({ inputMuted: false });
    const muted = nextEvent<{ inputUuid: string; inputMuted: boolean }>(obs, 'InputMuteStateChanged');
    await obs.call('SetInputMute', { inputName: 'Camera 1', inputMuted: true });
    expect(await muted).toEqual({ inputName: 'Camera 1', inputUuid: 'camera-1', inputMuted: true });
    expect((await mixer('camera-1'))?.muted).toBe(true);

    expect(await obs.call('ToggleInputMute', { inputName: 'Camera 1' })).toEqual({ inputMuted: false });
    expect((await mixer('camera-1'))?.muted).toBe(false);
    expect(await obs.call('ToggleInputMute', { inputUuid: 'camera-1' })).toEqual({ inputMuted: true });
    expect((await mixer('camera-1'))?.muted).toBe(true);

    const fromPanel = nextEvent<{ inputUuid: string; inputMuted: boolean }>(
      obs,
      'InputMuteStateChanged',
      (d) => d.inputUuid === 'camera-3',
    );
    const res = await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/audio/source`,
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-3', muted: true },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await fromPanel).toMatchObject({ inputMuted: true });
    const noField = await failure(obs.call('SetInputMute', { inputName: 'Camera 1' } as never));
    expect(noField.code).toBe(ObsRequestStatus.MissingRequestField);
  });

  it('the audio sync offset is the source delay; negative offsets are refused', async () => {
    const { connect, mixer } = await mixerApp();
    const obs = await connect();
    const changed = nextEvent<{ inputAudioSyncOffset: number }>(obs, 'InputAudioSyncOffsetChanged');
    await obs.call('SetInputAudioSyncOffset', { inputName: 'Camera 4', inputAudioSyncOffset: 200 });
    expect(await changed).toEqual({ inputName: 'Camera 4', inputUuid: 'camera-4', inputAudioSyncOffset: 200 });
    expect((await mixer('camera-4'))?.delayMs).toBe(200);
    expect(await obs.call('GetInputAudioSyncOffset', { inputName: 'Camera 4' })).toEqual({ inputAudioSyncOffset: 200 });
    for (const offset of [-40, 1500]) {
      const refused = await failure(
        obs.call('SetInputAudioSyncOffset', { inputName: 'Camera 4', inputAudioSyncOffset: offset }),
      );
      expect(refused.code, String(offset)).toBe(ObsRequestStatus.RequestFieldOutOfRange);
    }
    expect((await mixer('camera-4'))?.delayMs).toBe(200);
  });
});

describe('obs-websocket InputVolumeMeters', () => {
  it('arrives at about 20 Hz with the renderer’s levels while subscribed, never without the subscription', async () => {
    const { app, eventId, keys, connect } = await mixerApp();
    const subscribed = await connect();
    const unsubscribed = await connect(ObsEventSubscription.All | ObsEventSubscription.InputActiveStateChanged);
    const unwanted: unknown[] = [];
    unsubscribed.on('InputVolumeMeters', (data) => unwanted.push(data));

    // No renderer reports yet: every input reads silence.
    const silent = await nextEvent<Meters>(subscribed, 'InputVolumeMeters');
    expect(silent.inputs.map((i) => i.inputUuid)).toEqual(['camera-1', 'camera-2', 'camera-3', 'camera-4']);
    expect(silent.inputs.flatMap((i) => i.inputLevelsMul.flat()).every((v) => v === 0)).toBe(true);

    // The output page reports ten times a second: camera-1 peaks at −20 dBFS (RMS −26), camera-2 is silent.
    await app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/audio/source`,
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-1', gainDb: -6 },
    });
    const renderer = await connectWs(await listen(app), eventId, keys.template!.key);
    const reporting = setInterval(() => report(renderer, eventId, 'recorder', meterReading(Date.now())), 100);
    try {
      const arrivals: number[] = [];
      const levels = await new Promise<Meters>((resolve) => {
        subscribed.on('InputVolumeMeters', (data) => {
          const meters = data as Meters;
          const camera1 = meters.inputs.find((i) => i.inputUuid === 'camera-1');
          if (camera1?.inputLevelsMul[0]?.[2] === 0) return; // the reading has not reached this process yet
          arrivals.push(performance.now());
          if (arrivals.length === 21) resolve(meters);
        });
      });
      const hz = (arrivals.length - 1) / ((arrivals.at(-1)! - arrivals[0]!) / 1000);
      expect(hz).toBeGreaterThanOrEqual(15);
      expect(hz).toBeLessThanOrEqual(25);

      const [camera1, camera2] = levels.inputs;
      // [magnitude, peak, inputPeak] per channel, linear: peak and magnitude after the −6 dB fader.
      expect(camera1!.inputLevelsMul).toHaveLength(2);
      const [magnitude, peak, inputPeak] = camera1!.inputLevelsMul[0]!;
      expect(inputPeak).toBeCloseTo(0.1, 4);
      expect(peak).toBeCloseTo(0.1 * 10 ** (-6 / 20), 4);
      expect(magnitude).toBeCloseTo(10 ** (-26 / 20) * 10 ** (-6 / 20), 4);
      expect(camera2!.inputLevelsMul.flat().every((v) => v === 0)).toBe(true);
      expect(unwanted).toEqual([]);

      // Subscribing later (Reidentify) starts them.
      await unsubscribed.reidentify({ eventSubscriptions: COMPANION_SUBSCRIPTIONS });
      await nextEvent(unsubscribed, 'InputVolumeMeters');
    } finally {
      clearInterval(reporting);
      await renderer.close();
    }
  });
});
