// The compare-and-set path for real: three controller processes on one Redis, a burst of takes from
// every side at once. Every take must be answered 200 with its own revision (no 503 BUSY), the switch log
// must hold each take once in revision order, and a subscriber must see the revisions only rise.
import { describe, expect, it } from 'vitest';
import type { ProgramState, SwitchLogEntry } from '../../protocol/index.ts';
import { freshPrefix } from '../helpers/redis.ts';
import { admin, bearer, connectWs, listen, seedEvent, testApp } from './controller-helpers.ts';

const TAKES = 100;

describe('concurrent takes on three controllers', () => {
  it('answers every take 200 with unique revisions, stored and published in order', async () => {
    const keyPrefix = freshPrefix('cas');
    const apps = [await testApp({ keyPrefix }), await testApp({ keyPrefix }), await testApp({ keyPrefix })];
    const keys = await seedEvent(apps[0]!);
    const watcher = await connectWs(await listen(apps[2]!), 'match', keys.template!.key);
    await watcher.waitFor((f) => f.type === 'state');
    // Mixes: while one runs a take is never a no-op, even of the source already on program.
    const mix = { type: 'mix', durationMs: 5000 };
    const first = await apps[0]!.inject({
      method: 'POST',
      url: '/api/events/match/program/take',
      headers: bearer(keys.director!.key),
      payload: { source: 'camera-2', transition: mix },
    });
    const start = first.json<{ revision: number }>().revision;

    const answers = await Promise.all(
      Array.from({ length: TAKES }, (_, i) =>
        apps[i % apps.length]!.inject({
          method: 'POST',
          url: '/api/events/match/program/take',
          headers: bearer(keys.director!.key),
          payload: { source: `camera-${(i % 4) + 1}`, transition: mix },
        }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(
      statuses.filter((s) => s !== 200),
      JSON.stringify(answers.find((a) => a.statusCode !== 200)?.json()),
    ).toEqual([]);
    const revisions = answers.map((a) => a.json<{ revision: number }>().revision);
    expect(new Set(revisions).size).toBe(TAKES);
    expect(Math.min(...revisions)).toBe(start + 1);
    expect(Math.max(...revisions)).toBe(start + TAKES);

    const log = await apps[1]!.inject({ url: '/api/events/match/switch-log', headers: admin() });
    const entries = log.json<{ entries: SwitchLogEntry[] }>().entries;
    expect(entries.map((e) => e.revision)).toEqual([start, ...revisions].sort((a, b) => a - b));

    await watcher.waitFor((f) => f.type === 'state' && (f.state as ProgramState).revision === start + TAKES);
    const seen = watcher.frames.filter((f) => f.type === 'state').map((f) => (f.state as ProgramState).revision);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    await watcher.close();
  });
});
