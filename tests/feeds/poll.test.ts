// Polling a JSON URL (issue 24 §2): a league's live document, read by JSON pointers at a set interval, drives
// score, period and clock like any feed; an override holds until released; a URL that stops answering leaves the
// feed stale within its N seconds, the clock running on. Its address follows the outbound rules of media URLs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  POLL_MAX_BYTES,
  clockValueMs,
  resolvePointer,
  type EventLogEntry,
  type ProgramState,
} from '../../protocol/index.ts';
import { connectWs, listen } from '../controller/controller-helpers.ts';
import { feedEvent } from './feed-helpers.ts';

const POINTERS = {
  '/match/score/home': 'home.score',
  '/match/score/away': 'away.score',
  '/match/period': 'period',
  '/match/clock/ms': 'clock.ms',
  '/match/clock/running': 'clock.running',
  '/match/stats/shots~1goal': 'shotsOnGoal',
};

describe('polled JSON feed', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
    server = null;
  });

  /** A league's live endpoint: answers the document the test sets, or a failure. */
  async function league(): Promise<{ url: string; set(doc: unknown): void; fail(status: number): void }> {
    let answer: { status: number; body: string } = { status: 200, body: '{}' };
    server = createServer((_request, response) => {
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/live.json?match=7`,
      set: (doc) => (answer = { status: 200, body: JSON.stringify(doc) }),
      fail: (status) => (answer = { status, body: 'down' }),
    };
  }

  const doc = (home: number, running = true) => ({
    match: {
      score: { home, away: 1 },
      period: '2H',
      clock: { ms: 1_800_000, running },
      stats: { 'shots/goal': 4 },
    },
  });

  it('reads the pointers into score, period, clock and fields; holds an override; goes stale when the URL fails', async () => {
    const feed = await league();
    feed.set(doc(2));
    const event = await feedEvent();
    const host = await listen(event.app);
    const socket = await connectWs(host, event.eventId, event.keys['graphics']!);
    const director = await connectWs(host, event.eventId, event.keys['director']!); // hears the event log
    const state = (f: Record<string, unknown>) => f['state'] as ProgramState;
    await event.configure({ source: { kind: 'poll', url: feed.url, intervalSeconds: 1, pointers: POINTERS } });
    const first = state(await socket.waitFor((f) => f.type === 'state' && state(f).scorebug.home.score === 2));
    expect(first.scorebug.away.score).toBe(1);
    expect(first.scorebug.period).toBe('2H');
    expect(first.clock.running).toBe(true);
    expect(clockValueMs(first.clock, first.updatedAt)).toBe(1_800_000);
    expect(first.feed?.fields).toEqual({ shotsOnGoal: 4 });
    expect(first.feed?.kind).toBe('poll');

    // The operator sets the home score by hand: the next polls do not undo it, until it is released.
    await event.command({ type: 'score.set', team: 'home', score: 9 });
    feed.set(doc(3));
    const held = state(await socket.waitFor((f) => f.type === 'state' && state(f).feed?.values['home.score'] === 3));
    expect(held.scorebug.home.score).toBe(9);
    expect((await event.command({ type: 'feed.release', field: 'home.score' })).scorebug.home.score).toBe(3);

    // The URL answers more than a live document can be: not read, logged once; then it fails outright. After the
    // feed's seconds without a packet it is stale, and the clock runs on.
    await event.configure({ staleAfterSeconds: 2 });
    feed.set({ padding: 'x'.repeat(POLL_MAX_BYTES) });
    const logged = (f: Record<string, unknown>) => f['entry'] as EventLogEntry;
    await director.waitFor((f) => f.type === 'log' && logged(f).message.includes('larger than'), 8000);
    feed.fail(503);
    const stale = state(await socket.waitFor((f) => f.type === 'state' && state(f).feed?.stale === true, 8000));
    expect(stale.clock.running).toBe(true);

    // It answers again: the feed is live, and the log says so.
    feed.set(doc(4));
    await socket.waitFor((f) => f.type === 'state' && state(f).scorebug.home.score === 4 && !state(f).feed?.stale);
    await director.waitFor((f) => f.type === 'log' && logged(f).message.includes('answers again'), 5000);
    await director.close();
    await socket.close();
  });

  it('refuses private, loopback and metadata addresses unless allowed, naming the field', async () => {
    const event = await feedEvent();
    for (const url of ['http://10.0.0.8/live.json', 'http://169.254.169.254/latest/', 'http://[::ffff:10.0.0.1]/x']) {
      const res = await event.app.inject({
        method: 'PUT',
        url: `/api/events/${event.eventId}/feed/config`,
        headers: { authorization: `Bearer ${event.keys['director']}` },
        payload: { source: { kind: 'poll', url, intervalSeconds: 5, pointers: {} } },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: { code: string; field: string } }>().error).toMatchObject({
        code: 'ADDRESS_NOT_ALLOWED',
        field: '/source/url',
      });
    }
    const bad = await event.app.inject({
      method: 'PUT',
      url: `/api/events/${event.eventId}/feed/config`,
      headers: { authorization: `Bearer ${event.keys['director']}` },
      payload: { source: { kind: 'poll', url: 'ftp://league.example/live', intervalSeconds: 5, pointers: {} } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toMatch(/^\/source/);
  });

  it('resolves JSON pointers as RFC 6901 says', () => {
    const document = { a: [{ 'b/c': 1, 'd~e': 2 }], '': 3 };
    expect(resolvePointer(document, '/a/0/b~1c')).toBe(1);
    expect(resolvePointer(document, '/a/0/d~0e')).toBe(2);
    expect(resolvePointer(document, '/')).toBe(3);
    expect(resolvePointer(document, '/a/1')).toBeUndefined();
    expect(resolvePointer(document, '/a/0/toString')).toBeUndefined();
  });
});
