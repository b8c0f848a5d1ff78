// Stored OGraf graphics, in Redis (the one store): each package's files under its content hash, listed per
// event or for all events. The same package uploaded twice, or to two events, is stored once; its files
// go when the last list that holds it lets it go. The reducer's catalog of an event (its graphics and
// everyone's, each with its compiled data check) is made here for the program service.
import type { Redis } from 'ioredis';
import {
  ografRef,
  type OGrafCatalog,
  type OGrafGraphic,
  type OGrafGraphicId,
  type OGrafScope,
} from '../../protocol/index.ts';
import { dataCheck } from '../../protocol/ograf-manifest.ts';
import type { RedisKeys } from '../../protocol/redis-keys.ts';
import type { OGrafPackage } from './ograf-package.ts';

export class OGrafStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Stores the package's files (once per hash) and lists it for the event or for all. */
  async save(eventId: string, scope: OGrafScope, pkg: OGrafPackage, now: number): Promise<OGrafGraphic> {
    const { manifest } = pkg;
    const graphic: OGrafGraphic = {
      id: pkg.id,
      name: manifest.name,
      scope,
      manifestId: manifest.id,
      ...(manifest.version === undefined ? {} : { version: manifest.version }),
      ...(manifest.description === undefined ? {} : { description: manifest.description }),
      main: manifest.main,
      stepCount: manifest.stepCount ?? 1,
      supportsNonRealTime: manifest.supportsNonRealTime,
      ...(manifest.schema === undefined ? {} : { schema: manifest.schema }),
      uploadedAt: now,
      bytes: pkg.bytes,
    };
    const owner = scope === 'all' ? null : eventId;
    const files: Array<string | Buffer> = [];
    for (const [path, bytes] of pkg.files) files.push(path, bytes);
    // Files first, then the ref and the listing: a reader that sees the graphic listed finds its files.
    await this.redis
      .multi()
      .hset(this.keys.ografFiles(pkg.id), ...files)
      .sadd(this.keys.ografRefs(pkg.id), scopeTag(owner))
      .hset(this.keys.ografGraphics(owner), pkg.id, JSON.stringify(graphic))
      .exec();
    return graphic;
  }

  /** The event's graphics and those for all events (an event's own wins when both list the same package). */
  async list(eventId: string): Promise<OGrafGraphic[]> {
    const [own, all] = await Promise.all([
      this.redis.hvals(this.keys.ografGraphics(eventId)),
      this.redis.hvals(this.keys.ografGraphics(null)),
    ]);
    const byId = new Map<string, OGrafGraphic>();
    for (const json of [...all, ...own]) {
      const graphic = JSON.parse(json) as OGrafGraphic;
      byId.set(graphic.id, graphic);
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.uploadedAt - b.uploadedAt);
  }

  /** Where the event sees the graphic listed: 'event', 'all', or null when it does not. */
  async scopeOf(eventId: string, id: OGrafGraphicId): Promise<OGrafScope | null> {
    if ((await this.redis.hexists(this.keys.ografGraphics(eventId), id)) === 1) return 'event';
    if ((await this.redis.hexists(this.keys.ografGraphics(null), id)) === 1) return 'all';
    return null;
  }

  /**
   * Unlists the graphic from the event (or from all events); the files go when no list holds it. An
   * instance on air keeps what it loaded; a renderer that loads it afterwards finds nothing and reports it.
   */
  async remove(eventId: string, scope: OGrafScope, id: OGrafGraphicId): Promise<void> {
    const owner = scope === 'all' ? null : eventId;
    const [, , left] =
      (await this.redis
        .multi()
        .hdel(this.keys.ografGraphics(owner), id)
        .srem(this.keys.ografRefs(id), scopeTag(owner))
        .scard(this.keys.ografRefs(id))
        .exec()) ?? [];
    if (left?.[1] === 0) await this.redis.del(this.keys.ografFiles(id));
  }

  /** One file of a stored package, or null. */
  file(id: OGrafGraphicId, path: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys.ografFiles(id), path);
  }

  /** What the reducer needs for the event's ograf.load and ograf.update. */
  async catalog(eventId: string): Promise<OGrafCatalog> {
    const graphics = await this.list(eventId);
    return new Map(
      graphics.map((graphic) => [graphic.id, { ref: ografRef(graphic), checkData: dataCheck(graphic.schema) }]),
    );
  }
}

function scopeTag(owner: string | null): string {
  return owner === null ? 'all' : `event:${owner}`;
}
