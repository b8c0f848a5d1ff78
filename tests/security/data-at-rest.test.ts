// Hole 12 (issue 22): with `npm start`'s embedded Redis and the LAN listener off, the data dir was 0755,
// Redis's files (stream keys inside) 0644, and Redis took no password: any local user could read or change
// the show. The data dir is made owner-only with the process tree's umask (runtime/data-dir.ts), and the
// embedded Redis wants a password that is never on a command line.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDataDir } from '../../runtime/data-dir.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';

const mode = (path: string): number => statSync(path).mode & 0o777;
const umaskBefore = process.umask();
afterEach(() => {
  process.umask(umaskBefore);
});

describe('data at rest', () => {
  it('makes the data dir and what an earlier run left there owner-only, and what is written next too', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pitchside-at-rest-')), 'data');
    mkdirSync(join(dir, 'redis'), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'admin-key'), 'psadm_secret', { mode: 0o644 });
    writeFileSync(join(dir, 'redis', 'appendonly.aof'), 'stream keys', { mode: 0o644 });
    const outside = join(dir, '..', 'outside');
    writeFileSync(outside, 'not ours', { mode: 0o644 });
    symlinkSync(outside, join(dir, 'link'));

    await prepareDataDir(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'redis'))).toBe(0o700);
    expect(mode(join(dir, 'admin-key'))).toBe(0o600);
    expect(mode(join(dir, 'redis', 'appendonly.aof'))).toBe(0o600);
    expect(mode(outside), 'a symlink is never followed').toBe(0o644);
    // Written from now on by this process (and its children, which inherit the umask): owner-only.
    writeFileSync(join(dir, 'recording.mp4'), 'x');
    mkdirSync(join(dir, 'exports'));
    expect(mode(join(dir, 'recording.mp4'))).toBe(0o600);
    expect(mode(join(dir, 'exports'))).toBe(0o700);
  });

  it('starts the embedded Redis with a password no local user can read, and refuses clients without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitchside-redis-auth-'));
    const redis = new EmbeddedRedis({ dataDir: dir, appendOnly: false, requirePassword: true });
    const url = await redis.start();
    try {
      const password = decodeURIComponent(new URL(url).password);
      expect(password.length).toBeGreaterThanOrEqual(32);
      const port = new URL(url).port;
      // A client without the password: its first command is refused (raw RESP, as any local tool would send it).
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET pitchside\r\n'));
        socket.once('data', (chunk) => {
          socket.destroy();
          resolve(chunk.toString());
        });
        socket.once('error', reject);
      });
      expect(answer).toMatch(/^-NOAUTH/);
      const client = new Redis(url, { lazyConnect: true });
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
      // Not on any process's command line (readable by every local user through /proc).
      const cmdlines = readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8');
          } catch {
            return '';
          }
        });
      expect(cmdlines.some((c) => c.includes('redis-server') && c.includes(port))).toBe(true);
      expect(cmdlines.some((c) => c.includes(password))).toBe(false);
      expect(mode(join(dir, 'pitchside-redis.conf'))).toBe(0o600);
    } finally {
      await redis.close();
    }
  });
});
