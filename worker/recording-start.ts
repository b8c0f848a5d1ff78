// The server time of a recording's first frame, kept in a small file beside the recording while it is
// made. Exports place the switch log's takes on the file by it; a worker killed before it could note the
// recording leaves only the files, and the next worker reads the time back from here when it recovers them.
import { readFile, writeFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { parse } from '../protocol/index.ts';

const RecordingStartSchema = Type.Object({ startedAt: Type.Number({ minimum: 0 }) });

export function recordingStartFile(recording: string): string {
  return `${recording}.start.json`;
}

export async function writeRecordingStart(recording: string, startedAt: number): Promise<void> {
  await writeFile(recordingStartFile(recording), `${JSON.stringify({ startedAt })}\n`);
}

/** null when there is no readable start file. */
export async function readRecordingStart(recording: string): Promise<number | null> {
  const text = await readFile(recordingStartFile(recording), 'utf8').catch(() => null);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = parse(RecordingStartSchema, json);
  return parsed.ok ? parsed.value.startedAt : null;
}
