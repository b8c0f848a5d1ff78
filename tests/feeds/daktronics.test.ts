// A Daktronics All Sport 5000 console (issue 24 §2), simulated in its real RTD frame format behind a TCP
// bridge: the decoder reads its frames, and with the console set as the event's feed source the score,
// period and running clock follow it in program state; an operator override holds until released; a console
// that goes quiet is flagged stale while the clock runs on; a dropped bridge is reconnected.
import { afterEach, describe, expect, it } from 'vitest';
import {
  RtdBuffer,
  RtdDecoder,
  clockValueMs,
  parseRtdClock,
  type EventLogEntry,
  type ProgramState,
} from '../../protocol/index.ts';
import { connectWs, listen, type FrameCollector } from '../controller/controller-helpers.ts';
import { DaktronicsSimulator, rtdFrame } from '../helpers/daktronics-simulator.ts';
import { feedEvent, type FeedTestEvent } from './feed-helpers.ts';

/** The feed re-bases the clock when it is further than this from the console's (a second's display, plus a tick). */
const CLOCK_SLACK_MS = 1500;

describe('Daktronics RTD decoding', () => {
  it('reads frames split anywhere, skips idle bytes, refuses a bad checksum', () => {
    const decoder = new RtdDecoder();
    const bytes = Buffer.concat([
      Buffer.from([0x16, 0x16]),
      rtdFrame(0, '12:34'),
      rtdFrame(107, '  42   7'),
      rtdFrame(141, ' 3', '00'), // wrong checksum
      rtdFrame(27, 's'),
    ]);
    const frames = [];
    for (let i = 0; i < bytes.length; i += 7) frames.push(...decoder.push(bytes.subarray(i, i + 7)));
    expect(frames).toEqual([
      { offset: 0, text: '12:34' },
      { offset: 107, text: '  42   7' },
      { offset: 27, text: 's' },
    ]);
    expect(decoder.rejected).toBe(1);
    const buffer = new RtdBuffer();
    for (const frame of frames) buffer.write(frame);
    expect(buffer.read('basketball')).toEqual({
      home: { score: 42 },
      away: { score: 7 },
      clock: { ms: 754_000, running: false },
    });
    expect([parseRtdClock(' 9.7 '), parseRtdClock('1:05'), parseRtdClock('     ')]).toEqual([9700, 65_000, null]);
  });
});

