// Events in Redis: metadata, join code and room lookups, destinations with their secrets. Secrets never
// leave this module except through getDestinationsWithSecrets, which the worker imports (never an HTTP
// answer). Every API view goes through toEventView, which masks them.
import { createHash, randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  createInitialState,
  JOIN_CODE_ALPHABET,
  JOIN_CODE_LENGTH,
  eventRoom,
  periodStartClock,
  resolveSportRules,
  destinationFromInput,
  destinationKind,
  DestinationInputError,
  type SportRulesPatch,
  type Destination,
  type DestinationInput,
  type DestinationView,
  type EventChannels,
  type EventCreate,
  type EventUpdate,
  type PitchsideEvent,
  type Source,
  type TeamInfo,
} from '../../protocol/index.ts';
import { AppError, notFound } from './app-error.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';

const MAX_CODE_ATTEMPTS = 20;
/** Edits of one event from several processes retry a lost compare-and-set this many times. */
const MAX_EDIT_ATTEMPTS = 20;

// Compare-and-set of the stored event. KEYS: event, a replaced join code's key to delete (KEYS[1] again
// when none). ARGV: expected JSON, new JSON. Returns 1 stored, 0 changed meanwhile (retry), -1 gone.
const EDIT_EVENT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[2] ~= KEYS[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

interface EditEventCommand {
  pitchsideEditEvent(event: string, releaseCode: string, expected: string, next: string): Promise<number>;
}
export const MASK_PREFIX = '••••';
/** Hex digits of the key's SHA-256 shown, so operators can tell two keys apart without any of either. */
const KEY_FINGERPRINT_HEX = 4;

export interface StoredEvent extends Omit<
  PitchsideEvent,
  'destinations' | 'channels' | 'rules' | 'ruleOverrides' | 'publicPlayback'
> {
  destinations: Destination[];
  channels?: EventChannels;
  /** Events stored before public playback existed have none (= off). */
  publicPlayback?: boolean;
  /** The producer's overrides of the sport preset (events stored before rules existed have none). */
  ruleOverrides?: SportRulesPatch;
}

export interface CreateEventOptions {
  /** Program sources the event starts with (the demo's test sources). */
  sources?: Source[];
  now?: number;
}

/**
 * A stored key as answers show it: no character of it (a tail like YouTube's last group is a quarter of
 * the key), only a short fingerprint that changes when the key does.
 */
export function maskStreamKey(key: string): string {
  return `${MASK_PREFIX} #${createHash('sha256').update(key).digest('hex').slice(0, KEY_FINGERPRINT_HEX)}`;
}

export function toDestinationView(d: Destination): DestinationView {
  return destinationKind(d.kind).view(d, maskStreamKey);
}

export function toEventView(event: StoredEvent): PitchsideEvent {
  // Events stored before channels or rules existed have none.
  const ruleOverrides = event.ruleOverrides ?? {};
  return {
    ...event,
    rules: resolveSportRules(event.sport, ruleOverrides),
    ruleOverrides,
    destinations: event.destinations.map(toDestinationView),
    channels: event.channels ?? {},
    publicPlayback: event.publicPlayback ?? false,
  };
}

function slug(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return base === '' ? 'event' : base;
}

export function teamDefaults(team: TeamInfo): { name: string; short: string; colour?: string } {
  return {
    name: team.name,
    short:
      team.short ??
      team.name
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 3)
        .toUpperCase(),
    ...(team.colour === undefined ? {} : { colour: team.colour }),
  };
}

