// The generic JSON push (POST /api/events/:eventId/feed, issue 24 §2): a packet drives the scorebug, clock,
// period and free-form fields through the reducer; an operator's own command takes a field back until it is
// released; a feed that goes quiet is flagged stale within its N seconds while the clock runs on.
import { describe, expect, it } from 'vitest';
import { clockValueMs, type EventLogEntry, type FeedState, type ProgramState } from '../../protocol/index.ts';
import { connectWs, listen } from '../controller/controller-helpers.ts';
import { feedEvent } from './feed-helpers.ts';

describe('JSON push feed', () => {
  it('sets score, period, clock and fields, revisioned and logged as the feed', async () => {
    const event = await feedEvent();
    const before = await event.state();
    const sent = Date.now();
    const res = await event.post({
      home: { score: 2 },
      away: { score: 1 },
      period: '2nd',
      clock: { ms: 600_000, running: true },
      fields: { shots: 5, referee: 'A. Ref' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body['state']).toBeUndefined(); // the feed key is told about its feed, not the program
    // The same packet again within the heartbeat changes nothing (a scoreboard repeating itself).
    const again = await event.post({ home: { score: 2 }, away: { score: 1 } });
    expect(again.body['revision']).toBe(res.body['revision']);
    const state = await event.state();
    expect(state.revision).toBe(before.revision + 1);
    expect(state.scorebug.home.score).toBe(2);
    expect(state.scorebug.away.score).toBe(1);
    expect(state.scorebug.period).toBe('2nd');
    expect(state.clock.running).toBe(true);
    // Set at the server time of the packet: its value now is 10:00 plus the time since.
    const value = clockValueMs(state.clock, Date.now());
    expect(value).toBeGreaterThanOrEqual(600_000);
    expect(value).toBeLessThanOrEqual(600_000 + (Date.now() - sent));
    expect(state.feed?.owned).toEqual(['home.score', 'away.score', 'period', 'clock']);
    expect(state.feed?.overridden).toEqual([]);
    expect(state.feed?.fields).toEqual({ shots: 5, referee: 'A. Ref' });
    expect(state.feed?.kind).toBe('push');

    const log = await event.app.eventLog.query(event.eventId);
    const entry = log.find((e: EventLogEntry) => e.kind === 'feed.update');
    const keyId = (await event.app.apiKeys.feedKey(event.eventId))!.keyId;
    expect(entry?.data?.['who']).toBe(`feed:${keyId}`);
  });

  it('refuses bad input with a 4xx naming the field, and changes nothing', async () => {
    const event = await feedEvent();
    await event.configure({ mapping: { hs: 'home.score' } });
    const revision = (await event.state()).revision;
    const cases: Array<[unknown, string]> = [
      [{ home: { score: -1 } }, '/home/score'],
      [{ away: { score: 'three' } }, '/away/score'],
      [{ clock: { ms: 1.5 } }, '/clock/ms'],
      [{ clock: { running: 'yes' } }, '/clock/running'],
      [{ period: 'x'.repeat(13) }, '/period'],
      [{ fields: { 'bad name!': 1 } }, '/fields'],
      [{ fields: { hs: 'many' } }, '/fields/hs'],
      [{ home: { score: 1 }, goals: 3 }, '/goals'],
    ];
    for (const [packet, field] of cases) {
      const res = await event.post(packet);
      expect(res.status, JSON.stringify(packet)).toBe(400);
      const error = res.body['error'] as { field: string };
      expect(error.field, JSON.stringify(packet)).toMatch(new RegExp(`^${field}`));
    }
    expect((await event.state()).revision).toBe(revision);
    expect((await event.state()).scorebug.home.score).toBe(0);
  });

  it('maps feed field names to the scorebug, the clock and new field names', async () => {
    const event = await feedEvent();
    await event.configure({ mapping: { hs: 'home.score', as: 'away.score', t: 'clock.ms', q: 'period', fc: 'fouls' } });
    const res = await event.post({ fields: { hs: '4', as: 3, t: 90_000, q: 3, fc: 7, other: true } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const state = await event.state();
    expect([state.scorebug.home.score, state.scorebug.away.score, state.scorebug.period]).toEqual([4, 3, '3']);
    expect(state.clock.baseMs).toBe(90_000);
    expect(state.feed?.fields).toEqual({ fouls: 7, other: true });
  });

  it('holds an operator override until the operator releases it', async () => {
    const event = await feedEvent();
    await event.post({ home: { score: 1 }, away: { score: 0 }, clock: { ms: 60_000, running: true } });
    // The graphics operator sets the home score by hand: the feed's next values for it are ignored.
    let state = await event.command({ type: 'score.set', team: 'home', score: 7 });
    expect(state.feed?.overridden).toEqual(['home.score']);
    await event.post({ home: { score: 3 }, away: { score: 2 } });
    state = await event.state();
    expect(state.scorebug.home.score).toBe(7);
    expect(state.scorebug.away.score).toBe(2); // the rest still follows the feed
    expect(state.feed?.values['home.score']).toBe(3);
    // Stopping the clock by hand takes the clock back too; the feed's running clock does not restart it.
    state = await event.command({ type: 'clock.stop' });
    expect(state.feed?.overridden).toEqual(['home.score', 'clock']);
    await event.post({ clock: { ms: 30_000, running: true } });
    expect((await event.state()).clock.running).toBe(false);

    // Released: the field takes the feed's last value at once, and follows it again.
    state = await event.command({ type: 'feed.release', field: 'home.score' });
    expect(state.scorebug.home.score).toBe(3);
    expect(state.feed?.overridden).toEqual(['clock']);
    await event.post({ home: { score: 4 } });
    expect((await event.state()).scorebug.home.score).toBe(4);
    state = await event.command({ type: 'feed.release', field: 'clock' });
    expect(state.clock.running).toBe(true);
    expect(clockValueMs(state.clock, Date.now())).toBeGreaterThanOrEqual(30_000);

    // Taking a field back without changing it (the desk's "take back").
    expect((await event.command({ type: 'feed.override', field: 'away.score' })).feed?.overridden).toEqual([
      'away.score',
    ]);
    await event.post({ away: { score: 9 } });
    expect((await event.state()).scorebug.away.score).toBe(2);
  });

  it('flags a feed that stops within its N seconds, and the clock runs on', async () => {
    const event = await feedEvent();
    await event.configure({ staleAfterSeconds: 1 });
    const socket = await connectWs(await listen(event.app), event.eventId, event.keys['graphics']!);
    const res = await event.post({ clock: { ms: 10_000, running: true } });
    expect(res.status).toBe(200);
    const sentAt = (res.body['feed'] as FeedState).lastPacketAt!;
    const stale = await socket.waitFor((f) => f.type === 'state' && (f.state as ProgramState).feed?.stale === true);
    const state = stale['state'] as ProgramState;
    // Flagged at its second, give or take the commit: never before, and well inside a generous bound.
    expect(state.updatedAt - sentAt).toBeGreaterThanOrEqual(1000);
    expect(state.updatedAt - sentAt).toBeLessThan(3000);
    expect(state.clock.running).toBe(true);
    expect(clockValueMs(state.clock, state.updatedAt)).toBeGreaterThan(10_000);
    const log = await event.app.eventLog.query(event.eventId);
    expect(log.some((e: EventLogEntry) => e.kind === 'feed.stale' && e.level === 'warn')).toBe(true);

    // The next packet makes it live again.
    await event.post({ home: { score: 1 } });
    expect((await event.state()).feed?.stale).toBe(false);
    await socket.close();
  });
});
