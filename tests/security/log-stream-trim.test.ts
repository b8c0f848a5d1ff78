// Issue 11, hole 11: the switch log and the event log are trimmed to LOG_STREAM_MAX_ENTRIES per event
// (approximately: Redis drops whole stream nodes, so a trim costs nothing per take). They grew without
// bound: a take loop or a chatty camera filled Redis, the one store everything else lives in.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.ts';
import { TEST_PRIVATE_NETWORKS, bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

const KEEP = 100;
const WRITTEN = 600;
/** MAXLEN ~ keeps up to one stream node (100 entries by Redis's default) past the bound. */
const NODE_SLACK = 100;

describe('log stream trimming', () => {
  it(`keeps about ${KEEP} switch log and event log entries of ${WRITTEN}, the newest`, async () => {
    const app = await testApp({
      config: loadConfig({ PORT: 0, ALLOW_PRIVATE_NETWORKS: TEST_PRIVATE_NETWORKS, LOG_STREAM_MAX_ENTRIES: KEEP }, {}),
    });
    const keys = await seedEvent(app, 'trim');
    const director = bearer(keys['director']?.key ?? '');
    for (let i = 0; i < WRITTEN; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/events/trim/program/take',
        headers: director,
        payload: { source: `camera-${(i % 2) + 1}` },
      });
      expect(res.statusCode).toBe(200);
      await app.eventLog.append('trim', { level: 'info', kind: 'camera.connected', message: `line ${i}` });
    }
    const switches = await app.redis.xlen(app.redisKeys.switchLog('trim'));
    const lines = await app.redis.xlen(app.redisKeys.eventLog('trim'));
    for (const length of [switches, lines]) {
      expect(length).toBeGreaterThanOrEqual(KEEP);
      expect(length).toBeLessThanOrEqual(KEEP + NODE_SLACK);
    }
    // The newest survive.
    const [last] = await app.redis.xrevrange(app.redisKeys.eventLog('trim'), '+', '-', 'COUNT', 1);
    expect(last?.[1][1]).toContain(`line ${WRITTEN - 1}`);
  });
});
