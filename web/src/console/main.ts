// The producer's event console (/console, admin key): the events, and for the one opened its live overview
// (cameras, outputs, recordings, exports, switch log), its setup form and the crew's links. The event is
// in the URL (?event=ID&tab=live|setup|crew), so a reload or a shared bookmark opens the same view.
import '../styles/theme.css';
import './console.css';
import { EventSchema, parse, type PitchsideEvent } from '../../../protocol/index.ts';
import { ApiClient } from '../lib/api-client.ts';
import { ApiError } from '../lib/api-error.ts';
import { connectionBadge } from '../lib/connection-badge.ts';
import { h, setText } from '../lib/dom.ts';
import { notify, notifyError } from '../lib/notices.ts';
import { showFatal } from '../lib/page.ts';
import { RealtimeClient } from '../../../client/index.ts';
import { OutputsPanel } from '../director/outputs-panel.ts';
import { checkAdminKey, forgetAdminKey, signInForm, takeAdminKey } from './admin-key.ts';
import { CameraList } from '../lib/camera-list.ts';
import { CrewCards } from './crew-cards.ts';
import { FeedCard } from './feed-card.ts';
import { SponsorsCard } from './sponsors-card.ts';
import { CommentaryCard } from '../lib/commentary-card.ts';
import { EventForm } from './event-form.ts';
import { EventList } from './event-list.ts';
import { RecordingsPanel } from './recordings-panel.ts';
import { SwitchTimeline } from './switch-timeline.ts';

const TABS = [
  { id: 'live', label: 'Live' },
  { id: 'setup', label: 'Setup' },
  { id: 'crew', label: 'Crew links' },
] as const;
type TabId = (typeof TABS)[number]['id'];
/** Ages and uptimes on the overview move once a second. */
const TICK_MS = 1000;

void boot();

async function boot(): Promise<void> {
  const key = takeAdminKey();
  if (key === null) return askForKey('');
  const check = await checkAdminKey(key);
  if (!check.ok) {
    forgetAdminKey();
    return askForKey(check.message);
  }
  await openConsole(key);
}

function askForKey(message: string): void {
  document.title = 'Event console · Pitchside';
  document.body.replaceChildren(
    signInForm(message, (key) => {
      sessionStorage.setItem('pitchside:admin-key', key);
      location.reload();
    }),
  );
}

async function openConsole(key: string): Promise<void> {
  const api = new ApiClient({ key });
  const query = new URLSearchParams(location.search);
  const eventId = query.get('event');
  const creating = eventId === null && query.has('new');
  const eventName = h('span', { class: 'event-name', id: 'event-name' });
  const topBar = h(
    'header',
    { class: 'top-bar' },
    h('a', { class: 'brand', href: '/console' }, 'Pitchside'),
    h('span', { class: 'page-title' }, 'Event console'),
    eventName,
    h('span', { class: 'spacer', id: 'top-bar-spacer' }),
    h(
      'button',
      {
        type: 'button',
        class: 'sign-out',
        onclick: () => {
          forgetAdminKey();
          location.href = '/console';
        },
      },
      'Sign out',
    ),
  );
  const list = new EventList(api, eventId, creating);
  const content = h('div', { class: 'console-content', id: 'console-content' });
  const main = h('main', { class: 'page page-console console-grid' }, list.element, content);
  document.body.append(topBar, main);
  const events = await list.load();

  if (creating || (eventId === null && events.length === 0)) {
    showCreate(content, api);
  } else if (eventId === null) {
    content.append(
      h(
        'div',
        { class: 'panel console-welcome' },
        h('h1', {}, 'Choose an event, or create one'),
        h(
          'ol',
          { class: 'workflow' },
          h(
            'li',
            {},
            h('strong', {}, 'Set up'),
            ': name, sport, teams and colours, destinations with their stream keys.',
          ),
          h('li', {}, h('strong', {}, 'Hand out'), ' the crew links: director, graphics, camera QR code, viewers.'),
          h('li', {}, h('strong', {}, 'Run'), ' the show from the Live tab: cameras, go live, record, export.'),
        ),
      ),
    );
  } else {
    const event = parse(
      EventSchema,
      await api.get<unknown>(`/api/events/${encodeURIComponent(eventId)}`).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
    );
    if (!event.ok) {
      content.append(h('div', { class: 'panel' }, h('p', {}, `There is no event "${eventId}" (any more).`)));
    } else {
      setText(eventName, event.value.name);
      document.title = `Event console · ${event.value.name} · Pitchside`;
      showEvent(content, topBar, api, key, event.value, (query.get('tab') as TabId | null) ?? 'live');
    }
  }
  document.body.dataset.ready = 'true';
}

function showCreate(content: HTMLElement, api: ApiClient): void {
  const form = new EventForm({
    api,
    event: null,
    onSaved: (event) => {
      location.href = `?event=${encodeURIComponent(event.id)}&tab=crew`;
    },
  });
  content.append(
    h('div', { class: 'event-header' }, h('h1', {}, 'New event')),
    h('div', { class: 'panel' }, form.element),
  );
  form.focus();
}

