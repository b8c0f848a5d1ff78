// The single authority over program state: apply the protocol reducer, compare-and-set in Redis (state +
// switch log + realtime publish in one Lua script, so the state is persisted before anyone hears of it
// and revisions are published in order), retry with jittered backoff when another process won the race.
//
// Commands for one event queue in this process; whatever queued while a round trip was in flight goes
// out as one batch: each command reduced in order on the last state, then one compare-and-set for the
// lot (one Redis round trip however many panels pressed at once). The state the last commit left is kept,
// so a command needs no read first; the script checks it and, when another process moved on, answers
// with the current state to retry on.
import type { Redis } from 'ioredis';
import {
  apply,
  gameLogEntry,
  type ApplyContext,
  REPLAY_SOURCE_ID,
  type Command,
  type CommandError,
  type ProgramState,
  type Role,
  type StateMessage,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { DEFAULT_LOG_STREAM_MAX_ENTRIES } from '../../runtime/config.ts';
import { AppError, notFound } from './app-error.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

/** Another process can commit between our read and our write; after this many lost races we give up. */
export const MAX_APPLY_ATTEMPTS = 20;
/** Lost races back off for a random time up to base × 2^attempt (capped): processes racing in step fall apart. */
export const RETRY_BACKOFF_BASE_MS = 1;
export const RETRY_BACKOFF_MAX_MS = 40;
/** Commands applied in one compare-and-set at most (a bound on one script's run time in Redis). */
export const MAX_BATCH = 64;

const TAKE_COMMANDS = new Set<Command['type']>([
  'program.take',
  'program.auto',
  'program.cut',
  'program.cancel',
  'replay.play',
  'replay.stop',
  'replay.end',
]);

// KEYS: state, switch log, game log. ARGV: expected revision, new state, channel, log length kept (trimmed
// approximately: whole stream nodes, so a trim costs nothing per entry), number of frames F, F frames,
// number of switch-log entries S, S entries, then game-log entries. Returns 1 stored, -1 no such event, or
// the current state's JSON (a lost race).
const COMMIT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if cjson.decode(current).revision ~= tonumber(ARGV[1]) then return current end
redis.call('SET', KEYS[1], ARGV[2])
local frames = tonumber(ARGV[5])
local switches = tonumber(ARGV[6 + frames])
local first = 7 + frames
for i = first, first + switches - 1 do redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'entry', ARGV[i]) end
for i = first + switches, #ARGV do redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'entry', ARGV[i]) end
for i = 6, 5 + frames do redis.call('PUBLISH', ARGV[3], ARGV[i]) end
return 1
`;

interface CommitCommand {
  pitchsideCommit(
    stateKey: string,
    switchKey: string,
    gameKey: string,
    expected: number,
    state: string,
    channel: string,
    maxEntries: number,
    frameCount: number,
    ...framesThenEntries: Array<string | number>
  ): Promise<number | string>;
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
   * Checks a command needs beyond the reducer's (a media URL's address, a replay clip as stored), or null
   * when it needs none. It runs before the command joins the event's queue, so a slow DNS answer never holds
   * up a take.
   */
  vet?: (eventId: string, command: Command) => Promise<void> | null;
  now?: () => number;
  /**
   * What the reducer needs beyond the state for some commands (the event's OGraf graphics), read once per
   * batch that holds such a command.
   */
  context?: (eventId: string, commands: readonly Command[]) => Promise<Omit<ApplyContext, 'now'>> | null;
  /** Switch log entries kept per event (LOG_STREAM_MAX_ENTRIES); the oldest go first. */
  switchLogMaxEntries?: number;
}

interface Pending {
  command: Command;
  actor: Actor;
  resolve: (outcome: ApplyOutcome) => void;
  reject: (error: unknown) => void;
}

export class ProgramService {
  readonly #redis: Redis & CommitCommand;
  // Commands waiting per event in this process: races are then only between processes.
  readonly #queues = new Map<string, Pending[]>();
  /** The state this process last read or committed per event: a guess the script checks, never trusted alone. */
  readonly #known = new Map<string, ProgramState>();
  readonly #now: () => number;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: ProgramServiceOptions = {},
  ) {
    redis.defineCommand('pitchsideCommit', { numberOfKeys: 3, lua: COMMIT_SCRIPT });
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
    const vetting = this.options.vet?.(eventId, command) ?? null;
    if (vetting !== null) return vetting.then(() => this.#enqueue(eventId, command, actor));
    return this.#enqueue(eventId, command, actor);
  }

  #enqueue(eventId: string, command: Command, actor: Actor): Promise<ApplyOutcome> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(eventId);
      const pending: Pending = { command, actor, resolve, reject };
      if (queue !== undefined) {
        queue.push(pending); // the running drain takes it with the next batch
        return;
      }
      this.#queues.set(eventId, [pending]);
      void this.#drain(eventId);
    });
  }

  async #drain(eventId: string): Promise<void> {
    const queue = this.#queues.get(eventId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const outcomes = await this.#commitBatch(eventId, batch);
        batch.forEach((pending, i) => pending.resolve(outcomes[i]!));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#queues.delete(eventId);
  }

  async #commitBatch(eventId: string, batch: Pending[]): Promise<ApplyOutcome[]> {
    let base = this.#known.get(eventId);
    let fresh = base === undefined;
    base ??= await this.requireState(eventId);
    const context =
      (await this.options.context?.(
        eventId,
        batch.map((p) => p.command),
      )) ?? {};
    for (let attempt = 0; attempt < MAX_APPLY_ATTEMPTS; attempt++) {
      const now = this.#now();
      const outcomes: ApplyOutcome[] = [];
      const frames: string[] = [];
      const entries: string[] = [];
      const games: string[] = [];
      const messages: StateMessage[] = [];
      let state = base;
      for (const { command, actor } of batch) {
        const result = apply(state, command, { ...context, now });
        if (!result.ok) outcomes.push({ ok: false, state, error: result.error });
        else if (!result.changed) outcomes.push({ ok: true, state, changed: false });
        else {
          const next = result.state;
          if (changesPicture(command, state, next))
            entries.push(switchEntry(state, next, actor, command.type === 'program.cancel'));
          const game = gameLogEntry(state, next, now);
          if (game !== null) games.push(JSON.stringify(game));
          const message: StateMessage = { type: 'state', eventId, state: next, serverTime: now };
          messages.push(message);
          frames.push(JSON.stringify(message));
          outcomes.push({ ok: true, state: next, changed: true });
          state = next;
        }
      }
      if (messages.length === 0) {
        // Nothing to write, so no compare-and-set vouches for the state these answers were computed on.
        if (fresh) return outcomes;
        base = await this.requireState(eventId);
        this.#known.set(eventId, base);
        fresh = true;
        continue;
      }
      const reply = await this.#redis.pitchsideCommit(
        this.keys.state(eventId),
        this.keys.switchLog(eventId),
        this.keys.gameLog(eventId),
        base.revision,
        JSON.stringify(state),
        this.keys.realtimeChannel(),
        this.options.switchLogMaxEntries ?? DEFAULT_LOG_STREAM_MAX_ENTRIES,
        frames.length,
        ...frames,
        entries.length,
        ...entries,
        ...games,
      );
      if (reply === 1) {
        this.#known.set(eventId, state);
        for (const message of messages) this.options.onCommitted?.(eventId, message);
        return outcomes;
      }
      if (reply === -1 || typeof reply !== 'string') {
        this.#known.delete(eventId);
        throw notFound('Event', eventId);
      }
      // Lost the race: the script answered with the winner's state; retry on it after a jittered pause.
      base = JSON.parse(reply) as ProgramState;
      this.#known.set(eventId, base);
      fresh = true;
      if (attempt > 0) await backoff(attempt);
    }
    throw new AppError(503, 'BUSY', `Event "${eventId}" is changing too fast to apply this command; try again.`);
  }
}

/**
 * A switch-log entry: every take, and a picture change a command brought along (a replay's automatic
 * return, settled by whichever command came first after its end).
 */
function changesPicture(command: Command, before: ProgramState, after: ProgramState): boolean {
  if (after.take === null) return false;
  return TAKE_COMMANDS.has(command.type) || after.take !== before.take;
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(RETRY_BACKOFF_MAX_MS, RETRY_BACKOFF_BASE_MS * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

function switchEntry(before: ProgramState, after: ProgramState, actor: Actor, cancel: boolean): string {
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
    ...(take.to === REPLAY_SOURCE_ID && after.replay != null ? { replay: after.replay } : {}),
  };
  return JSON.stringify(entry);
}
