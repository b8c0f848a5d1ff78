// Commentary seats of an event (protocol/commentary.ts): kept in Redis beside the cameras, each one a sound-only
// program source of kind `commentary` and the owner of one key bound to it. Making a seat adds its source and
// issues its key; removing it takes the source out, forgets the seat and revokes the key, which closes the
// seat page's sockets on every controller process.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MAX_COMMENTARY_SEATS, type Seat } from '../../protocol/index.ts';
import { AppError, notFound } from './app-error.ts';
import type { EventLog } from './event-log.ts';
import type { KeyStore } from './key-store.ts';
import type { Actor, ProgramService } from './program-service.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

const SEAT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newSeatId(): string {
  return `seat-${Array.from(randomBytes(6), (b) => SEAT_ID_ALPHABET[b % SEAT_ID_ALPHABET.length]).join('')}`;
}

// The seat count and the new seat in one step: two directors adding seats at once cannot pass the limit.
// KEYS: seats hash. ARGV: seat id, seat JSON, limit. Returns 0 when the event is full.
const ADD_SEAT_SCRIPT = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

export interface CommentarySeatsOptions {
  redis: Redis;
  keys: RedisKeys;
  program: ProgramService;
  apiKeys: KeyStore;
  eventLog: EventLog;
}

export class CommentarySeats {
  readonly #options: CommentarySeatsOptions;

  constructor(options: CommentarySeatsOptions) {
    this.#options = options;
  }

  async list(eventId: string): Promise<Seat[]> {
    const all = await this.#options.redis.hgetall(this.#options.keys.commentarySeats(eventId));
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as Seat)
      .sort((a, b) => a.created - b.created);
  }

  async get(eventId: string, seatId: string): Promise<Seat | null> {
    const raw = await this.#options.redis.hget(this.#options.keys.commentarySeats(eventId), seatId);
    return raw === null ? null : (JSON.parse(raw) as Seat);
  }

  async require(eventId: string, seatId: string): Promise<Seat> {
    const seat = await this.get(eventId, seatId);
    if (seat === null) throw notFound('Commentary seat', seatId);
    return seat;
  }

  /**
   * A new seat: its record, its program source and its own key. The event must exist (the caller checks).
   * `actor` null: the seat makes itself (a join by code), and the switch log says so.
   */
  async create(
    eventId: string,
    label: string,
    by: Actor | null,
    now = Date.now(),
  ): Promise<{ seat: Seat; key: string }> {
    const { redis, keys, program, apiKeys, eventLog } = this.#options;
    const seat: Seat = { id: newSeatId(), label, created: now };
    const actor: Actor = by ?? { role: 'commentary', keyId: seat.id };
    const added = await redis.eval(
      ADD_SEAT_SCRIPT,
      1,
      keys.commentarySeats(eventId),
      seat.id,
      JSON.stringify(seat),
      MAX_COMMENTARY_SEATS,
    );
    if (added === 0)
      throw new AppError(409, 'TOO_MANY_SEATS', `An event has at most ${MAX_COMMENTARY_SEATS} commentary seats.`);
    let key: string;
    try {
      const source = await program.apply(
        eventId,
        { type: 'source.add', source: { id: seat.id, label, kind: 'commentary', participant: seat.id } },
        actor,
      );
      if (!source.ok) throw new AppError(409, source.error.code, source.error.message);
      key = await apiKeys.issueSeatKey(eventId, seat.id);
    } catch (error) {
      // Nothing half made is left: no seat without its source, no source without its key.
      await redis.hdel(keys.commentarySeats(eventId), seat.id);
      await program.apply(eventId, { type: 'source.remove', id: seat.id }, actor);
      throw error;
    }
    await eventLog.append(eventId, {
      level: 'info',
      kind: 'commentary.added',
      message: `Commentary seat ${label} added (${seat.id}).`,
      data: { seatId: seat.id },
    });
    return { seat, key };
  }

  /** Whether the seat's page is connected (its event socket open), as the realtime route says. */
  async setOnline(eventId: string, seatId: string, online: boolean): Promise<void> {
    const key = this.#options.keys.seatsOnline(eventId);
    if (online) await this.#options.redis.sadd(key, seatId);
    else await this.#options.redis.srem(key, seatId);
  }

  async isOnline(eventId: string, seatId: string): Promise<boolean> {
    return (await this.#options.redis.sismember(this.#options.keys.seatsOnline(eventId), seatId)) === 1;
  }

  /** The seat, its source and its key go; its page's sockets close. */
  async remove(eventId: string, seatId: string, actor: Actor): Promise<void> {
    const { redis, keys, program, apiKeys, eventLog } = this.#options;
    const seat = await this.require(eventId, seatId);
    const removed = await program.apply(eventId, { type: 'source.remove', id: seatId }, actor);
    if (!removed.ok && removed.error.code !== 'UNKNOWN_SOURCE')
      throw new AppError(422, removed.error.code, removed.error.message);
    await redis.hdel(keys.commentarySeats(eventId), seatId);
    await redis.srem(keys.seatsOnline(eventId), seatId);
    await apiKeys.revokeSeatKey(eventId, seatId);
    await eventLog.append(eventId, {
      level: 'info',
      kind: 'commentary.removed',
      message: `Commentary seat ${seat.label} removed (${seatId}).`,
      data: { seatId },
    });
  }
}
