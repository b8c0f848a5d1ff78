import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { freshPrefix, testRedis } from '../helpers/redis.ts';

describe('embedded Redis', () => {
  it('keeps data across a restart when append-only is on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pitchside-aof-'));
    const first = new EmbeddedRedis({ dataDir, appendOnly: true });
    const client = new Redis(await first.start());
    await client.set('kept', 'yes');
    client.disconnect();
    await first.close();

    const second = new EmbeddedRedis({ dataDir, appendOnly: true });
    const again = new Redis(await second.start());
    expect(await again.get('kept')).toBe('yes');
    again.disconnect();
    await second.close();
  });

  it('the test run shares one server, isolated by key prefix', async () => {
    const redis = testRedis();
    const a = freshPrefix();
    const b = freshPrefix();
    expect(a).not.toBe(b);
    await redis.set(`${a}k`, '1');
    expect(await redis.get(`${b}k`)).toBeNull();
    redis.disconnect();
  });
});
