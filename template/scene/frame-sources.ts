// Source textures for one output frame: a feed is refreshed the first time the frame uses it (once, even
// when two ids draw it: a replay's stand-in is its live source), and feeds no view asks for are left alone
// (off-screen sources cost nothing).
import type { Texture } from 'pixi.js';
import type { SourceId } from '../../protocol/index.ts';
import type { SourceFeed, SourceFeeds } from '../sources/index.ts';

export class FrameSources {
  readonly #feeds: SourceFeeds;
  readonly #refreshed = new Set<SourceId>();
  readonly #refreshedFeeds = new Set<SourceFeed>();
  #frameIndex = -1;

  constructor(feeds: SourceFeeds) {
    this.#feeds = feeds;
  }

  begin(frameIndex: number): void {
    this.#frameIndex = frameIndex;
    this.#refreshed.clear();
    this.#refreshedFeeds.clear();
  }

  texture(id: SourceId): Texture | null {
    const feed = this.#feeds.get(id);
    if (feed === null) return null;
    this.#refreshed.add(id);
    if (!this.#refreshedFeeds.has(feed)) {
      this.#refreshedFeeds.add(feed);
      feed.refresh(this.#frameIndex);
    }
    return feed.texture;
  }

  /** Sources drawn in this frame so far. */
  get used(): ReadonlySet<SourceId> {
    return this.#refreshed;
  }
}
