// Shared pieces of the worker tests: a status listener on the event's channel and a poll helper.
import type { Redis } from 'ioredis';
import type { JobStatusMessage, RedisKeys } from '../../protocol/index.ts';

export class StatusListener {
  readonly messages: JobStatusMessage[] = [];
  readonly raw: string[] = [];
  constructor(
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async start(eventId: string): Promise<void> {
    this.subscriber.on('message', (_c, message) => {
      this.raw.push(message);
      this.messages.push(JSON.parse(message) as JobStatusMessage);
    });
    await this.subscriber.subscribe(this.keys.jobStatusChannel(eventId));
  }

  async waitFor(predicate: (m: JobStatusMessage) => boolean, timeoutMs = 15_000): Promise<JobStatusMessage> {
    let found: JobStatusMessage | undefined;
    await until(() => (found = this.messages.find(predicate)) !== undefined, timeoutMs, 'status message');
    return found as JobStatusMessage;
  }

  close(): void {
    this.subscriber.disconnect();
  }
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
