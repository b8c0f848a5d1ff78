// Compare-and-set edits for the operator desks (graphics, director). Each edit is sent with the revision
// the operator based it on. A 409 only means *something* changed: if the fields this edit touches are as
// the operator saw them, the edit is re-sent at the new revision; if another operator changed them,
// nothing is overwritten and the caller shows the current value.
import type { Command, ProgramState } from '../../../protocol/index.ts';
import type { ApiClient } from './api-client.ts';
import { ApiError } from './api-error.ts';

/** Unrelated changes (a take, a clock tick command) can race an edit a few times; more means a busy desk. */
export const MAX_REBASES = 3;

export type GuardedResult =
  | { ok: true; state: ProgramState }
  | { ok: false; conflict: true; state: ProgramState }
  | { ok: false; conflict: false; error: unknown };

export interface GuardedEdit {
  command: Command;
  /** The state the operator saw when the edit began. */
  base: ProgramState;
  /** The part of the state this edit is about: compared between base and current on a 409. */
  read: (state: ProgramState) => unknown;
}

export async function sendGuarded(api: ApiClient, eventId: string, edit: GuardedEdit): Promise<GuardedResult> {
  const seen = JSON.stringify(edit.read(edit.base));
  let revision = edit.base.revision;
  for (let rebase = 0; ; rebase += 1) {
    try {
      const response = await api.command(eventId, { ...edit.command, ifRevision: revision });
      return { ok: true, state: response.state };
    } catch (error) {
      const current = error instanceof ApiError && error.code === 'STALE_REVISION' ? error.state : undefined;
      if (current === undefined) return { ok: false, conflict: false, error };
      if (JSON.stringify(edit.read(current)) !== seen) return { ok: false, conflict: true, state: current };
      if (rebase >= MAX_REBASES) return { ok: false, conflict: false, error };
      revision = current.revision;
    }
  }
}
