// The own player's audience beside the sponsor rotation: every SPONSOR_AUDIENCE_SAMPLE_MS, for each event
// whose rotation is on, the open watch-page connections and each sponsor's airtime so far go into a Redis
// stream, which the exposure report turns into viewer-seconds. One controller process takes each sample
// (a lock held for the interval), so several processes do not count the audience twice.
import type { Redis } from 'ioredis';
import {
  SPONSOR_AUDIENCE_SAMPLE_MS,
  sponsorExposure,
  type ProgramState,
  type SponsorAudienceSample,
} from '../../protocol/index.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';
import { readStreamRange } from '../../runtime/stream-range.ts';

/** A day of 5 s samples, and a reading limit above it (the stream is trimmed to this). */
export const SPONSOR_AUDIENCE_MAX_SAMPLES = 20_000;

export interface SponsorAudienceOptions {
  redis: Redis;
  keys: RedisKeys;
  eventIds: () => Promise<string[]>;
  state: (eventId: string) => Promise<ProgramState | null>;
  viewers: (eventId: string) => Promise<number>;
  now?: () => number;
  intervalMs?: number;
}

export class SponsorAudience {
  readonly #now: () => number;
  readonly #intervalMs: number;

  constructor(private readonly options: SponsorAudienceOptions) {
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? SPONSOR_AUDIENCE_SAMPLE_MS;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Samples every event whose rotation is on (run by a PeriodicTask). */
  async sampleAll(): Promise<void> {
    for (const eventId of await this.options.eventIds()) await this.sample(eventId);
  }

  async sample(eventId: string): Promise<void> {
    const { redis, keys } = this.options;
    const state = await this.options.state(eventId);
    if (state?.sponsors?.on !== true) return;
    // Held a little under the interval, so the next tick (on whichever process) takes the next sample.
    const lock = await redis.set(
      keys.sponsorAudienceLock(eventId),
      '1',
      'PX',
      Math.max(1, this.#intervalMs - 200),
      'NX',
    );
    if (lock !== 'OK') return;
    const time = this.#now();
    const sample: SponsorAudienceSample = {
      time,
      viewers: await this.options.viewers(eventId),
      airtime: Object.fromEntries(sponsorExposure(state, time).map((c) => [c.id, c.ms])),
    };
    await redis.xadd(
      keys.sponsorAudience(eventId),
      'MAXLEN',
      '~',
      SPONSOR_AUDIENCE_MAX_SAMPLES,
      '*',
      'entry',
      JSON.stringify(sample),
    );
  }

  async read(eventId: string): Promise<SponsorAudienceSample[]> {
    return readStreamRange<SponsorAudienceSample>(this.options.redis, this.options.keys.sponsorAudience(eventId), {
      limit: SPONSOR_AUDIENCE_MAX_SAMPLES,
    });
  }
}
