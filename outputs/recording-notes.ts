// Finished recordings per event, noted by the worker when an output stops, read by the controller to
// offer exports. Only the newest few are kept: older files stay on disk but drop off the list.
import type { Redis } from 'ioredis';
import { RecordingNoteSchema, assertValid, type RecordingNote, type RedisKeys } from '../protocol/index.ts';

export const MAX_RECORDING_NOTES = 50;

export async function noteRecordings(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  result: { recordings: string[]; recordingStartedAt: number | null },
): Promise<void> {
  if (result.recordings.length === 0) return;
  const key = keys.output(eventId).recordings;
  const notes = result.recordings.map((file) =>
    JSON.stringify({ file, startedAt: result.recordingStartedAt, endedAt: Date.now() } satisfies RecordingNote),
  );
  await redis
    .multi()
    .rpush(key, ...notes)
    .ltrim(key, -MAX_RECORDING_NOTES, -1)
    .exec();
}

export async function readRecordingNotes(redis: Redis, keys: RedisKeys, eventId: string): Promise<RecordingNote[]> {
  const raws = await redis.lrange(keys.output(eventId).recordings, 0, -1);
  return raws.map((raw) => assertValid(RecordingNoteSchema, JSON.parse(raw), 'recording note'));
}
