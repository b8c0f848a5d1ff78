// Issue 11, hole 4: output-plan changes are a compare-and-set. Two stops that race on one event
// ("stop recording" and "stop stream" from two panels) both answer 200, so both must be in the plan.
// Before the fix both went through WATCH/MULTI on the controller's one shared connection, the first
// EXEC cleared the other's watch, and one stop was lost.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisKeys, testSources, type OutputPlan } from '../../protocol/index.ts';
import { readPlan, updatePlan } from '../../outputs/plan-store.ts';
import { bearer, testApp } from '../controller/controller-helpers.ts';
import { freshPrefix, testRedis } from '../helpers/redis.ts';

const PAIRS = 100;
const redis = testRedis();

afterAll(() => redis.disconnect());

describe('output plan compare-and-set', () => {
  it(`keeps both of ${PAIRS} concurrent "stop recording" + "stop stream" pairs`, async () => {
    const app = await testApp();
    const run = randomUUID().slice(0, 8);
    const events = await Promise.all(
      Array.from({ length: PAIRS }, async (_, i) => {
        const id = `cas-${run}-${i}`;
        await app.events.create(
          {
            id,
            name: 'CAS match',
            sport: 'football',
            home: { name: 'Reds' },
            away: { name: 'Blues' },
            destinations: [{ id: 'club', kind: 'rtmp', serverUrl: 'rtmp://media.example.org/live', streamKey: 'k1' }],
          },
          { sources: testSources(2) },
        );
        const keys = await app.apiKeys.ensureEventKeys(id);
        const director = bearer(keys.find((k) => k.role === 'director')?.key ?? '');
        return { id, director };
      }),
    );
    // Recording and streaming on every event (no worker takes these jobs: only the plans matter).
    for (const { id, director } of events) {
      for (const what of ['record', 'stream'])
        expect(
          (
            await app.inject({
              method: 'POST',
              url: `/api/events/${id}/outputs/${what}`,
              headers: director,
              payload: {},
            })
          ).statusCode,
        ).toBe(200);
    }

    const answers = await Promise.all(
      events.flatMap(({ id, director }) =>
        (['recording', 'stream'] as const).map((what) =>
          app.inject({ method: 'POST', url: `/api/events/${id}/outputs/stop`, headers: director, payload: { what } }),
        ),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));

    const lost: string[] = [];
    for (const { id } of events) {
      const plan = await readPlan(redis, app.redisKeys, id);
      if (plan === null || plan.record || plan.destinations.length > 0 || !plan.stop)
        lost.push(`${id}: ${JSON.stringify(plan && { record: plan.record, destinations: plan.destinations.length })}`);
    }
    expect(lost).toEqual([]);
  });

  it('does not apply a change computed from a plan that was deleted and started again meanwhile', async () => {
    const id = `cas-aba-${randomUUID().slice(0, 8)}`;
    const keys = createRedisKeys(freshPrefix('cas'));
    const base: OutputPlan = {
      eventId: id,
      templateUrl: 'http://127.0.0.1/template/?event=x&key=y',
      video: { width: 1280, height: 720, fps: 30 },
      destinations: [],
      stop: false,
      record: true,
      revision: 0,
    };
    await updatePlan(redis, keys, id, () => base);
    let calls = 0;
    const result = await updatePlan(redis, keys, id, (current) => {
      // First time: another writer stops (deleting the plan) and starts again at the same revision,
      // between this read and the write (queued on the same connection, so it lands first).
      if (calls++ === 0)
        void redis
          .multi()
          .del(keys.output(id).plan)
          .set(keys.output(id).plan, JSON.stringify({ ...base, record: false, revision: 1 }))
          .exec();
      return current === null ? null : { ...current, destinations: [] };
    });
    expect(calls).toBe(2);
    expect(result?.record).toBe(false);
    expect(result?.revision).toBe(2);
  });
});
