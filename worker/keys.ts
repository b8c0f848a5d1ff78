// Redis keys and channels the worker and the job client share (the controller reaches them only through
// the job client, so they are not part of protocol/).
export const KEY_PREFIX = 'pitchside:output:';

export const outputKeys = (eventId: string) =>
  ({
    /** JSON OutputPlan: what the event's program output should be doing. */
    plan: `${KEY_PREFIX}${eventId}:plan`,
    /** Pub/sub: a plan changed; the payload is its revision. */
    planChanged: `${KEY_PREFIX}${eventId}:plan-changed`,
    /** Held by the one worker running the event's output (token = job id + worker instance). */
    lock: `${KEY_PREFIX}${eventId}:lock`,
    /** JSON: backend-owned facts a worker that takes over needs (egress ids, recording parts). */
    session: `${KEY_PREFIX}${eventId}:session`,
    /** Failed attempts of the event's output since its last stable run (see OutputWorker). */
    failures: `${KEY_PREFIX}${eventId}:failures`,
    /** List of JSON RecordingNote, oldest first: finished recordings exports can be made from. */
    recordings: `${KEY_PREFIX}${eventId}:recordings`,
    /** Last JobStatusMessage per job type, for panels that connect later. */
    lastStatus: (type: string) => `${KEY_PREFIX}${eventId}:status:${type}`,
  }) as const;

/** BullMQ job id of the event's one program output job: a second start is a no-op at the queue. */
export function programOutputJobId(eventId: string): string {
  return `program-output-${eventId}`;
}