describe('Daktronics console as the feed source', () => {
  let simulator: DaktronicsSimulator | null = null;
  afterEach(async () => {
    await simulator?.close();
    simulator = null;
  });

  async function withConsole(): Promise<{ event: FeedTestEvent; socket: FrameCollector; sim: DaktronicsSimulator }> {
    const sim = new DaktronicsSimulator();
    simulator = sim;
    const { host, port } = await sim.start();
    const event = await feedEvent();
    // A basketball clock counts down; the console's clock is set before it connects.
    await event.command({ type: 'clock.configure', direction: 'down' }, 'director');
    sim.setClock(8 * 60_000, true);
    sim.setScore(12, 9);
    sim.setPeriod(2);
    const socket = await connectWs(await listen(event.app), event.eventId, event.keys['graphics']!);
    await event.configure({ source: { kind: 'daktronics', sport: 'basketball', host, port } });
    await sim.connected();
    return { event, socket, sim };
  }

  const stateOf = (frame: Record<string, unknown>) => frame['state'] as ProgramState;

  it('drives score, period and the running clock; an override holds until released', async () => {
    const { event, socket, sim } = await withConsole();
    const frame = await socket.waitFor(
      (f) =>
        f.type === 'state' &&
        stateOf(f).scorebug.home.score === 12 &&
        stateOf(f).scorebug.away.score === 9 &&
        stateOf(f).scorebug.period === '2' &&
        stateOf(f).clock.running,
    );
    const state = stateOf(frame);
    expect(state.feed?.kind).toBe('daktronics');
    expect(Math.abs(clockValueMs(state.clock, Date.now()) - sim.clockMs())).toBeLessThanOrEqual(CLOCK_SLACK_MS);
    const log = await event.app.eventLog.query(event.eventId);
    expect(log.some((e: EventLogEntry) => e.kind === 'feed.update' && e.data?.['who'] === 'feed:daktronics')).toBe(
      true,
    );

    // The console stops the clock: the program's clock stops at the console's value.
    sim.setClock(7 * 60_000 + 30_000, false);
    await socket.waitFor((f) => f.type === 'state' && !stateOf(f).clock.running && stateOf(f).clock.baseMs === 450_000);

    // The graphics operator corrects the home score by hand; the console's next goal does not undo it.
    await event.command({ type: 'score.set', team: 'home', score: 50 });
    sim.setScore(14, 9);
    const held = stateOf(
      await socket.waitFor((f) => f.type === 'state' && stateOf(f).feed?.values['home.score'] === 14),
    );
    expect(held.scorebug.home.score).toBe(50);
    const released = await event.command({ type: 'feed.release', field: 'home.score' });
    expect(released.scorebug.home.score).toBe(14);
  });

  it('flags a quiet console as stale, the clock running on, and reconnects a dropped bridge', async () => {
    const { event, socket, sim } = await withConsole();
    await event.configure({ staleAfterSeconds: 1 });
    await socket.waitFor((f) => f.type === 'state' && stateOf(f).scorebug.home.score === 12);
    sim.pause();
    const paused = Date.now();
    const stale = stateOf(await socket.waitFor((f) => f.type === 'state' && stateOf(f).feed?.stale === true, 8000));
    expect(stale.updatedAt - paused).toBeLessThan(4000);
    expect(stale.clock.running).toBe(true);
    expect(Math.abs(clockValueMs(stale.clock, Date.now()) - sim.clockMs())).toBeLessThanOrEqual(CLOCK_SLACK_MS);
    sim.resume();
    await socket.waitFor(
      (f) => f.type === 'state' && stateOf(f).updatedAt > stale.updatedAt && !stateOf(f).feed?.stale,
    );

    // The bridge drops: the controller reconnects and the console's values keep coming.
    sim.dropClients();
    sim.setScore(20, 9); // sent to nobody: the reconnect gets it with the console's full dump
    await sim.connected();
    await socket.waitFor((f) => f.type === 'state' && stateOf(f).scorebug.home.score === 20, 10_000);
    const log = await event.app.eventLog.query(event.eventId);
    expect(log.filter((e: EventLogEntry) => e.kind === 'feed.connection').map((e) => e.level)).toEqual([
      'info',
      'warn',
      'info',
    ]);
  });

  it('refuses a source a person must fix, naming the field', async () => {
    const event = await feedEvent();
    const put = (source: unknown) =>
      event.app.inject({
        method: 'PUT',
        url: `/api/events/${event.eventId}/feed/config`,
        headers: { authorization: `Bearer ${event.keys['director']}` },
        payload: { source },
      });
    const cases: Array<[unknown, number, string]> = [
      [{ kind: 'daktronics', sport: 'basketball' }, 400, '/source/path'],
      [{ kind: 'daktronics', sport: 'basketball', host: '127.0.0.1' }, 400, '/source/port'],
      [{ kind: 'daktronics', sport: 'basketball', path: '/etc/passwd' }, 400, '/source'],
      [{ kind: 'daktronics', sport: 'curling', path: '/dev/ttyUSB0' }, 400, '/source'],
      [{ kind: 'daktronics', sport: 'soccer', host: '10.1.2.3', port: 4001 }, 400, '/source/host'],
      [{ kind: 'carrier-pigeon' }, 400, '/source'],
    ];
    for (const [source, status, field] of cases) {
      const res = await put(source);
      expect(res.statusCode, JSON.stringify(source)).toBe(status);
      expect(res.json<{ error: { field: string } }>().error.field, JSON.stringify(source)).toMatch(
        new RegExp(`^${field}`),
      );
    }
    expect((await event.app.dataFeed.config(event.eventId)).source).toEqual({ kind: 'push' });
  });
});
