// Commentary seats through the HTTP API (docs/crew.md): made by the director, listed, joined by code, removed;
// each a sound-only program source that the mixer keeps on and ducking; with LiveKit, a token that publishes
// the seat's microphone only, checked by decoding it against the Twirp stub's secret.
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_COMMENTARY_SEATS, audioSourceSettings, type ProgramState, type SeatView } from '../../protocol/index.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { TEST_ADMIN_KEY, admin, bearer, seedEvent, testApp } from './controller-helpers.ts';

type App = Awaited<ReturnType<typeof testApp>>;

async function addSeat(app: App, key: string, label: unknown, eventId = 'match') {
  return app.inject({
    method: 'POST',
    url: `/api/events/${eventId}/commentary`,
    headers: bearer(key),
    payload: { label },
  });
}

async function state(app: App): Promise<ProgramState> {
  return (await app.inject({ url: '/api/events/match/state', headers: admin() })).json<{ state: ProgramState }>().state;
}

describe('commentary seats', () => {
  it('a director adds a seat: its link carries its own key, it lists, it is a sound-only source the mixer keeps on and ducking', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const added = await addSeat(app, keys.director!.key, 'Lead commentator');
    expect(added.statusCode, added.body).toBe(201);
    const { seat } = added.json<{ seat: Required<SeatView> }>();
    expect(seat).toMatchObject({ label: 'Lead commentator' });
    expect(seat.id).toMatch(/^seat-[a-z0-9]{6}$/);
    const url = new URL(seat.url);
    expect(url.pathname).toBe('/commentary');
    expect(url.searchParams.get('event')).toBe('match');
    expect(url.search).toBe('?event=match');
    const seatKey = new URLSearchParams(url.hash.slice(1)).get('key')!;
    expect((await app.inject({ url: '/api/me', headers: bearer(seatKey) })).json()).toMatchObject({
      role: 'commentary',
      eventId: 'match',
      seatId: seat.id,
    });

    const listed = (
      await app.inject({ url: '/api/events/match/commentary', headers: bearer(keys.director!.key) })
    ).json<{
      seats: SeatView[];
    }>().seats;
    expect(listed).toEqual([seat]);
    // The seat's own page reads its seat (no link: it is already holding its key).
    const own = await app.inject({ url: `/api/events/match/commentary/${seat.id}`, headers: bearer(seatKey) });
    expect(own.json()).toEqual({ seat: { id: seat.id, label: seat.label, created: seat.created } });

    const program = await state(app);
    const source = program.sources.find((s) => s.id === seat.id)!;
    expect(source).toEqual({ id: seat.id, label: 'Lead commentator', kind: 'commentary', participant: seat.id });
    expect(audioSourceSettings(program.audio, source)).toMatchObject({ mode: 'on', duckOthers: true, muted: false });
    // Sound only: never on program, preview or PiP.
    for (const [url, payload] of [
      ['/api/events/match/program/take', { source: seat.id }],
      ['/api/events/match/program/preview', { source: seat.id }],
      ['/api/events/match/commands', { type: 'pip.set', source: seat.id }],
    ] as const) {
      const refused = await app.inject({ method: 'POST', url, headers: admin(), payload });
      expect(refused.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(refused.statusCode, url).toBeLessThan(500);
      expect(refused.json().error, url).toMatchObject({ code: 'SOUND_ONLY', field: '/source' });
    }
    // The mixer strip is the director's to change like any other.
    const strip = await app.inject({
      method: 'POST',
      url: '/api/events/match/commands',
      headers: admin(),
      payload: { type: 'audio.source', source: seat.id, gainDb: -6 },
    });
    expect(strip.statusCode, strip.body).toBe(200);
  });

  it('refuses bad input naming the field and changes nothing; a full event, an unknown event or seat are 4xx', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const before = await state(app);
    for (const label of ['', '   ', 'a\u202eb', 'x'.repeat(65), 42]) {
      const res = await addSeat(app, keys.director!.key, label);
      expect(res.statusCode, JSON.stringify(label)).toBe(400);
      expect(res.json().error.field, JSON.stringify(label)).toBe('/label');
    }
    const extra = await app.inject({
      method: 'POST',
      url: '/api/events/match/commentary',
      headers: admin(),
      payload: { label: 'Booth', key: 'mine' },
    });
    expect(extra.statusCode).toBe(400);
    expect((await state(app)).revision).toBe(before.revision);
    expect((await app.inject({ url: '/api/events/match/commentary', headers: admin() })).json().seats).toEqual([]);

    expect((await addSeat(app, TEST_ADMIN_KEY, 'Booth', 'nope')).statusCode).toBe(404);
    const unknown = await app.inject({
      method: 'DELETE',
      url: '/api/events/match/commentary/seat-zzzzzz',
      headers: admin(),
    });
    expect(unknown.statusCode).toBe(404);
    const badId = await app.inject({
      method: 'DELETE',
      url: '/api/events/match/commentary/cam-abcdef',
      headers: admin(),
    });
    expect(badId.statusCode).toBe(400);

    for (let n = 0; n < MAX_COMMENTARY_SEATS; n++)
      expect((await addSeat(app, TEST_ADMIN_KEY, `Seat ${n}`)).statusCode).toBe(201);
    const full = await addSeat(app, TEST_ADMIN_KEY, 'One too many');
    expect(full.statusCode).toBe(409);
    expect(full.json().error.code).toBe('TOO_MANY_SEATS');
    const sources = (await state(app)).sources.filter((s) => s.kind === 'commentary');
    expect(sources).toHaveLength(MAX_COMMENTARY_SEATS);
  });

  it('removing a seat takes its source out of the mix and its key stops working', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const { seat } = (await addSeat(app, keys.director!.key, 'Booth')).json<{ seat: Required<SeatView> }>();
    const seatKey = new URLSearchParams(new URL(seat.url).hash.slice(1)).get('key')!;
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/commentary/${seat.id}`,
      headers: bearer(keys.director!.key),
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await state(app)).sources.some((s) => s.id === seat.id)).toBe(false);
    expect((await app.inject({ url: '/api/me', headers: bearer(seatKey) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/events/match/commentary', headers: admin() })).json().seats).toEqual([]);
  });

  it('the join code makes a seat when asked for commentary', async () => {
    const app = await testApp();
    await seedEvent(app);
    const { joinCode } = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
    const joined = await app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: joinCode, as: 'commentary', label: 'Clubhouse' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const body = joined.json();
    expect(body).toMatchObject({ eventId: 'match', seat: { label: 'Clubhouse' }, livekit: null, transport: 'direct' });
    expect(body.camera).toBeUndefined();
    expect((await app.inject({ url: '/api/me', headers: bearer(body.key) })).json()).toMatchObject({
      role: 'commentary',
      seatId: body.seat.id,
    });
    expect((await state(app)).sources.at(-1)).toMatchObject({ id: body.seat.id, kind: 'commentary' });
    const unnamed = await app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: joinCode, as: 'commentary' },
    });
    expect(unnamed.json().seat.label).toBe('Commentary 2');
    const wrong = await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode, as: 'referee' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.field).toBe('/as');
    // A camera join is as it was.
    const camera = await app.inject({ method: 'POST', url: '/api/join', payload: { code: joinCode } });
    expect(camera.json().camera.id).toMatch(/^cam-/);
  });

  describe('with LiveKit (the Twirp stub)', () => {
    let stub: LiveKitTwirpStub;
    beforeEach(async () => {
      stub = new LiveKitTwirpStub();
      await stub.start();
    });
    afterEach(async () => stub.close());

    it("a seat's token publishes its own microphone only, in the event's room, as the seat", async () => {
      const app = await testApp({ livekit: { url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret } });
      await seedEvent(app);
      const { joinCode } = (await app.inject({ url: '/api/events/match', headers: admin() })).json();
      const joined = (
        await app.inject({
          method: 'POST',
          url: '/api/join',
          payload: { code: joinCode, as: 'commentary', label: 'Booth' },
        })
      ).json();
      expect(joined.transport).toBe('livekit');
      const fresh = await app.inject({
        method: 'POST',
        url: `/api/events/match/commentary/${joined.seat.id}/token`,
        headers: bearer(joined.key),
      });
      expect(fresh.statusCode, fresh.body).toBe(200);
      for (const token of [joined.livekit.token as string, fresh.json().token as string]) {
        const claims = await new TokenVerifier(stub.apiKey, stub.apiSecret).verify(token);
        expect(claims.sub).toBe(joined.seat.id);
        expect(claims.name).toBe('Booth');
        expect(claims.video).toMatchObject({
          room: 'pitchside-match',
          roomJoin: true,
          canPublish: true,
          canPublishData: false,
          canSubscribe: true,
        });
        expect(claims.video?.canPublishSources).toEqual(['microphone']);
        expect(claims.video?.roomAdmin ?? false).toBe(false);
        expect(claims.video?.hidden ?? false).toBe(false);
      }
    });
  });
});
