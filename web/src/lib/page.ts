// What every operator page starts with: its link parameters, an API client, the live link and the top
// bar that shows the connection. A broken link becomes a full-page message instead of a blank page.
import { parse, WatchInfoSchema } from '../../../protocol/index.ts';
import { ApiClient } from './api-client.ts';
import { connectionBadge } from './connection-badge.ts';
import { h } from './dom.ts';
import { readPageParams, type PageParams } from './page-params.ts';
import { RealtimeClient } from '../../../client/index.ts';

export interface PageOptions {
  /** Shown in the top bar, e.g. "Director". */
  title: string;
  /** Presence: which kind of client this page is (director, graphics, camera, viewer). */
  client: string;
  /** The viewer page may be opened without a key when the event is public. */
  keyRequired?: boolean;
  /** Parameters the page already has (the camera page gets them by joining), instead of the URL's. */
  params?: PageParams;
  /** Subprotocols to offer on each (re)connection of the event WebSocket (the watch page's chat ticket). */
  socketProtocols?: () => string[];
}

export interface Page {
  params: PageParams;
  api: ApiClient;
  realtime: RealtimeClient;
  /** The top bar: pages append their own items to it. */
  topBar: HTMLElement;
  /** Where the page builds its content. */
  main: HTMLElement;
}

/** Builds the page frame; returns null (after showing why) when the link itself is unusable. */
export function startPage(options: PageOptions): Page | null {
  let params: PageParams;
  try {
    params = options.params ?? readPageParams({ keyRequired: options.keyRequired ?? true });
  } catch (error) {
    showFatal(options.title, (error as Error).message);
    return null;
  }
  const api = new ApiClient({ key: params.key });
  const realtime = new RealtimeClient({
    eventId: params.eventId,
    key: params.key,
    query: { client: options.client },
    ...(options.socketProtocols === undefined ? {} : { protocols: options.socketProtocols }),
  });
  const topBar = h(
    'header',
    { class: 'top-bar' },
    h('span', { class: 'brand' }, 'Pitchside'),
    h('span', { class: 'page-title' }, options.title),
    h('span', { class: 'event-name', id: 'event-name' }, params.eventId),
    h('span', { class: 'spacer' }),
    connectionBadge(realtime),
  );
  const main = h('main', { class: `page page-${options.client}` });
  document.body.append(topBar, main);
  document.title = `${options.title} · ${params.eventId} · Pitchside`;
  addEventListener('pagehide', () => void realtime.close());
  // The event's name reads better than its id; the id stays if the name cannot be had.
  void api
    .get<unknown>(`/api/events/${encodeURIComponent(params.eventId)}/watch`)
    .then((event) => {
      const parsed = parse(WatchInfoSchema, event);
      if (parsed.ok) topBar.querySelector('.event-name')!.textContent = parsed.value.name;
    })
    .catch(() => {});
  return { params, api, realtime, topBar, main };
}

/** A page that cannot work at all says why, in place of its content. */
export function showFatal(title: string, message: string): void {
  document.body.append(
    h('div', { class: 'fatal', role: 'alert' }, h('h1', {}, `Pitchside · ${title}`), h('p', {}, message)),
  );
}
