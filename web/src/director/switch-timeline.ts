// The takes the switch-log panel shows, from two sources that overlap: the controller's switch log
// (history, with who took) and the live state (takes made while the page is open). A take is known by
// its start time and source, which the log entry and the state carry alike (the entry's time is the
// take's startedAt), so a quick cut back to the same camera is a take of its own, never a duplicate.
import type { ProgramState, SwitchLogEntry } from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';

function takeKey(time: number, source: string): string {
  return `${time}|${source}`;
}

/** A take's key in a keyed list: the same for its log entry and the state it arrived with. */
export function entryKey(entry: SwitchLogEntry): string {
  return takeKey(entry.time, entry.source);
}

/** What a take says wherever it is listed (director's switch log, console's timeline): when, what, how. */
export class TakeText {
  readonly time = h('span', { class: 'mono muted' });
  readonly label = h('strong');
  readonly transition = h('span', { class: 'muted' });

  update(entry: SwitchLogEntry, label: string): void {
    setText(this.time, new Date(entry.time).toLocaleTimeString());
    setText(this.label, label);
    const t = entry.transition;
    setText(this.transition, t.type === 'cut' ? 'cut' : `${t.type} ${t.durationMs} ms`);
  }
}

export class SwitchTimeline {
  readonly #entries = new Map<string, SwitchLogEntry>();

  /** The state's current take, if new; true when it added one. */
  addFromState(state: ProgramState): boolean {
    const take = state.take;
    if (take === null) return false;
    const key = takeKey(take.startedAt, take.to);
    if (this.#entries.has(key)) return false;
    this.#entries.set(key, {
      id: `${take.startedAt}-0`,
      time: take.startedAt,
      revision: state.revision,
      source: take.to,
      from: take.from,
      transition: take.transition,
      who: '',
    });
    return true;
  }

  /** Entries of the controller's log: each replaces the one this page made from the state for the same take. */
  addFromLog(entries: readonly SwitchLogEntry[]): void {
    for (const entry of entries) this.#entries.set(takeKey(entry.time, entry.source), entry);
  }

  /** Oldest first. */
  entries(): SwitchLogEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.time - b.time || a.revision - b.revision);
  }
}
