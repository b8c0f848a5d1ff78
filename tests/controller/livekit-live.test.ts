// Against a real LiveKit server. No LiveKit server runs on the development machines (every LiveKit call is
// tested against the Twirp stub in cameras-livekit.test.ts), so this suite runs only when LIVEKIT_URL,
// LIVEKIT_API_KEY and LIVEKIT_API_SECRET point at one.
import { describe, expect, it } from 'vitest';
import { IngressClient, RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import type { Camera, IngressCameraAccess } from '../../protocol/index.ts';
import { bearer, seedEvent, testApp } from './controller-helpers.ts';

const url = process.env.LIVEKIT_URL ?? '';
const apiKey = process.env.LIVEKIT_API_KEY ?? '';
const apiSecret = process.env.LIVEKIT_API_SECRET ?? '';

describe.runIf(url !== '' && apiKey !== '' && apiSecret !== '')('controller against a live LiveKit server', () => {
  it('sends program state to a real room and signs tokens the server accepts', async () => {
    const app = await testApp({ livekit: { url, apiKey, apiSecret } });
    const eventId = `live-${Date.now().toString(36)}`;
    const keys = await seedEvent(app, eventId);
    const rooms = new RoomServiceClient(url, apiKey, apiSecret);
    await rooms.createRoom({ name: `pitchside-${eventId}`, emptyTimeout: 60 });
    try {
      const take = await app.inject({
        method: 'POST',
        url: `/api/events/${eventId}/program/take`,
        headers: bearer(keys.director!.key),
        payload: { source: 'camera-2' },
      });
      expect(take.statusCode).toBe(200);
      const token = await app.inject({
        method: 'GET',
        url: `/api/events/${eventId}/livekit-token`,
        headers: bearer(keys.director!.key),
      });
      expect((await new TokenVerifier(apiKey, apiSecret).verify(token.json().token)).video?.room).toBe(
        `pitchside-${eventId}`,
      );
      // The server accepted the room; a failed sendData would have been logged, so ask the room directly.
      expect((await rooms.listRooms([`pitchside-${eventId}`])).length).toBe(1);
    } finally {
      await rooms.deleteRoom(`pitchside-${eventId}`).catch(() => {});
    }
  });

  // Needs LiveKit Ingress next to that server (livekit.yaml `ingress:` URLs, an ingress service on its Redis).
  it('creates an RTMP/WHIP camera ingress the server lists with the same key, and deletes it with the camera', async () => {
    const app = await testApp({ livekit: { url, apiKey, apiSecret } });
    const eventId = `live-${Date.now().toString(36)}`;
    const keys = await seedEvent(app, eventId);
    const ingress = new IngressClient(url, apiKey, apiSecret);
    for (const input of ['whip', 'rtmp'] as const) {
      const created = await app.inject({
        method: 'POST',
        url: `/api/events/${eventId}/ingress-cameras`,
        headers: bearer(keys.director!.key),
        payload: { label: `Live ${input}`, input },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { camera, access } = created.json<{ camera: Camera; access: IngressCameraAccess }>();
      try {
        const [info] = await ingress.listIngress({ ingressId: camera.ingress!.ingressId });
        expect(info?.streamKey).toBe(access.streamKey);
        expect(info?.roomName).toBe(`pitchside-${eventId}`);
        expect(info?.participantIdentity).toBe(camera.id);
        expect(access.publishUrl).toBe(`${info?.url.replace(/\/+$/, '')}/${info?.streamKey}`);
      } finally {
        const removed = await app.inject({
          method: 'DELETE',
          url: `/api/events/${eventId}/cameras/${camera.id}`,
          headers: bearer(keys.director!.key),
        });
        expect(removed.statusCode, removed.body).toBe(204);
      }
      expect(await ingress.listIngress({ ingressId: camera.ingress!.ingressId })).toEqual([]);
    }
  });
});
