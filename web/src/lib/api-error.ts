// Every failure an operator can meet, in words: the controller's `{ error: { code, message, field } }`,
// a network failure, or an answer the page cannot read. Pages show `describe()`, never swallow it.
import type { ProgramState } from '../../../protocol/index.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status, or 0 when the controller could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the error is about (a JSON pointer or a command field), when the server named one. */
    readonly field: string | undefined,
    /** 409 answers carry the current state, so a page can show what won. */
    readonly state: ProgramState | undefined,
  ) {
    super(message);
  }

  /** One sentence a person can act on, naming the field when there is one. */
  describe(): string {
    const field =
      this.field === undefined || this.field === '' || this.field === '/' ? '' : ` (field ${prettyField(this.field)})`;
    const sentence = /[.!?]$/.test(this.message) ? this.message : `${this.message}.`;
    return `${sentence}${field}`;
  }
}

function prettyField(field: string): string {
  return field.replace(/^\//, '').replaceAll('/', '.');
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}
