// One program output per event across every worker: a Redis lock with a TTL that its holder keeps
// renewing. BullMQ's job id already stops a second job; the lock also covers a worker that stalled (GC,
// network) while another took the job over, so two never drive one event's output at once.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../protocol/index.ts';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const LOCK_POLL_MS = 250;

export class OutputBusyError extends Error {
  override readonly name = 'OutputBusyError';
  readonly code = 'OUTPUT_BUSY';
}

export class OutputLock {
  #timer: NodeJS.Timeout | null = null;
  readonly #key: string;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    eventId: string,
    private readonly token: string,
    private readonly ttlMs: number,
  ) {
    this.#key = keys.output(eventId).lock;
  }

  /**
   * Takes the lock, waiting up to one TTL for a holder that died to let go, and renews it every ttl/3;
   * `onLost` runs if another holder has it at a renewal.
   */
  async start(onLost: () => void): Promise<void> {
    const deadline = Date.now() + this.ttlMs + LOCK_POLL_MS;
    for (;;) {
      const taken = await this.redis.set(this.#key, this.token, 'PX', this.ttlMs, 'NX');
      if (taken === 'OK' || (await this.redis.get(this.#key)) === this.token) break;
      if (Date.now() > deadline) throw new OutputBusyError("another worker is running this event's output");
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    this.#timer = setInterval(
      () => {
        this.redis.eval(RENEW, 1, this.#key, this.token, String(this.ttlMs)).then(
          (renewed) => renewed === 1 || onLost(),
          () => undefined, // a Redis blip: the next renewal tries again before the TTL runs out
        );
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.redis.eval(RELEASE, 1, this.#key, this.token);
  }
}
