// Typed HTTP client for the controller API: Bearer key, JSON in and out, every non-2xx turned into an
// ApiError carrying the server's code, message and field.
import type { Command, CommandResponse, ProgramState } from '../../../protocol/index.ts';
import { ApiError } from './api-error.ts';

/** A slow controller should not freeze a take button forever; the operator gets a message instead. */
export const REQUEST_TIMEOUT_MS = 8000;

export interface ApiClientOptions {
  key: string;
  /** Origin + prefix of the controller; '' = the page's own origin. */
  baseUrl?: string;
}

export class ApiClient {
  readonly #key: string;
  readonly #baseUrl: string;

  constructor(options: ApiClientOptions) {
    this.#key = options.key;
    this.#baseUrl = options.baseUrl ?? '';
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** The one door for program and graphics changes: a protocol Command, checked and applied by the controller. */
  command(eventId: string, command: Command): Promise<CommandResponse> {
    return this.post<CommandResponse>(`/api/events/${encodeURIComponent(eventId)}/commands`, command);
  }

  /** A file as the raw request body (its type as the content type), e.g. a team logo. */
  upload<T>(method: 'PUT' | 'POST', path: string, file: Blob): Promise<T> {
    return this.request<T>(method, path, file);
  }

  /** A non-JSON resource that needs the key (an <img> cannot send it), e.g. a QR code image. */
  async blob(path: string): Promise<Blob> {
    return (await this.#fetch('GET', path, undefined, '*/*')).blob();
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#fetch(method, path, body, 'application/json');
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(
        response.status,
        'BAD_RESPONSE',
        `The controller sent an unreadable answer to ${method} ${path}`,
        undefined,
        undefined,
      );
    }
  }

  async #fetch(method: string, path: string, body: unknown, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.#key !== '') headers.authorization = `Bearer ${this.#key}`;
    const raw = body instanceof Blob;
    if (body !== undefined)
      headers['content-type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : raw ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new ApiError(
        0,
        timedOut ? 'TIMEOUT' : 'NETWORK',
        timedOut
          ? `The controller did not answer within ${REQUEST_TIMEOUT_MS / 1000} s; nothing is known to have changed`
          : 'The controller cannot be reached; check the network and try again',
        undefined,
        undefined,
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let json: unknown = undefined;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): the status alone is described.
      }
      throw toApiError(response.status, json);
    }
    return response;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
  message?: unknown;
  state?: ProgramState;
}

function toApiError(status: number, json: unknown): ApiError {
  const body = (typeof json === 'object' && json !== null ? json : {}) as ErrorBody;
  const error = body.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : typeof body.message === 'string'
        ? body.message
        : fallbackMessage(status);
  const field = typeof error?.field === 'string' ? error.field : undefined;
  return new ApiError(status, code, message, field, body.state);
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'The key in this link is not valid: ask the producer for a new link';
  if (status === 403) return 'This key is not allowed to do that';
  if (status === 404) return 'Not found: the event may have been deleted';
  if (status === 429) return 'Too many requests: wait a moment and try again';
  if (status >= 500) return 'The controller failed to handle the request; try again';
  return `The controller refused the request (HTTP ${status})`;
}
