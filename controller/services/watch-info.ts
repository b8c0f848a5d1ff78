// The viewer page's view of an event: name, public channels and status. The status is derived from the
// program output's last status, which the worker keeps in Redis (outputs/job-status.ts).
import type { Redis } from 'ioredis';
import {
  eventStatusOf,
  livePlaylistOf,
  type OutputStatusMessage,
  type RedisKeys,
  type WatchInfo,
} from '../../protocol/index.ts';
import { readJobStatuses } from '../../outputs/job-status.ts';
import type { StoredEvent } from './event-store.ts';

export function toWatchInfo(event: StoredEvent, output: OutputStatusMessage | null): WatchInfo {
  const playlist = livePlaylistOf(output);
  return {
    eventId: event.id,
    name: event.name,
    channels: event.channels ?? {},
    status: eventStatusOf(output),
    ...(playlist === undefined ? {} : { playlist }),
  };
}

export async function readWatchInfo(redis: Redis, keys: RedisKeys, event: StoredEvent): Promise<WatchInfo> {
  const output =
    (await readJobStatuses(redis, keys, event.id)).find((s): s is OutputStatusMessage => s.type === 'job.output') ??
    null;
  return toWatchInfo(event, output);
}
