// The event's OutputPlan in Redis. The controller changes it through the job client; the worker owning
// the output is told by pub/sub and reads it again, so the latest plan always wins, even across a crash.
import type { Redis } from 'ioredis';
import { OutputPlanSchema, assertValid, type OutputPlan } from '../protocol/index.ts';
import { outputKeys } from './keys.ts';

const MAX_CAS_ATTEMPTS = 20;

export async function readPlan(redis: Redis, eventId: string): Promise<OutputPlan | null> {
  const raw = await redis.get(outputKeys(eventId).plan);
  return raw === null ? null : assertValid(OutputPlanSchema, JSON.parse(raw), 'stored output plan');
}

/**
 * Compare-and-set update: `change` sees the current plan (or null) and returns the next one, or null to
 * delete it, or undefined to leave it. Retries when another writer got there first.
 */
export async function updatePlan(
  redis: Redis,
  eventId: string,
  change: (current: OutputPlan | null) => OutputPlan | null | undefined,
): Promise<OutputPlan | null> {
  const keys = outputKeys(eventId);
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    await redis.watch(keys.plan);
    let current: OutputPlan | null;
    let next: OutputPlan | null | undefined;
    try {
      current = await readPlan(redis, eventId);
      next = change(current);
    } catch (error) {
      await redis.unwatch();
      throw error;
    }
    if (next === undefined) {
      await redis.unwatch();
      return current;
    }
    const tx = redis.multi();
    if (next === null) tx.del(keys.plan);
    else {
      const stored = { ...next, revision: (current?.revision ?? 0) + 1 };
      tx.set(keys.plan, JSON.stringify(assertValid(OutputPlanSchema, stored, 'output plan')));
      tx.publish(keys.planChanged, String(stored.revision));
    }
    const result = await tx.exec();
    if (result !== null) return next === null ? null : { ...next, revision: (current?.revision ?? 0) + 1 };
  }
  throw new Error(`output plan for ${eventId} is changing too fast to update`);
}
