// Every operator page is opened as /<page>?event=ID#key=KEY: the key is role-scoped and travels in the
// link's fragment (never sent to a server, so in no access log or Referer) so a link (or a QR code) is all an
// operator needs. An older `?key=` link still works; either way the page takes the key out of the address
// bar (lib/link-key.ts).
import { EventIdSchema, pageLink, parse } from '../../../protocol/index.ts';
import { takeLinkKey } from './link-key.ts';

export interface PageParams {
  eventId: string;
  key: string;
  /** Anything else in the query, e.g. `code` on the camera page. */
  query: URLSearchParams;
}

export class PageParamsError extends Error {
  override readonly name = 'PageParamsError';
}

export function readPageParams(options: { keyRequired?: boolean } = {}): PageParams {
  const query = new URLSearchParams(location.search);
  const eventId = query.get('event') ?? '';
  const parsed = parse(EventIdSchema, eventId);
  if (!parsed.ok) {
    throw new PageParamsError(
      eventId === ''
        ? 'This link has no event: open it as …?event=EVENT_ID#key=YOUR_KEY.'
        : `"${eventId}" is not an event id (${parsed.error.message}).`,
    );
  }
  // Kept per page and event: one tab may open the director of one event and then the graphics of another.
  const key = takeLinkKey(`pitchside:key:${location.pathname}:${eventId}`) ?? '';
  query.delete('key');
  if (key === '' && options.keyRequired !== false) {
    throw new PageParamsError('This link has no key: ask the producer for your operator link (…#key=YOUR_KEY).');
  }
  return { eventId, key, query };
}

/** The program template's URL with the page's key (in its fragment), for the monitor iframes. */
export function templateUrl(params: PageParams, extra: Record<string, string> = {}): string {
  return pageLink('/template/', { event: params.eventId, ...extra }, { key: params.key });
}
