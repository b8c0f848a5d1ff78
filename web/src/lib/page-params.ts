// Every operator page is opened as /<page>?event=ID&key=KEY: the key is role-scoped and travels in the
// URL so a link (or a QR code) is all an operator needs.
import { EventIdSchema, parse } from '../../../protocol/index.ts';

export interface PageParams {
  eventId: string;
  key: string;
  /** Anything else in the query, e.g. `code` on the camera page. */
  query: URLSearchParams;
}

export class PageParamsError extends Error {
  override readonly name = 'PageParamsError';
}

export function readPageParams(search: string = location.search, options: { keyRequired?: boolean } = {}): PageParams {
  const query = new URLSearchParams(search);
  const eventId = query.get('event') ?? '';
  const parsed = parse(EventIdSchema, eventId);
  if (!parsed.ok) {
    throw new PageParamsError(
      eventId === ''
        ? 'This link has no event: open it as …?event=EVENT_ID&key=YOUR_KEY.'
        : `"${eventId}" is not an event id (${parsed.error.message}).`,
    );
  }
  const key = query.get('key') ?? '';
  if (key === '' && options.keyRequired !== false) {
    throw new PageParamsError('This link has no key: ask the producer for your operator link (…&key=YOUR_KEY).');
  }
  return { eventId, key, query };
}

/** The same page URL with the key, for links between pages and the template iframes. */
export function templateUrl(params: PageParams, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ event: params.eventId, key: params.key, ...extra });
  return `/template/?${query.toString()}`;
}
