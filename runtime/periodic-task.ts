// A housekeeping task (a retention sweep, a cleanup) run once at start and then every interval until
// closed. A run that fails is logged and the next one tries again; close waits for a run in flight, so a
// process shuts down only after the files it was removing are gone or left whole.
export interface PeriodicTaskOptions {
  /** What the log says when a run fails. */
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  log: { warn: (details: { err: unknown }, message: string) => void };
}

export class PeriodicTask {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PeriodicTaskOptions) {}

  start(): void {
    const tick = (): void => {
      this.#running = this.options
        .run()
        .catch((error: unknown) => this.options.log.warn({ err: error }, `${this.options.name} failed`));
    };
    tick();
    this.#timer = setInterval(tick, this.options.intervalMs);
    // Housekeeping never keeps a process alive on its own.
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
