// An event's data feed (protocol/data-feed.ts): its setup in Redis, and the one path every feed kind's packets
// take into program state: mapped by the event's mapping, committed as a `feed.update` through ProgramService
// (revisioned, published, attributed to the feed in the event log), with a watchdog per event that commits
// `feed.stale` once no packet has come for the feed's staleAfterMs. A source that connects out (feeds/) runs here
// from the moment the producer sets it until it is changed or the controller stops.
import type { Redis } from 'ioredis';
import {
  DEFAULT_FEED_CONFIG,
  FeedConfigSchema,
  daktronicsEndpoint,
  mapFeedPacket,
  parse,
  type CommandResponse,
  type FeedConfig,
  type FeedConfigPatch,
  type FeedKind,
  type FeedPacket,
  type FeedSource,
  type FeedState,
} from '../../protocol/index.ts';
import { OutboundRefused, type OutboundPolicy } from '../../runtime/outbound-policy.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';
import { AppError } from './app-error.ts';
import type { EventLog } from './event-log.ts';
import type { Actor, ProgramService } from './program-service.ts';
import { DaktronicsFeed } from './feeds/daktronics-feed.ts';
import { PollFeed } from './feeds/poll-feed.ts';
import type { FeedConnector, FeedConnectorOptions } from './feeds/feed-connector.ts';

/** The watchdog's name in the switch and event logs. */
const WATCHDOG: Actor = { role: 'feed', keyId: 'watchdog' };

export interface DataFeedServiceOptions {
  redis: Redis;
  keys: RedisKeys;
  program: ProgramService;
  eventLog: EventLog;
  /** Where a source that connects out may point (ALLOW_PRIVATE_NETWORKS), as for media URLs. */
  outbound: OutboundPolicy;
}

export class DataFeedService {
  readonly #options: DataFeedServiceOptions;
  readonly #watchdogs = new Map<string, NodeJS.Timeout>();
  /** When this process last committed a packet per event (state keeps it only to the heartbeat). */
  readonly #heardAt = new Map<string, number>();
  /** The feed state each event's last commit here left, to log what a packet changed. */
  readonly #lastSeen = new Map<string, FeedState>();
  readonly #connectors = new Map<string, FeedConnector>();
  #closed = false;

  constructor(options: DataFeedServiceOptions) {
    this.#options = options;
  }

  async config(eventId: string): Promise<FeedConfig> {
    const raw = await this.#options.redis.get(this.#options.keys.feedConfig(eventId));
    if (raw === null) return DEFAULT_FEED_CONFIG;
    const parsed = parse(FeedConfigSchema, JSON.parse(raw));
    return parsed.ok ? parsed.value : DEFAULT_FEED_CONFIG;
  }

  /** Changes the setup field by field; the staleness reaches program state so every desk judges alike. */
  async configure(eventId: string, patch: FeedConfigPatch, by: Actor): Promise<FeedConfig> {
    if (patch.source !== undefined) await this.#vetSource(patch.source);
    const config: FeedConfig = { ...(await this.config(eventId)), ...patch };
    await this.#options.redis.set(this.#options.keys.feedConfig(eventId), JSON.stringify(config));
    if (patch.source !== undefined) await this.#restart(eventId, config.source);
    const staleAfterMs = config.staleAfterSeconds * 1000;
    const outcome = await this.#options.program.apply(eventId, { type: 'feed.configure', staleAfterMs }, by);
    if (outcome.ok && outcome.state.feed !== undefined) this.#arm(eventId, outcome.state.feed.staleAfterMs);
    return config;
  }

  /**
   * One packet from a feed of `kind`, sent by `by`: mapped, then committed. A packet the mapping cannot place
   * is a 400 naming its field, and changes nothing.
   */
  async receive(eventId: string, packet: FeedPacket, kind: FeedKind, by: Actor): Promise<CommandResponse> {
    const config = await this.config(eventId);
    const mapped = mapFeedPacket(packet, config.mapping);
    if (!mapped.ok)
      throw new AppError(400, 'INVALID', `${mapped.error.field} ${mapped.error.message}`, mapped.error.field);
    const outcome = await this.#options.program.apply(eventId, { type: 'feed.update', kind, ...mapped.packet }, by);
    if (!outcome.ok) {
      const field = outcome.error.field === undefined ? undefined : `/${outcome.error.field}`;
      throw new AppError(422, outcome.error.code, outcome.error.message, field);
    }
    const before = this.#lastSeen.get(eventId);
    const feed = outcome.state.feed;
    if (feed !== undefined) {
      this.#lastSeen.set(eventId, feed);
      this.#heardAt.set(eventId, Date.now());
      this.#arm(eventId, feed.staleAfterMs);
      if (outcome.changed) await this.#logChange(eventId, before, feed, by);
    }
    return { revision: outcome.state.revision, state: outcome.state };
  }

  /** Starts the sources that connect out of every event that has one (at the controller's start). */
  async startAll(eventIds: readonly string[]): Promise<void> {
    for (const eventId of eventIds) {
      const { source } = await this.config(eventId);
      if (source.kind !== 'push') await this.#restart(eventId, source);
    }
  }

