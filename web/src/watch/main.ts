// Viewer page: the match on YouTube and Twitch with their chat, the score, how many are watching and
// whether the event is upcoming, live or over. It holds a viewer key only: no secret reaches it.
import '../styles/theme.css';
import './watch.css';
import {
  clockValueMs,
  formatClock,
  parse,
  WatchInfoSchema,
  type EventChannels,
  type EventStatus,
  type ProgramState,
  type WatchInfo,
} from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { startPage } from '../lib/page.ts';
import { embeds, type Embed } from './channels.ts';

const STATUS_TEXT: Record<EventStatus, string> = { upcoming: 'Upcoming', live: 'LIVE', ended: 'Ended' };

const page = startPage({ title: 'Watch', client: 'viewer' });
if (page !== null) {
  const { params, api, realtime, main } = page;
  const status = h(
    'span',
    { class: 'event-status', id: 'event-status', 'data-status': 'upcoming' },
    STATUS_TEXT.upcoming,
  );
  const viewers = h('span', { class: 'viewer-count', id: 'viewer-count' }, '— watching');
  const score = h('div', { class: 'score-line live-dependent', id: 'score-line' });
  const stage = h('div', { class: 'stage', id: 'stage' });
  const tabs = h('div', { class: 'platform-tabs', role: 'tablist' });
  main.append(
    h('div', { class: 'watch-layout' }, h('div', { class: 'row watch-meta' }, status, viewers), score, tabs, stage),
  );

  const show = (embed: Embed): void => {
    for (const tab of tabs.children) tab.classList.toggle('selected', tab.textContent === embed.platform);
    stage.replaceChildren(
      player(embed),
      embed.chat === null ? h('p', { class: 'muted' }, 'Chat is on YouTube.') : chat(embed),
    );
  };
  // Players are rebuilt only when the channels change: a status change must not stop a playing stream.
  let shownChannels = '';
  const showChannels = (channels: EventChannels): void => {
    const key = JSON.stringify(channels);
    if (key === shownChannels) return;
    shownChannels = key;
    const list = embeds(channels, location.host);
    tabs.replaceChildren(
      ...list.map((embed) => h('button', { type: 'button', role: 'tab', onclick: () => show(embed) }, embed.platform)),
    );
    if (list[0] === undefined)
      stage.replaceChildren(
        h('p', { class: 'no-channels' }, 'This event has no YouTube or Twitch channel yet. The score above is live.'),
      );
    else show(list[0]);
  };
  let pushed = false;
  const applyWatch = (watch: WatchInfo): void => {
    status.dataset.status = watch.status;
    setText(status, STATUS_TEXT[watch.status]);
    showChannels(watch.channels);
  };
  // Read once at once (the page may open mid-stream), then kept current by the WebSocket's `watch` frames.
  void api
    .get<unknown>(`/api/events/${encodeURIComponent(params.eventId)}/watch`)
    .then((body) => {
      const parsed = parse(WatchInfoSchema, body);
      // A pushed frame is newer than an answer still in flight when it arrived.
      if (parsed.ok && !pushed) applyWatch(parsed.value);
    })
    .catch(() => {});

  realtime.handle({
    presence: (frame) => {
      const n = frame.presence.viewers;
      viewers.dataset.count = String(n);
      setText(viewers, `${n} watching`);
    },
    watch: (frame) => {
      pushed = true;
      applyWatch(frame.watch);
    },
  });
  const drawScore = (state: ProgramState): void => {
    const { home, away, period } = state.scorebug;
    const clock = formatClock(clockValueMs(state.clock, realtime.serverNow()), state.clock.direction);
    score.replaceChildren(
      h('span', { class: 'team', style: `--team:${home.colour}` }, home.name),
      h('span', { class: 'score mono' }, `${home.score} – ${away.score}`),
      h('span', { class: 'team', style: `--team:${away.colour}` }, away.name),
      h('span', { class: 'period muted' }, `${period} · ${clock}`),
    );
  };
  realtime.on('state', drawScore);
  setInterval(() => realtime.state !== null && drawScore(realtime.state), 1000);
  realtime.start();
}

/** Third-party players load on a tap, not before: no request to YouTube or Twitch until the viewer asks. */
function player(embed: Embed): HTMLElement {
  const box = h('div', { class: 'player' });
  const start = h('button', { type: 'button', class: 'play' }, `▶ Watch on ${embed.platform}`);
  start.addEventListener('click', () =>
    box.replaceChildren(
      h('iframe', {
        src: embed.player,
        title: `${embed.platform} player`,
        allow: 'autoplay; fullscreen; picture-in-picture',
        allowfullscreen: true,
      }),
    ),
  );
  box.append(start);
  return box;
}

function chat(embed: Embed): HTMLElement {
  const box = h('div', { class: 'chat' });
  const start = h('button', { type: 'button', class: 'open-chat' }, `Open ${embed.platform} chat`);
  start.addEventListener('click', () =>
    box.replaceChildren(h('iframe', { src: embed.chat ?? '', title: `${embed.platform} chat` })),
  );
  box.append(start);
  return box;
}
