// Job status back to the controller: each JobStatusMessage is published on the event's channel (the
// controller forwards it to panels) and kept as the last status of its type (for panels that join later).
import type { Redis } from 'ioredis';
import {
  JOB_STATUS_TYPES,
  JobStatusMessageSchema,
  assertValid,
  type JobStatusMessage,
  type RedisKeys,
} from '../protocol/index.ts';

/** Last statuses outlive their job by a day, then Redis forgets them. */
const LAST_STATUS_TTL_S = 24 * 3600;

export async function publishJobStatus(redis: Redis, keys: RedisKeys, message: JobStatusMessage): Promise<void> {
  const checked = assertValid(JobStatusMessageSchema, message, 'job status');
  const json = JSON.stringify(checked);
  await redis
    .multi()
    .set(keys.output(checked.eventId).lastStatus(checked.type), json, 'EX', LAST_STATUS_TTL_S)
    .publish(keys.jobStatusChannel(checked.eventId), json)
    .exec();
}

/** The latest output, export and re-render statuses of an event (any may be missing). */
export async function readJobStatuses(redis: Redis, keys: RedisKeys, eventId: string): Promise<JobStatusMessage[]> {
  const output = keys.output(eventId);
  const raws = await redis.mget(...JOB_STATUS_TYPES.map((type) => output.lastStatus(type)));
  return raws
    .filter((r): r is string => r !== null)
    .map((r) => assertValid(JobStatusMessageSchema, JSON.parse(r), 'stored job status'));
}
