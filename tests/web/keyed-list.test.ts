// The keyed list's reconciliation on its own: rows keep their element across updates, only the nodes out
// of place move, and the gone are removed. A minimal tree stands in for the DOM (the helper only uses
// childNodes, firstChild, nextSibling, insertBefore and removeChild); the pages' behaviour in Chromium is
// tests/web/state-to-dom.test.ts.
import { describe, expect, it } from 'vitest';
import { KeyedList, type KeyedView } from '../../web/src/lib/keyed-list.ts';

class FakeNode {
  parent: FakeNode | null = null;
  readonly children: FakeNode[] = [];
  /** Moves and insertions into this node: what a real DOM would detach and re-attach. */
  inserts = 0;

  constructor(readonly name: string) {}

  get childNodes(): FakeNode[] {
    return this.children;
  }
  get firstChild(): FakeNode | null {
    return this.children[0] ?? null;
  }
  get nextSibling(): FakeNode | null {
    const siblings = this.parent?.children ?? [];
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  insertBefore(node: FakeNode, before: FakeNode | null): void {
    if (node.parent !== null) node.parent.removeChild(node);
    const at = before === null ? this.children.length : this.children.indexOf(before);
    this.children.splice(at, 0, node);
    node.parent = this;
    this.inserts += 1;
  }
  removeChild(node: FakeNode): void {
    this.children.splice(this.children.indexOf(node), 1);
    node.parent = null;
  }
}

interface Item {
  id: string;
  text: string;
}

function list(empty?: FakeNode) {
  const container = new FakeNode('ul');
  const created: string[] = [];
  const rows = new KeyedList<Item, KeyedView<Item> & { text: string }>(container as unknown as Element, {
    key: (item) => item.id,
    create: (item) => {
      created.push(item.id);
      const view = {
        element: new FakeNode(item.id) as unknown as Element,
        text: '',
        update: (next: Item) => {
          view.text = next.text;
        },
      };
      return view;
    },
    ...(empty === undefined ? {} : { empty: empty as unknown as Element }),
  });
  const names = (): string[] => container.children.map((c) => c.name);
  return { container, rows, created, names };
}

const items = (...ids: string[]): Item[] => ids.map((id) => ({ id, text: `text of ${id}` }));

describe('KeyedList', () => {
  it('creates each key once and updates the kept rows in place', () => {
    const { rows, created, names } = list();
    rows.update(items('a', 'b', 'c'));
    const b = rows.view('b')!.element;
    rows.update([{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, ...items('c', 'd')]);
    expect(created).toEqual(['a', 'b', 'c', 'd']);
    expect(names()).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.view('b')!.element).toBe(b);
    expect(rows.view('b')!.text).toBe('B');
  });

  it('moves only what is out of place and removes the gone', () => {
    const { container, rows, names } = list();
    rows.update(items('a', 'b', 'c', 'd'));
    container.inserts = 0;
    // One removed at the front: nothing else moves.
    rows.update(items('b', 'c', 'd'));
    expect(names()).toEqual(['b', 'c', 'd']);
    expect(container.inserts).toBe(0);
    // The last moved to the front: one move.
    rows.update(items('d', 'b', 'c'));
    expect(names()).toEqual(['d', 'b', 'c']);
    expect(container.inserts).toBe(1);
    expect(rows.size).toBe(3);
  });

  it('shows its placeholder while empty, and a repeated key once', () => {
    const { rows, names } = list(new FakeNode('empty'));
    expect(names()).toEqual(['empty']);
    rows.update(items('a', 'a', 'b'));
    expect(names()).toEqual(['a', 'b']);
    rows.update([]);
    expect(names()).toEqual(['empty']);
  });
});