export class EventStore {
  readonly #redis: Redis & EditEventCommand;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('pitchsideEditEvent', { numberOfKeys: 2, lua: EDIT_EVENT_SCRIPT });
    this.#redis = redis as Redis & EditEventCommand;
  }

  async create(input: EventCreate, options: CreateEventOptions = {}): Promise<StoredEvent> {
    const now = options.now ?? Date.now();
    const id =
      input.id ??
      `${slug(input.name)}-${randomInt(36 ** 4)
        .toString(36)
        .padStart(4, '0')}`;
    const destinations = mergeDestinations([], input.destinations ?? []);
    if (!(await this.redis.sadd(this.keys.events(), id))) {
      throw new AppError(409, 'EXISTS', `An event with id "${id}" already exists.`, '/id');
    }
    try {
      const joinCode = await this.#reserveJoinCode(id);
      const event: StoredEvent = {
        id,
        name: input.name,
        sport: input.sport,
        ruleOverrides: input.rules ?? {},
        home: input.home,
        away: input.away,
        joinCode,
        room: eventRoom(id),
        destinations,
        channels: input.channels ?? {},
        publicPlayback: input.publicPlayback ?? false,
        createdAt: now,
        updatedAt: now,
      };
      const rules = resolveSportRules(input.sport, input.rules);
      const initial = createInitialState({
        now,
        sources: options.sources ?? [],
        home: teamDefaults(input.home),
        away: teamDefaults(input.away),
      });
      // The sport sets the scorebug's first period and the clock's direction, length and visibility.
      const state = {
        ...initial,
        scorebug: { ...initial.scorebug, period: rules.periods[0] ?? initial.scorebug.period },
        clock: { ...initial.clock, ...periodStartClock(rules) },
      };
      await this.redis
        .multi()
        .set(this.keys.event(id), JSON.stringify(event))
        .set(this.keys.room(event.room), id)
        .set(this.keys.state(id), JSON.stringify(state), 'NX')
        .exec();
      return event;
    } catch (error) {
      await this.redis.srem(this.keys.events(), id);
      throw error;
    }
  }

  async get(eventId: string): Promise<StoredEvent | null> {
    const raw = await this.redis.get(this.keys.event(eventId));
    return raw === null ? null : (JSON.parse(raw) as StoredEvent);
  }

  async require(eventId: string): Promise<StoredEvent> {
    const event = await this.get(eventId);
    if (event === null) throw notFound('Event', eventId);
    return event;
  }

  async list(): Promise<StoredEvent[]> {
    const ids = (await this.redis.smembers(this.keys.events())).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.event(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as StoredEvent);
  }

  async update(eventId: string, patch: EventUpdate): Promise<StoredEvent> {
    return this.#edit(eventId, (event) => ({
      ...event,
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.sport === undefined ? {} : { sport: patch.sport }),
      ...(patch.rules === undefined ? {} : { ruleOverrides: patch.rules }),
      ...(patch.home === undefined ? {} : { home: patch.home }),
      ...(patch.away === undefined ? {} : { away: patch.away }),
      destinations:
        patch.destinations === undefined
          ? event.destinations
          : mergeDestinations(event.destinations, patch.destinations),
      ...(patch.channels === undefined ? {} : { channels: patch.channels }),
      ...(patch.publicPlayback === undefined ? {} : { publicPlayback: patch.publicPlayback }),
      updatedAt: Date.now(),
    }));
  }

  /** A new join code; the old one stops admitting cameras at once (cameras that joined keep their keys). */
  async rotateJoinCode(eventId: string): Promise<string> {
    await this.require(eventId);
    const code = await this.#reserveJoinCode(eventId);
    try {
      let previous = '';
      await this.#edit(
        eventId,
        (event) => {
          previous = event.joinCode;
          return { ...event, joinCode: code, updatedAt: Date.now() };
        },
        () => this.keys.joinCode(previous),
      );
      return code;
    } catch (error) {
      await this.redis.del(this.keys.joinCode(code));
      throw error;
    }
  }

  /** Read, change, compare-and-set: edits from several processes never undo each other. */
  async #edit(
    eventId: string,
    change: (event: StoredEvent) => StoredEvent,
    release: () => string = () => this.keys.event(eventId),
  ): Promise<StoredEvent> {
    for (let attempt = 0; attempt < MAX_EDIT_ATTEMPTS; attempt++) {
      const raw = await this.redis.get(this.keys.event(eventId));
      if (raw === null) throw notFound('Event', eventId);
      const next = change(JSON.parse(raw) as StoredEvent);
      const stored = await this.#redis.pitchsideEditEvent(
        this.keys.event(eventId),
        release(),
        raw,
        JSON.stringify(next),
      );
      if (stored === -1) throw notFound('Event', eventId);
      if (stored === 1) return next;
    }
    throw new AppError(503, 'BUSY', `Event "${eventId}" is being edited too fast; try again.`);
  }

  /**
   * Removes the event and everything kept under it (state, logs, cameras, commentary seats, presence, the ISO
   * index and replay clips; their files stay on disk like recordings). Keys: KeyStore.revokeEvent.
   */
  async delete(eventId: string): Promise<void> {
    const event = await this.require(eventId);
    const isoCameras = await this.redis.smembers(this.keys.isoCameras(eventId));
    await this.redis
      .multi()
      .srem(this.keys.events(), eventId)
      .del(
        this.keys.event(eventId),
        this.keys.joinCode(event.joinCode),
        this.keys.room(event.room),
        this.keys.state(eventId),
        this.keys.switchLog(eventId),
        this.keys.gameLog(eventId),
        this.keys.sponsorAudience(eventId),
        this.keys.eventLog(eventId),
        this.keys.cameras(eventId),
        this.keys.cameraDevices(eventId),
        this.keys.commentarySeats(eventId),
        this.keys.seatsOnline(eventId),
        this.keys.feedConfig(eventId),
        this.keys.presence(eventId),
        this.keys.chat(eventId),
        this.keys.chatSettings(eventId),
        this.keys.chatBlocked(eventId),
        this.keys.isoCameras(eventId),
        this.keys.replayClips(eventId),
        ...isoCameras.flatMap((camera) => [this.keys.isoSegments(eventId, camera), this.keys.isoSeq(eventId, camera)]),
      )
      .exec();
  }

  async findByJoinCode(code: string): Promise<string | null> {
    return this.redis.get(this.keys.joinCode(code.toUpperCase()));
  }

  async findByRoom(room: string): Promise<string | null> {
    return this.redis.get(this.keys.room(room));
  }

  /** For the worker only: the destinations with their stream keys. Never put these in an answer or a log. */
  async getDestinationsWithSecrets(eventId: string): Promise<Destination[]> {
    return (await this.require(eventId)).destinations;
  }

  async #reserveJoinCode(eventId: string): Promise<string> {
    for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
      const code = Array.from(
        { length: JOIN_CODE_LENGTH },
        () => JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)],
      ).join('');
      if ((await this.redis.set(this.keys.joinCode(code), eventId, 'NX')) === 'OK') return code;
    }
    throw new AppError(503, 'NO_JOIN_CODE', 'Could not find a free join code; try again.');
  }
}

/** Applies a client's destination list to the stored one, keeping stored secrets the client cannot see. */
function mergeDestinations(stored: Destination[], inputs: DestinationInput[]): Destination[] {
  const used = new Set<string>();
  const id = (input: DestinationInput, field: string): string => {
    let id = input.id ?? input.kind;
    for (let n = 2; input.id === undefined && used.has(id); n++) id = `${input.kind}-${n}`;
    if (used.has(id)) throw new AppError(400, 'INVALID', `Destination id "${id}" is used twice.`, `${field}/id`);
    used.add(id);
    return id;
  };
  return inputs.map((input, index) => {
    const field = `/destinations/${index}`;
    const previous = input.id === undefined ? undefined : stored.find((d) => d.id === input.id);
    try {
      return destinationFromInput(input, id(input, field), previous);
    } catch (error) {
      if (!(error instanceof DestinationInputError)) throw error;
      throw new AppError(400, 'INVALID', error.message, `${field}${error.field}`);
    }
  });
}
