// A worker process killed with -9 in the middle of a re-render takes its ffmpeg with it: the encode does
// not go on unowned, holding the cores and writing into the job's directory. The worker runs as its own
// process (tests/worker/fixtures/rerender-worker-child.ts) and renders a camera's ISO at 1080p, long enough
// to be killed mid-chunk.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { IsoStore } from '../../controller/services/iso-store.ts';
import { createRedisKeys, RERENDER_QUEUE, type RerenderJob, type SwitchLogEntry } from '../../protocol/index.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { makeIsoSegment } from '../replay/iso-segment.ts';
import { until } from './helpers.ts';

const EVENT = 'ev-kill';
const SEGMENT_MS = 2000;
/** Long enough that the first chunk's encode (20 s of 1080p) is surely still running when the worker dies. */
const WINDOW_MS = 60_000;
/** How long a killed worker's ffmpeg may take to go (the kernel signals it at once; this is slack for a loaded machine). */
const GONE_WITHIN_MS = 5000;

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
}

/** Every process on the machine, from /proc (comm is the executable's name: ffmpeg once setpriv has exec'd it). */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const [state = '', ppid = '0'] = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, close), state });
    } catch {
      // Exited while listed.
    }
  }
  return out;
}

/** Alive: listed and not a zombie (a dead child its new parent has not reaped yet). */
function alive(pid: number): boolean {
  return processes().some((p) => p.pid === pid && p.state !== 'Z');
}

let dir = '';
const children: ChildProcess[] = [];
/** ffmpeg processes the test's worker started: ended here if the test failed with them still running. */
const encoders: number[] = [];
const queues: Queue[] = [];

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of encoders.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already: what the test wants.
    }
  }
  for (const queue of queues.splice(0)) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('a re-render worker killed mid-render', () => {
  it('leaves no ffmpeg running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitchside-rerender-kill-'));
    const keys = createRedisKeys(freshPrefix('rerender-kill'));
    const redis = testRedis();
    try {
      // A camera's ISO over the whole window, and the camera on air from before it.
      const isoDir = join(dir, 'iso');
      const iso = new IsoStore(redis, keys, isoDir);
      const segment = makeIsoSegment(dir, SEGMENT_MS / 1000);
      const fromMs = Date.now() - WINDOW_MS - 10_000;
      for (let at = fromMs - SEGMENT_MS; at < fromMs + WINDOW_MS; at += SEGMENT_MS)
        await iso.append(EVENT, 'cam-a', { startMs: at, endMs: at + SEGMENT_MS, mime: 'video/webm', body: segment });
      const take: Omit<SwitchLogEntry, 'id'> = {
        time: fromMs - 1000,
        revision: 1,
        source: 'cam-a',
        from: null,
        transition: { type: 'cut', durationMs: 0, from: 'left', colour: '#000000' },
        who: 'director:test',
      };
      await redis.xadd(keys.switchLog(EVENT), '*', 'entry', JSON.stringify(take));

      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/worker/fixtures/rerender-worker-child.ts'], {
        env: { ...process.env, REDIS_URL: testRedisUrl(), KEY_PREFIX: keys.prefix },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await once(child.stdout as NodeJS.ReadableStream, 'data');
      const queue = new Queue(RERENDER_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
      queues.push(queue);
      const job: RerenderJob = {
        eventId: EVENT,
        fromMs,
        toMs: fromMs + WINDOW_MS,
        video: { width: 1920, height: 1080, fps: 30 },
        feed: 'clean',
        isoDir,
        testSources: [],
        outDir: join(dir, 'out'),
      };
      await queue.add('rerender', job);

      // The worker's encoder: an ffmpeg whose parent is the worker process.
      let encoder: Proc | undefined;
      await until(
        () => {
          encoder = processes().find((p) => p.ppid === child.pid && p.comm === 'ffmpeg');
          return encoder !== undefined;
        },
        60_000,
        'the re-render ffmpeg',
      );
      const pid = encoder!.pid;
      encoders.push(pid);
      child.kill('SIGKILL');
      await once(child, 'exit');

      const killedAt = Date.now();
      await until(() => !alive(pid), GONE_WITHIN_MS, `ffmpeg ${pid} to end with its worker`).catch(() => undefined);
      expect(alive(pid), `ffmpeg ${pid} still running ${Date.now() - killedAt} ms after its worker was killed`).toBe(
        false,
      );
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
