// The single authority over program state: read, apply the protocol reducer, compare-and-set in Redis
// (state + switch log + realtime publish in one Lua script, so the state is persisted before anyone
// hears of it and revisions are published in order), retry when another process won the race.
import type { Redis } from 'ioredis';
import {
  apply,
  type Command,
  type CommandError,
  type ProgramState,
  type Role,
  type StateMessage,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { AppError, notFound } from './app-error.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

/** Another process can commit between our read and our write; after this many lost races we give up. */
export const MAX_APPLY_ATTEMPTS = 20;

const TAKE_COMMANDS = new Set<Command['type']>(['program.take', 'program.auto', 'program.cut', 'program.cancel']);

// KEYS: state, switch log. ARGV: expected revision, new state, channel, frame, switch entry ('' = none).
const COMMIT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if cjson.decode(current).revision ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[5] ~= '' then redis.call('XADD', KEYS[2], '*', 'entry', ARGV[5]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

interface CommitCommand {
  pitchsideCommit(
    stateKey: string,
    switchKey: string,
    expected: number,
    state: string,
    channel: string,
    frame: string,
    entry: string,
  ): Promise<number>;
}

/** Who sent a command, as the switch log records it. */
export interface Actor {
  role: Role;
  keyId: string;
}

export type ApplyOutcome =
  { ok: true; state: ProgramState; changed: boolean } | { ok: false; state: ProgramState; error: CommandError };

export interface ProgramServiceOptions {
  /** Called after a change is stored and published, in revision order per event (LiveKit relay, metrics). */
  onCommitted?: (eventId: string, message: StateMessage) => void;
  /**
   * Checks a command needs beyond the reducer's (a media URL's address), or null when it needs none.
   * It runs before the command joins the event's queue, so a slow DNS answer never holds up a take.
   */
  vet?: (command: Command) => Promise<void> | null;
  now?: () => number;
}

export class ProgramService {
  readonly #redis: Redis & CommitCommand;
  // One command at a time per event in this process: races are then only between processes.
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #now: () => number;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: ProgramServiceOptions = {},
  ) {
    redis.defineCommand('pitchsideCommit', { numberOfKeys: 2, lua: COMMIT_SCRIPT });
    this.#redis = redis as Redis & CommitCommand;
    this.#now = options.now ?? Date.now;
  }

  async getState(eventId: string): Promise<ProgramState | null> {
    const raw = await this.#redis.get(this.keys.state(eventId));
    return raw === null ? null : (JSON.parse(raw) as ProgramState);
  }

  async requireState(eventId: string): Promise<ProgramState> {
    const state = await this.getState(eventId);
    if (state === null) throw notFound('Event', eventId);
    return state;
  }

  /** Store an event's first state; false when it already has one. */
  async initState(eventId: string, state: ProgramState): Promise<boolean> {
    return (await this.#redis.set(this.keys.state(eventId), JSON.stringify(state), 'NX')) === 'OK';
  }

  apply(eventId: string, command: Command, actor: Actor): Promise<ApplyOutcome> {
    const vetting = this.options.vet?.(command) ?? null;
    if (vetting !== null) return vetting.then(() => this.#enqueue(eventId, command, actor));
    return this.#enqueue(eventId, command, actor);
  }

  #enqueue(eventId: string, command: Command, actor: Actor): Promise<ApplyOutcome> {
    const previous = this.#queues.get(eventId) ?? Promise.resolve();
    const run = previous.then(
      () => this.#applyWithRetry(eventId, command, actor),
      () => this.#applyWithRetry(eventId, command, actor),
    );
    const settled = run.catch(() => undefined);
    this.#queues.set(eventId, settled);
    void settled.then(() => {
      if (this.#queues.get(eventId) === settled) this.#queues.delete(eventId);
    });
    return run;
  }

  async #applyWithRetry(eventId: string, command: Command, actor: Actor): Promise<ApplyOutcome> {
    for (let attempt = 0; attempt < MAX_APPLY_ATTEMPTS; attempt++) {
      const state = await this.requireState(eventId);
      const now = this.#now();
      const result = apply(state, command, { now });
      if (!result.ok) return { ok: false, state, error: result.error };
      if (!result.changed) return { ok: true, state, changed: false };
      const next = result.state;
      const message: StateMessage = { type: 'state', eventId, state: next, serverTime: now };
      const entry =
        TAKE_COMMANDS.has(command.type) && next.take !== null
          ? switchEntry(state, next, actor, now, command.type === 'program.cancel')
          : '';
      const committed = await this.#redis.pitchsideCommit(
        this.keys.state(eventId),
        this.keys.switchLog(eventId),
        state.revision,
        JSON.stringify(next),
        this.keys.realtimeChannel(),
        JSON.stringify(message),
        entry,
      );
      if (committed === -1) throw notFound('Event', eventId);
      if (committed === 1) {
        this.options.onCommitted?.(eventId, message);
        return { ok: true, state: next, changed: true };
      }
    }
    throw new AppError(503, 'BUSY', `Event "${eventId}" is changing too fast to apply this command; try again.`);
  }
}

function switchEntry(before: ProgramState, after: ProgramState, actor: Actor, now: number, cancel: boolean): string {
  const take = after.take;
  if (take === null) return '';
  const entry: Omit<SwitchLogEntry, 'id'> = {
    // On air when the picture changes: a scheduled take at its time; a cancel at the time it withdrew, so
    // exports and the log show the source that really stayed on air.
    time: cancel && before.take !== null ? before.take.startedAt : take.startedAt,
    revision: after.revision,
    source: take.to,
    from: before.program,
    transition: take.transition,
    who: `${actor.role}:${actor.keyId}`,
  };
  return JSON.stringify(entry);
}
