// Against a real LiveKit server. No LiveKit server runs on the development machines (every LiveKit call is
// tested against the Twirp stub in cameras-livekit.test.ts), so this suite runs only when LIVEKIT_URL,
// LIVEKIT_API_KEY and LIVEKIT_API_SECRET point at one.
import { describe, expect, it } from 'vitest';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
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
});
