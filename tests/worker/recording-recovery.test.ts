// A worker killed mid-recording leaves a fragmented MP4 that no note lists; a part handed back
// gracefully is finalised but unlisted. The next worker finalises and lists both before it records.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecordingNotes } from '../../outputs/recording-notes.ts';
import { recoverRecordings } from '../../worker/recording-recovery.ts';
import { writeRecordingStart } from '../../worker/recording-start.ts';
import { testLogger } from '../helpers/logger.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { createRedisKeys } from '../../protocol/index.ts';
import { freshPrefix, testRedis } from '../helpers/redis.ts';

/** The recorder's file output flags: readable up to the last complete fragment at any moment. */
function fragmentedMp4(file: string, seconds: number): void {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=320x180:r=30:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=600:d=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '30',
    '-c:a',
    'aac',
    '-shortest',
    '-movflags',
    '+frag_keyframe+empty_moov+default_base_moof',
    file,
  ]);
}

const HANDED_BACK_STARTED_AT = 1_764_590_000_000;

describe('recording recovery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitchside-recovery-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finalises a killed worker’s fragmented part and lists it with a handed-back part; noted files stay as they are', async () => {
    const redis = testRedis();
    const keys = createRedisKeys(freshPrefix('rec'));
    const eventId = 'recovered-match';
    const eventDir = join(dir, eventId);
    mkdirSync(eventDir, { recursive: true });

    // Killed with -9 mid-write: fragmented, cut in the middle of a fragment.
    const killed = join(eventDir, `${eventId}-1.mp4`);
    fragmentedMp4(killed, 4);
    truncateSync(killed, Math.floor(statSync(killed).size * 0.8));
    // Handed back: finalised, its fragment kept beside it.
    const handedBack = join(eventDir, `${eventId}-2.mp4`);
    fragmentedMp4(join(eventDir, `${eventId}-2.frag.mp4`), 2);
    writeFileSync(handedBack, readFileSync(join(eventDir, `${eventId}-2.frag.mp4`)));
    // The recorder kept its first frame's server time beside it.
    await writeRecordingStart(handedBack, HANDED_BACK_STARTED_AT);
    // Already listed: not touched.
    const listed = join(eventDir, `${eventId}-0.mp4`);
    fragmentedMp4(listed, 1);
    const listedBytes = readFileSync(listed);
    await redis.rpush(keys.output(eventId).recordings, JSON.stringify({ file: listed, startedAt: 1, endedAt: 2 }));

    const recovered = await recoverRecordings(redis, keys, eventId, eventDir, testLogger('recovery'));
    expect(recovered).toEqual([killed, handedBack]);

    const notes = await readRecordingNotes(redis, keys, eventId);
    expect(notes.map((n) => [n.file, n.recovered ?? false])).toEqual([
      [listed, false],
      [killed, true],
      [handedBack, true],
    ]);
    // Issue 11, item 12: recovered parts carry a start time, so exports can place the takes on them
    // (they were noted with none, and the export route refused them). The killed part had no start
    // file: its start is its last write minus its length.
    expect(notes[2]?.startedAt).toBe(HANDED_BACK_STARTED_AT);
    const killedLength = (await probe(killed)).durationMs;
    const killedEnd = statSync(killed.replace(/\.mp4$/, '.frag.mp4')).mtimeMs;
    expect(notes[1]?.startedAt).toBeGreaterThan(killedEnd - killedLength - 1000);
    expect(notes[1]?.startedAt).toBeLessThan(killedEnd - killedLength + 1000);

    // The killed part is now a progressive MP4 (moov first) holding what was written before the kill.
    const head = readFileSync(killed).subarray(0, 64).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moof')).toBe(-1);
    const info = await probe(killed);
    expect(info.durationMs).toBeGreaterThan(1500);
    expect(info.video?.codec).toBe('h264');
    expect(existsSync(killed.replace(/\.mp4$/, '.frag.mp4'))).toBe(true);
    expect(readFileSync(listed).equals(listedBytes)).toBe(true);

    // Running it again finds nothing new.
    expect(await recoverRecordings(redis, keys, eventId, eventDir, testLogger('recovery'))).toEqual([]);
    redis.disconnect();
  });
});
