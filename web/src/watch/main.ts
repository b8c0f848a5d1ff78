// Viewer page: the match in the Pitchside player (the event's own HLS) and/or on YouTube and Twitch with
// their chat, the score, how many are watching and whether the event is upcoming, live or over. It holds a
// viewer key only: no secret reaches it.
import '../styles/theme.css';
import './watch.css';
import {
  clockValueMs,
  formatClock,
  parse,
  WatchInfoSchema,
  type EventStatus,
  type ProgramState,
  type WatchInfo,
} from '../../../protocol/index.ts';
import { h, setText } from '../lib/dom.ts';
import { startPage } from '../lib/page.ts';
import { embeds, type Embed } from './channels.ts';
import { HlsPlayer } from './hls-player.ts';
import { ChatPanel, chatProtocols } from './chat-panel.ts';

/** The tab of the event's own stream, beside YouTube and Twitch. */
const PITCHSIDE_PLAYER = 'Pitchside player';

type Choice = { kind: 'pitchside'; label: string; playlist: string } | { kind: 'embed'; label: string; embed: Embed };

/** The playlist path with the page's viewer key (segment URIs in it carry the key on: routes/hls.ts). */
function playlistUrl(path: string, key: string): string {
  return key === '' ? path : `${path}?key=${encodeURIComponent(key)}`;
}

const STATUS_TEXT: Record<EventStatus, string> = { upcoming: 'Upcoming', live: 'LIVE', ended: 'Ended' };

const page = startPage({ title: 'Watch', client: 'viewer', socketProtocols: chatProtocols });
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
  // One chat for the page's life: moved beside whichever player is shown, its messages kept.
  const chat = new ChatPanel(realtime);
  main.append(
    h('div', { class: 'watch-layout' }, h('div', { class: 'row watch-meta' }, status, viewers), score, tabs, stage),
  );

  // The shown choice's teardown (the Pitchside player stops loading segments when another tab is chosen).
  let closeShown = (): void => undefined;
  const show = (choice: Choice): void => {
    closeShown();
    closeShown = () => undefined;
    for (const tab of tabs.children) tab.classList.toggle('selected', tab.textContent === choice.label);
    if (choice.kind === 'pitchside') {
      const player = new HlsPlayer({
        url: playlistUrl(choice.playlist, params.key),
        now: () => realtime.serverNow(),
        ...(params.query.get('player') === 'native' ? { prefer: 'native' as const } : {}),
      });
      closeShown = () => player.close();
      stage.replaceChildren(player.element, chat.element);
      void player.start();
      return;
    }
    const embed = choice.embed;
    stage.replaceChildren(
      player(embed),
      embed.chat === null ? h('p', { class: 'muted' }, 'Chat is on YouTube.') : platformChat(embed),
    );
  };
  // Players are rebuilt only when the channels or the playlist change: a status change must not stop a
  // playing stream. A playlist stays chosen once known: after the show its player plays on to the end.
  let shownChoices = '';
  let playlist: string | undefined;
  // A stream that stops (half time) and goes live again is a new playlist run: the player starts afresh
  // instead of staying on the ended one.
  let runs = 0;
  let streaming = false;
  const showChoices = (watch: WatchInfo): void => {
    playlist = watch.playlist ?? playlist;
    if (watch.playlist !== undefined && !streaming) runs++;
    streaming = watch.playlist !== undefined;
    const key = JSON.stringify([watch.channels, playlist, runs]);
    if (key === shownChoices) return;
    shownChoices = key;
    const list: Choice[] = [
      ...(playlist === undefined ? [] : [{ kind: 'pitchside' as const, label: PITCHSIDE_PLAYER, playlist }]),
      ...embeds(watch.channels, location.host).map((embed) => ({
        kind: 'embed' as const,
        label: embed.platform,
        embed,
      })),
    ];
    tabs.replaceChildren(
      ...list.map((choice) => h('button', { type: 'button', role: 'tab', onclick: () => show(choice) }, choice.label)),
    );
    closeShown();
    closeShown = () => undefined;
    if (list[0] === undefined)
      stage.replaceChildren(
        h(
          'p',
          { class: 'no-channels' },
          watch.status === 'ended'
            ? 'The stream has ended. The score above is final.'
            : 'The stream starts here when the event goes live. The score above is live.',
        ),
        chat.element,
      );
    else show(list[0]);
  };
  let pushed = false;
  const applyWatch = (watch: WatchInfo): void => {
    status.dataset.status = watch.status;
    setText(status, STATUS_TEXT[watch.status]);
    showChoices(watch);
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
  const homeName = h('span', { class: 'team' });
  const scores = h('span', { class: 'score mono' });
  const awayName = h('span', { class: 'team' });
  const periodClock = h('span', { class: 'period muted' });
  score.append(homeName, scores, awayName, periodClock);
  const drawScore = (state: ProgramState): void => {
    const { home, away, period } = state.scorebug;
    const clock = formatClock(clockValueMs(state.clock, realtime.serverNow()), state.clock.direction);
    homeName.style.setProperty('--team', home.colour);
    awayName.style.setProperty('--team', away.colour);
    setText(homeName, home.name);
    setText(scores, `${home.score} – ${away.score}`);
    setText(awayName, away.name);
    setText(periodClock, `${period} · ${clock}`);
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

function platformChat(embed: Embed): HTMLElement {
  const box = h('div', { class: 'chat' });
  const start = h('button', { type: 'button', class: 'open-chat' }, `Open ${embed.platform} chat`);
  start.addEventListener('click', () =>
    box.replaceChildren(h('iframe', { src: embed.chat ?? '', title: `${embed.platform} chat` })),
  );
  box.append(start);
  return box;
}
