// The automatic return at a replay's end. Every renderer already leaves the replay at endsAt by server time
// (protocol settleReplay); this commits replay.end then, so the stored state, tally, control surfaces and the
// switch log follow. Any controller process that committed the replay schedules it; the command is a no-op
// for all but the first, and a controller restarted mid-replay leaves it to the next command (which settles).
import type { ProgramState } from '../../protocol/index.ts';
import type { Actor, ProgramService } from './program-service.ts';

/** Commit a moment after the end, so the reducer's clock is surely past it. */
const AFTER_END_MS = 20;
const ACTOR: Actor = { role: 'admin', keyId: 'replay-return' };

export class ReplayReturns {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(
    private readonly program: () => ProgramService,
    private readonly onError: (eventId: string, error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every committed state of an event: (re)schedules or cancels its return. */
  handle(eventId: string, state: ProgramState): void {
    clearTimeout(this.#timers.get(eventId));
    this.#timers.delete(eventId);
    const replay = state.replay;
    if (this.#closed || replay === undefined || replay === null || replay.stay || replay.returnTo === null) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(eventId);
        this.program()
          .apply(eventId, { type: 'replay.end' }, ACTOR)
          .catch((error: unknown) => this.onError(eventId, error));
      },
      Math.max(0, replay.endsAt - this.now()) + AFTER_END_MS,
    );
    this.#timers.set(eventId, timer);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
