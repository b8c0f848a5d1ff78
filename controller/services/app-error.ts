// The one error type routes throw: a status, a code a client can branch on, and a message a person can
// act on. The error handler shows these as they are; anything else that fails is a hidden 500.
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra fields for the answer body (e.g. the current state with a 409). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function notFound(what: string, id: string): AppError {
  return new AppError(404, 'NOT_FOUND', `${what} "${id}" does not exist.`);
}
