// Nothing recorded is lost to a crash: a recorder writes fragmented MP4 (readable up to its last
// fragment), but a worker killed mid-recording never finalises or notes it, and a graceful hand-back
// finalises its part without noting it (the next worker starts a new part). Before a worker records an
// event, it finalises and notes every recording of the event that no note lists yet.
import { existsSync } from 'node:fs';
import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { RecordingNote, RedisKeys } from '../protocol/index.ts';
import type { Logger } from '../runtime/logger.ts';
import { MAX_RECORDING_NOTES, readRecordingNotes } from '../outputs/recording-notes.ts';
import { finaliseMp4 } from './recorder/finalise-mp4.ts';
import { probe } from '../runtime/ffmpeg.ts';
import { readRecordingStart } from './recording-start.ts';

const FRAGMENTED_SUFFIX = '.frag.mp4';

/** The recorder's own working names, never recordings in their own right. */
function isRecording(name: string): boolean {
  return name.endsWith('.mp4') && !name.endsWith(FRAGMENTED_SUFFIX) && !name.endsWith('.tmp.mp4');
}

/** Finalises and notes the event's unlisted recordings in `dir`; returns their paths. */
export async function recoverRecordings(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  dir: string,
  log: Logger,
): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const noted = new Set((await readRecordingNotes(redis, keys, eventId)).map((n) => n.file));
  const orphans = (await readdir(dir))
    .filter(isRecording)
    .map((name) => join(dir, name))
    .filter((file) => !noted.has(file))
    .sort();
  const recovered: string[] = [];
  for (const file of orphans) {
    const fragment = file.replace(/\.mp4$/, FRAGMENTED_SUFFIX);
    try {
      // A part handed back gracefully was finalised already (its fragment kept beside it).
      if (!existsSync(fragment)) {
        await rename(file, fragment);
        await finaliseMp4(fragment, file);
      }
      const endedAt = Math.round((await stat(fragment)).mtimeMs);
      // Without a start time no export can place the takes: the recorder's start file, else the last
      // write minus the length (good to one fragment, ~2 s).
      const startedAt = (await readRecordingStart(file)) ?? endedAt - Math.round((await probe(file)).durationMs);
      const note: RecordingNote = { file, startedAt, endedAt, recovered: true };
      const key = keys.output(eventId).recordings;
      await redis.multi().rpush(key, JSON.stringify(note)).ltrim(key, -MAX_RECORDING_NOTES, -1).exec();
      recovered.push(file);
      log.info({ eventId, file }, 'recording recovered');
    } catch (error) {
      // Keep the fragment where it is: a person can still play or remux it by hand.
      log.error({ eventId, file, err: error }, 'recording could not be recovered');
    }
  }
  return recovered;
}
