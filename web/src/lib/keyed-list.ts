// The one way a list reaches the DOM: each item keeps its element for as long as its key is in the list.
// An update creates the new, updates the kept in place, moves only what is out of order and removes the
// gone, so focus, a hover, a playing <video> or a half-typed value in a row survive every state frame.
import { placeChildren } from './dom.ts';

/** One item's element and how to bring it up to date; `update` also runs right after `create`. */
export interface KeyedView<T> {
  readonly element: Element;
  update(item: T, index: number): void;
}

export interface KeyedListOptions<T, V extends KeyedView<T>> {
  key: (item: T) => string;
  create: (item: T) => V;
  /** Shown in place of the items while there are none. */
  empty?: Element;
}

export class KeyedList<T, V extends KeyedView<T> = KeyedView<T>> {
  readonly container: Element;
  readonly #options: KeyedListOptions<T, V>;
  #views = new Map<string, V>();

  constructor(container: Element, options: KeyedListOptions<T, V>) {
    this.container = container;
    this.#options = options;
    this.update([]);
  }

  update(items: Iterable<T>): void {
    const next = new Map<string, V>();
    const elements: Element[] = [];
    for (const item of items) {
      const key = this.#options.key(item);
      // Two items under one key would fight over one element: the first one is shown.
      if (next.has(key)) continue;
      const view = this.#views.get(key) ?? this.#options.create(item);
      view.update(item, elements.length);
      next.set(key, view);
      elements.push(view.element);
    }
    this.#views = next;
    if (elements.length === 0 && this.#options.empty !== undefined) elements.push(this.#options.empty);
    placeChildren(this.container, elements);
  }

  view(key: string): V | undefined {
    return this.#views.get(key);
  }

  get size(): number {
    return this.#views.size;
  }
}
