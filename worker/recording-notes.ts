// Finished recordings per event, noted by the worker when an output stops, read by the controller to
// offer exports. Only the newest few are kept: older files stay on disk but drop off the list.
import type { Redis } from 'ioredis';
import { RecordingNoteSchema, assertValid, type RecordingNote } from '../protocol/index.ts';
import { outputKeys } from './keys.ts';
import type { OutputSessionResult } from './output-backend.ts';

export const MAX_RECORDING_NOTES = 50;

export async function noteRecordings(redis: Redis, eventId: string, result: OutputSessionResult): Promise<void> {
  if (result.recordings.length === 0) return;
  const key = outputKeys(eventId).recordings;
  const notes = result.recordings.map((file) =>
    JSON.stringify({ file, startedAt: result.recordingStartedAt, endedAt: Date.now() } satisfies RecordingNote),
  );
  await redis
    .multi()
    .rpush(key, ...notes)
    .ltrim(key, -MAX_RECORDING_NOTES, -1)
    .exec();
}

export async function readRecordingNotes(redis: Redis, eventId: string): Promise<RecordingNote[]> {
  const raws = await redis.lrange(outputKeys(eventId).recordings, 0, -1);
  return raws.map((raw) => assertValid(RecordingNoteSchema, JSON.parse(raw), 'recording note'));
}
