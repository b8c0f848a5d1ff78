// An operator desk's one way to edit state (graphics desk and director): every edit is compare-and-set
// (guarded-send.ts), and its outcome is told to the operator: a conflict names the value that won, an
// error says what went wrong. Takes and cuts are actions, not edits, and are sent as they are.
import type { Command, ProgramState } from '../../../protocol/index.ts';
import type { ApiClient } from './api-client.ts';
import { notify, notifyError } from './notices.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { sendGuarded, type GuardedResult } from './guarded-send.ts';

export interface DeskEdit {
  /** What the operator is changing, in words: "Home name", "Clock". */
  what: string;
  command: Command;
  read: (state: ProgramState) => unknown;
  /** Defaults to the state on screen now. */
  base?: ProgramState;
  /** How to show the value in a conflict message; default JSON-ish. */
  show?: (value: unknown) => string;
}

export class Desk {
  constructor(
    readonly api: ApiClient,
    readonly eventId: string,
    readonly realtime: RealtimeClient,
  ) {}

  get state(): ProgramState | null {
    return this.realtime.state;
  }

  async edit(edit: DeskEdit): Promise<GuardedResult | null> {
    const base = edit.base ?? this.state;
    if (base === null) {
      notify('error', `${edit.what}: not connected yet, so there is no state to edit.`);
      return null;
    }
    const result = await sendGuarded(this.api, this.eventId, { command: edit.command, base, read: edit.read });
    if (!result.ok && result.conflict) {
      const shown = (edit.show ?? showValue)(edit.read(result.state));
      notify(
        'warning',
        `${edit.what} was changed by another operator to ${shown} while you were editing: your change was not applied.`,
      );
    } else if (!result.ok) {
      notifyError(result.error, edit.what);
    }
    return result;
  }
}

export function showValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return JSON.stringify(value);
}
