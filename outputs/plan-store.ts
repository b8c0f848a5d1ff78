// The event's OutputPlan in Redis. The controller changes it through the job client; the worker owning
// the output is told by pub/sub and reads it again, so the latest plan always wins, even across a crash.
//
// Updates are a compare-and-set inside one Lua script: the write happens only if the stored plan is still
// the one the change was computed from (the whole stored text, so a plan deleted and started again at the
// same revision is not mistaken for the old one). WATCH/MULTI cannot be used: the controller shares one
// connection between concurrent requests, WATCH belongs to the connection, and the first EXEC clears
// every request's watch, so a second writer silently overwrote the first.
import type { Redis } from 'ioredis';
import { OutputPlanSchema, assertValid, parse, type OutputPlan, type RedisKeys } from '../protocol/index.ts';

/** Writers racing on one event retry this often before the update is refused. */
export const MAX_PLAN_CAS_ATTEMPTS = 20;
/** A lost race waits a random 0..(attempt × this) ms before reading again, so racers spread out. */
const PLAN_CAS_BACKOFF_STEP_MS = 2;
/**
 * KEYS: plan, plan-changed channel. ARGV: the stored plan the change saw ('' = none), the next plan
 * ('' = delete), its revision. Returns 1 when written, 0 when another writer changed the plan first.
 */
const COMPARE_AND_SET = `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('PUBLISH', KEYS[2], ARGV[3])
end
return 1
`;

export async function readPlan(redis: Redis, keys: RedisKeys, eventId: string): Promise<OutputPlan | null> {
  return parsePlan(await redis.get(keys.output(eventId).plan));
}

/** A stored plan its schema refuses (a destination kind this version does not know): no retry can fix it. */
export class InvalidPlanError extends TypeError {
  override readonly name = 'InvalidPlanError';
}

function parsePlan(raw: string | null): OutputPlan | null {
  if (raw === null) return null;
  const parsed = parse(OutputPlanSchema, JSON.parse(raw));
  if (!parsed.ok) throw new InvalidPlanError(`stored output plan: ${parsed.error.field} ${parsed.error.message}`);
  return parsed.value;
}

/**
 * Compare-and-set update: `change` sees the current plan (or null) and returns the next one, or null to
 * delete it, or undefined to leave it. Retries (with a short random backoff) when another writer got
 * there first; `change` may therefore run more than once and must not have side effects.
 */
export async function updatePlan(
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  change: (current: OutputPlan | null) => OutputPlan | null | undefined,
): Promise<OutputPlan | null> {
  const output = keys.output(eventId);
  for (let attempt = 0; attempt < MAX_PLAN_CAS_ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(Math.random() * attempt * PLAN_CAS_BACKOFF_STEP_MS);
    const raw = await redis.get(output.plan);
    const current = parsePlan(raw);
    const next = change(current);
    if (next === undefined) return current;
    const stored =
      next === null
        ? null
        : assertValid(OutputPlanSchema, { ...next, revision: (current?.revision ?? 0) + 1 }, 'output plan');
    const written = await redis.eval(
      COMPARE_AND_SET,
      2,
      output.plan,
      output.planChanged,
      raw ?? '',
      stored === null ? '' : JSON.stringify(stored),
      String(stored?.revision ?? 0),
    );
    if (written === 1) return stored;
  }
  throw new Error(`output plan for ${eventId} is changing too fast to update`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
