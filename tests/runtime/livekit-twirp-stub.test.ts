import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataPacket_Kind,
  EgressClient,
  EncodingOptionsPreset,
  RoomServiceClient,
  StreamOutput,
  StreamProtocol,
} from 'livekit-server-sdk';
import type { RoomCompositeEgressRequest, SendDataRequest } from '@livekit/protocol';
import { LiveKitTwirpStub, TEST_LIVEKIT_KEY } from '../helpers/livekit-twirp.ts';

describe('LiveKit Twirp stub (the test endpoint every LiveKit call is checked against)', () => {
  let stub: LiveKitTwirpStub;
  beforeEach(async () => {
    stub = new LiveKitTwirpStub();
    await stub.start();
  });
  afterEach(async () => stub.close());

  it('accepts a correctly signed SDK call and decodes its body', async () => {
    const egress = new EgressClient(stub.url, stub.apiKey, stub.apiSecret);
    const info = await egress.startRoomCompositeEgress(
      'room-1',
      { stream: new StreamOutput({ protocol: StreamProtocol.RTMP, urls: ['rtmp://127.0.0.1/live/k'] }) },
      {
        layout: 'single',
        encodingOptions: EncodingOptionsPreset.H264_1080P_30,
        customBaseUrl: 'http://c/template/?event=e',
      },
    );
    expect(info.egressId).toMatch(/^EG_/);
    const [req] = stub.callsOf<RoomCompositeEgressRequest>('livekit.Egress/StartRoomCompositeEgress');
    expect(req?.roomName).toBe('room-1');
    expect(req?.customBaseUrl).toBe('http://c/template/?event=e');
    expect(req?.streamOutputs[0]?.urls).toEqual(['rtmp://127.0.0.1/live/k']);
  });

  it('rejects a token signed with another secret, and records nothing', async () => {
    const rooms = new RoomServiceClient(stub.url, TEST_LIVEKIT_KEY, 'wrong-secret-wrong-secret-wrong-secret-00');
    await expect(
      rooms.sendData('room-1', new Uint8Array([1]), DataPacket_Kind.RELIABLE, { topic: 't' }),
    ).rejects.toThrow(/invalid token/);
    expect(stub.calls).toHaveLength(0);
  });

  it('records SendData with its topic', async () => {
    const rooms = new RoomServiceClient(stub.url, stub.apiKey, stub.apiSecret);
    await rooms.sendData('room-1', new TextEncoder().encode('{}'), DataPacket_Kind.RELIABLE, {
      topic: 'pitchside.program',
    });
    expect(stub.callsOf<SendDataRequest>('livekit.RoomService/SendData')[0]?.topic).toBe('pitchside.program');
  });
});