function showEvent(
  content: HTMLElement,
  topBar: HTMLElement,
  api: ApiClient,
  key: string,
  event: PitchsideEvent,
  firstTab: TabId,
): void {
  const realtime = new RealtimeClient({ eventId: event.id, key, query: { client: 'admin' } });
  topBar.querySelector('#top-bar-spacer')!.after(connectionBadge(realtime));
  addEventListener('pagehide', () => void realtime.close());

  const status = h('span', { class: 'status-pill', id: 'event-status' }, '…');
  realtime.handle({
    watch: (frame) => {
      status.className = `status-pill status-${frame.watch.status}`;
      setText(status, frame.watch.status);
    },
  });

  // Live overview.
  const cameras = new CameraList(api, event.id, realtime, {
    emptyText: 'No camera has joined yet: hand out the camera join card (Crew tab).',
  });
  const outputs = new OutputsPanel(api, event.id, realtime);
  const timeline = new SwitchTimeline(api, event.id, realtime);
  const recordings = new RecordingsPanel(api, event.id, realtime, (list) => timeline.setRecordings(list));
  setInterval(() => cameras.tick(), TICK_MS);
  realtime.on('status', (s) => {
    if (s === 'online') void outputs.load();
  });
  const live = h(
    'div',
    { class: 'live-grid' },
    h('div', { class: 'live-column' }, cameras.element, outputs.element),
    h('div', { class: 'live-column' }, recordings.element),
    timeline.element,
  );

  // Setup and crew.
  const form = new EventForm({
    api,
    event,
    onSaved: (saved) => {
      setText(topBar.querySelector('#event-name')!, saved.name);
      notify('info', 'Event saved.');
    },
  });
  realtime.on('state', (state) => form.showLogos(state));
  const sponsors = new SponsorsCard(api, event.id);
  realtime.on('state', (state) => sponsors.update(state));
  const crew = new CrewCards(api, event.id);
  const commentary = new CommentaryCard(api, event.id);
  const feed = new FeedCard(api, event.id);
  realtime.on('state', (state) => commentary.update(state));
  realtime.handle({ 'media.camera': (frame) => commentary.setOnline(frame.camera, frame.online) });
  const panels: Record<TabId, HTMLElement> = {
    live,
    setup: h('div', {}, h('div', { class: 'panel' }, form.element), sponsors.element),
    crew: h(
      'div',
      {},
      h(
        'p',
        { class: 'muted section-help' },
        'Each link opens its page with its own key. Send it, or let the crew scan the code. A new key or ' +
          'code makes every old link stop working at once.',
      ),
      crew.element,
      commentary.element,
      feed.element,
    ),
  };

  const tabButtons = TABS.map(({ id, label }) =>
    h(
      'button',
      { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, class: 'tab', 'data-tab': id },
      label,
    ),
  );
  const select = (id: TabId, focus = false): void => {
    for (const button of tabButtons) {
      const on = button.dataset.tab === id;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      if (on && focus) button.focus();
    }
    for (const [tab, panel] of Object.entries(panels)) panel.hidden = tab !== id;
    const params = new URLSearchParams(location.search);
    params.set('tab', id);
    history.replaceState(null, '', `?${params.toString()}`);
    if (id === 'crew') void Promise.all([crew.load(), commentary.load()]);
    if (id === 'setup') void sponsors.loadReport().catch(() => undefined);
  };
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Event views' }, ...tabButtons);
  tabList.addEventListener('click', (e) => {
    const tab = (e.target as HTMLElement).closest<HTMLElement>('[role="tab"]')?.dataset.tab as TabId | undefined;
    if (tab !== undefined) select(tab);
  });
  // Arrow keys move between tabs (WAI-ARIA tabs pattern); Home/End jump to the ends.
  tabList.addEventListener('keydown', (e) => {
    const index = tabButtons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const next =
      e.key === 'ArrowRight'
        ? index + 1
        : e.key === 'ArrowLeft'
          ? index - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? -1
              : null;
    if (next === null) return;
    e.preventDefault();
    select(TABS.at(next % TABS.length)!.id, true);
  });

  const remove = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      id: 'delete-event',
      onclick: () => {
        const ok = confirm(
          `Delete "${event.name}"?\n\nIts outputs stop now (every destination goes off air and the recording ends); ` +
            'its program state, logs, cameras and crew keys are removed. Recordings and exports stay on disk.',
        );
        if (!ok) return;
        api.request('DELETE', `/api/events/${encodeURIComponent(event.id)}`).then(
          () => (location.href = '/console'),
          (error: unknown) => notifyError(error, 'Delete event'),
        );
      },
    },
    'Delete event',
  );
  content.append(
    h(
      'div',
      { class: 'event-header' },
      h('h1', {}, event.name),
      status,
      h('span', { class: 'muted' }, `${event.home.name} v ${event.away.name}`),
      h('span', { class: 'spacer' }),
      remove,
    ),
    tabList,
    ...Object.entries(panels).map(([id, panel]) => {
      panel.id = `panel-${id}`;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', `tab-${id}`);
      panel.classList.add('tab-panel');
      return panel;
    }),
  );
  select(TABS.some((t) => t.id === firstTab) ? firstTab : 'live');
  realtime.start();
}

addEventListener('unhandledrejection', (event) => {
  if (document.body.dataset.ready === undefined) showFatal('Event console', String(event.reason));
});
