// ISO recordings with LiveKit: one participant egress per camera to segmented files. The request goes to the
// Twirp stub, and it must name the room and the identity the controller granted the camera's token for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import type { ParticipantEgressRequest } from '@livekit/protocol';
import { ISO_SEGMENT_MS, type JoinResponse } from '../../protocol/index.ts';
import { ISO_PLAYLIST, IsoEgress } from '../../worker/iso-egress.ts';
import { seedEvent, testApp } from '../controller/controller-helpers.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';

let stub: LiveKitTwirpStub;
beforeAll(async () => {
  stub = new LiveKitTwirpStub();
  await stub.start();
});
afterAll(() => stub.close());

describe('ISO egress (LiveKit)', () => {
  it('records a joined camera on its own, in the room and as the identity its token grants', async () => {
    const app = await testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });
    await seedEvent(app);
    const code = (await app.events.require('match')).joinCode;
    const joined = (
      await app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'Goal' } })
    ).json<JoinResponse>();
    const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(joined.livekit?.token ?? '');

    const iso = new IsoEgress({ url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret, isoRoot: '/data/iso/' });
    const info = await iso.start('match', joined.camera.id, claims.sub ?? '');
    expect(info.egressId).toMatch(/^EG_/);

    const [call] = stub.callsOf<ParticipantEgressRequest>('livekit.Egress/StartParticipantEgress');
    expect(call?.roomName).toBe(claims.video?.room);
    expect(call?.identity).toBe(claims.sub);
    expect(call?.identity).toBe(joined.camera.id);
    const segments = call?.segmentOutputs[0];
    expect(segments).toMatchObject({
      filenamePrefix: `/data/iso/match/${joined.camera.id}/iso`,
      playlistName: `/data/iso/match/${joined.camera.id}/${ISO_PLAYLIST}`,
      segmentDuration: ISO_SEGMENT_MS / 1000,
    });
    await iso.stop(info.egressId);
    expect(stub.callsOf('livekit.Egress/StopEgress')).toHaveLength(1);
  });
});
