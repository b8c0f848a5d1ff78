// Issue 11, item 12: an ffmpeg that cannot be spawned (binary missing, EAGAIN under memory pressure)
// emits 'error' and never 'exit'. The output waited on 'exit' only: it sat in `running` with no process
// and close() never returned, which hung the recorder's close and the worker's shutdown with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegOutput } from '../../worker/recorder/ffmpeg-output.ts';
import { until } from './helpers.ts';

/** close() of an output whose process never started has nothing to wait for. */
const CLOSE_BOUND_MS = 3000;
const dir = mkdtempSync(join(tmpdir(), 'pitchside-ffout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FfmpegOutput', () => {
  it('a spawn error ends the run: the output backs off with the reason, and close() returns', async () => {
    const output = new FfmpegOutput({
      spec: { id: 'vod', kind: 'file', path: join(dir, 'rec.mp4') },
      fps: 30,
      sampleRate: 48_000,
      channels: 2,
      ffmpegPath: join(dir, 'no-such-ffmpeg'),
    });
    output.start();
    output.pushVideo({ frameIndex: 0, timestampUs: 0, key: true, data: Buffer.from([0, 0, 0, 1, 0x65]) }, null);
    await until(() => output.stats().state === 'backoff', 5000, 'the output to back off');
    expect(output.stats()).toMatchObject({ starts: 1, failures: 1 });
    expect(output.stats().lastError).toMatch(/could not start.*ENOENT/);
    const closed = await Promise.race([
      output.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), CLOSE_BOUND_MS)),
    ]);
    expect(closed).toBe('closed');
    expect(output.stats().state).toBe('stopped');
  });
});