  /** A source's fields a person must fix, as a 400 naming the field, before anything is saved or started. */
  async #vetSource(source: FeedSource): Promise<void> {
    if (source.kind === 'poll') return this.#vetAddress(source.url, '/source/url');
    if (source.kind !== 'daktronics') return;
    const endpoint = daktronicsEndpoint(source);
    if (!endpoint.ok) throw new AppError(400, 'INVALID', `${endpoint.field} ${endpoint.message}`, endpoint.field);
    if ('host' in endpoint) await this.#vetAddress(`tcp://${endpoint.host}:${endpoint.port}`, '/source/host');
  }

  /** The outbound rules of media URLs; a name that does not resolve yet is checked again at each connection. */
  async #vetAddress(url: string, field: string): Promise<void> {
    try {
      await this.#options.outbound.check(url, 'allow');
    } catch (error) {
      if (!(error instanceof OutboundRefused)) throw error;
      throw new AppError(400, 'ADDRESS_NOT_ALLOWED', `This address may not be used: ${error.message}.`, field);
    }
  }

  async #restart(eventId: string, source: FeedSource): Promise<void> {
    const running = this.#connectors.get(eventId);
    this.#connectors.delete(eventId);
    await running?.close();
    if (this.#closed) return;
    const connector = this.#connectorFor(eventId, source);
    if (connector === null) return;
    this.#connectors.set(eventId, connector);
    connector.start();
  }

  /** One line per kind that connects out; the push endpoint needs none. */
  #connectorFor(eventId: string, source: FeedSource): FeedConnector | null {
    const options: FeedConnectorOptions = {
      packet: (packet) => this.#fromConnector(eventId, source.kind, packet),
      status: (level, message) =>
        void this.#options.eventLog.append(eventId, { level, kind: 'feed.connection', message }).catch(() => {}),
    };
    switch (source.kind) {
      case 'push':
        return null;
      case 'daktronics':
        return new DaktronicsFeed(source, this.#options.outbound, options);
      case 'poll':
        return new PollFeed(source, this.#options.outbound, options);
    }
  }

  async #fromConnector(eventId: string, kind: FeedKind, packet: FeedPacket): Promise<void> {
    try {
      await this.receive(eventId, packet, kind, { role: 'feed', keyId: kind });
    } catch (error) {
      // The event is gone: its source stops (not awaited: closing waits for this very packet).
      if (error instanceof AppError && error.statusCode === 404) {
        const connector = this.#connectors.get(eventId);
        this.#connectors.delete(eventId);
        void connector?.close();
      }
    }
  }

  /** Commit `feed.stale` when the feed's quiet time is up (a packet before then re-arms it). */
  #arm(eventId: string, staleAfterMs: number): void {
    const heardAt = this.#heardAt.get(eventId);
    if (this.#closed || heardAt === undefined) return;
    clearTimeout(this.#watchdogs.get(eventId));
    const timer = setTimeout(
      () => {
        this.#watchdogs.delete(eventId);
        void this.#checkStale(eventId).catch(() => {});
      },
      Math.max(0, heardAt + staleAfterMs - Date.now()),
    );
    timer.unref();
    this.#watchdogs.set(eventId, timer);
  }

  async #checkStale(eventId: string): Promise<void> {
    const outcome = await this.#options.program.apply(eventId, { type: 'feed.stale' }, WATCHDOG);
    const feed = outcome.state.feed;
    if (!outcome.ok || feed === undefined) return;
    this.#lastSeen.set(eventId, feed);
    if (outcome.changed && feed.stale) {
      await this.#options.eventLog.append(eventId, {
        level: 'warn',
        kind: 'feed.stale',
        message: `The data feed has sent nothing for ${Math.round(feed.staleAfterMs / 1000)} s: the clock runs on from its last known state.`,
      });
    }
  }

  async #logChange(eventId: string, before: FeedState | undefined, after: FeedState, by: Actor): Promise<void> {
    const who = `${by.role}:${by.keyId}`;
    if (before?.stale === true)
      await this.#options.eventLog.append(eventId, {
        level: 'info',
        kind: 'feed.live',
        message: `The data feed is back (${who}).`,
      });
    const { values } = after;
    const shown = (['home.score', 'away.score', 'period'] as const).filter((f) => values[f] !== before?.values[f]);
    if (shown.length === 0) return;
    await this.#options.eventLog.append(eventId, {
      level: 'info',
      kind: 'feed.update',
      message: `Data feed (${who}): ${shown.map((f) => `${f} ${String(values[f])}`).join(', ')}.`,
      data: { who, ...Object.fromEntries(shown.map((f) => [f, values[f]])) },
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#watchdogs.values()) clearTimeout(timer);
    this.#watchdogs.clear();
    const connectors = [...this.#connectors.values()];
    this.#connectors.clear();
    await Promise.all(connectors.map((c) => c.close()));
  }
}
