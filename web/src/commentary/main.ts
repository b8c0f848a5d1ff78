// The commentator's page (/commentary?event=#key=, the seat's link): Join sends the microphone into the
// program (direct WebRTC like a camera, or LiveKit), with a level meter, a cough button that silences the
// sent track at once (no round trip: the program hears silence from the next packet), microphone choice and
// voice processing; the program return (the template, minus this voice) with the clock and score large and
// an ON AIR tally while the director has this voice in the mix.
import '../styles/theme.css';
import './commentary.css';
import {
  clockValueMs,
  formatClock,
  LiveKitTokenSchema,
  parse,
  SeatResponseSchema,
  voiceOnAir,
  WhoAmISchema,
  type MediaTransport,
  type ProgramState,
  type SeatId,
} from '../../../protocol/index.ts';
import { LevelBar } from '../lib/audio-meter.ts';
import { h, setText } from '../lib/dom.ts';
import { LIVEKIT_RECONNECT_MS, LiveKitTokenKeeper } from '../lib/livekit-token-keeper.ts';
import { attempt, notify } from '../lib/notices.ts';
import { showFatal, startPage, type Page } from '../lib/page.ts';
import { fillDevices } from '../camera/device-picker.ts';
import { DirectPublisher, type AudioProcessing } from '../camera/direct-publisher.ts';
import { followIsoArming } from '../camera/iso-recorder.ts';
import { LiveKitPublisher, type PublisherCallbacks } from '../camera/livekit-publisher.ts';
import { LocalAudio } from './local-audio.ts';
import { TalkbackListener } from '../lib/talkback-listener.ts';
import { ProgramReturn } from './program-return.ts';

/** The meter and the clock redraw at about the display's rate; the tally follows each state too. */
const REFRESH_MS = 50;
/** What a commentator usually wants: their own voice clean, the crowd kept out of the echo canceller. */
const DEFAULT_PROCESSING: AudioProcessing = { echoCancellation: false, noiseSuppression: true };

declare global {
  interface Window {
    /** Read by tests: what the commentator hears and when they coughed. */
    pitchsideCommentary?: CommentaryTestHook;
  }
}

export interface CommentaryTestHook {
  /** The program return's latest samples (mono), or null before it plays. */
  returnSamples(): number[] | null;
  sampleRate: number;
  /** Wall time (Date.now()) of the last cough press that muted, null before any. */
  coughAt: number | null;
  joined: boolean;
}

async function main(): Promise<void> {
  const page = startPage({ title: 'Commentary', client: 'commentary' });
  if (page === null) return;
  const { api, params } = page;
  const me = parse(WhoAmISchema, await api.get<unknown>('/api/me'));
  if (!me.ok || me.value.seatId === undefined) {
    showFatal('Commentary', 'This link is not a commentary seat’s (ask the director for your seat’s link).');
    return;
  }
  const seatId = me.value.seatId;
  const seat = parse(
    SeatResponseSchema,
    await api.get<unknown>(
      `/api/events/${encodeURIComponent(params.eventId)}/commentary/${encodeURIComponent(seatId)}`,
    ),
  );
  run(page, seatId, seat.ok ? seat.value.seat.label : seatId);
}

function run(page: Page, seatId: SeatId, label: string): void {
  const { realtime, main, topBar, params, api } = page;
  setText(topBar.querySelector('.page-title') ?? topBar, label);
  const audio = new LocalAudio();
  const hook: CommentaryTestHook = {
    returnSamples: () => {
      const samples = audio.returnSamples();
      return samples === null ? null : Array.from(samples);
    },
    sampleRate: audio.sampleRate,
    coughAt: null,
    joined: false,
  };
  window.pitchsideCommentary = hook;

  const onAir = h('div', { class: 'on-air', id: 'on-air', 'data-on': 'false' }, 'OFF AIR');
  const clock = h('div', { class: 'big-clock mono', id: 'clock' }, '--:--');
  const score = h('div', { class: 'big-score', id: 'score' });
  const returnBox = h(
    'div',
    { class: 'return-box', id: 'return-monitor' },
    h('p', { class: 'muted' }, 'The program appears here once you join.'),
  );
  const joinButton = h('button', { type: 'button', id: 'join-button', class: 'primary' }, 'Join');
  const coughButton = h(
    'button',
    { type: 'button', id: 'cough-button', class: 'cough', disabled: true, 'aria-pressed': 'false' },
    'Cough',
  );
  const checkButton = h('button', { type: 'button', id: 'headphones-check' }, 'Headphones check');
  const micSelect = h(
    'select',
    { id: 'mic-device', 'aria-label': 'Microphone' },
    h('option', { value: '' }, 'Default microphone'),
  );
  const echo = h('input', { type: 'checkbox', id: 'echo-cancellation' });
  const noise = h('input', { type: 'checkbox', id: 'noise-suppression' });
  echo.checked = DEFAULT_PROCESSING.echoCancellation;
  noise.checked = DEFAULT_PROCESSING.noiseSuppression;
  const meter = new LevelBar('Microphone level');
  meter.element.id = 'mic-meter';
  const status = h(
    'p',
    { class: 'media-status', id: 'media-status' },
    'Not joined: press Join to send your microphone.',
  );
  const isoStatus = h('p', { class: 'mono muted', id: 'iso-status' });

  // The director's voice in the commentator's headphones, beside the return (never into the program).
  const talkback = new TalkbackListener((frame) => realtime.send(frame));
  realtime.handle(talkback.handlers);

  main.append(
    h(
      'div',
      { class: 'commentary-layout' },
      h(
        'section',
        { class: 'return-panel' },
        h('div', { class: 'scoreline' }, score, clock, onAir),
        talkback.element,
        returnBox,
      ),
      h(
        'section',
        { class: 'mic-panel panel' },
        h('h2', { id: 'seat-label' }, label),
        h('div', { class: 'row' }, joinButton, coughButton),
        h('label', { class: 'meter-row' }, 'Level', meter.element),
        status,
        isoStatus,
        h('label', {}, 'Microphone', micSelect),
        h('label', { class: 'check' }, echo, 'Echo cancellation (only without headphones)'),
        h('label', { class: 'check' }, noise, 'Noise suppression'),
        checkButton,
      ),
    ),
  );

  // The program's words, drawn from each state and the server clock.
  const showState = (state: ProgramState | null): void => {
    if (state === null) return;
    const { home, away } = state.scorebug;
    setText(score, `${home.short} ${home.score} – ${away.score} ${away.short}`);
    const on = voiceOnAir(state, seatId);
    if (onAir.dataset.on !== String(on)) {
      onAir.dataset.on = String(on);
      setText(onAir, on ? 'ON AIR' : 'OFF AIR');
    }
  };
  realtime.on('state', showState);
  let transport: MediaTransport | null = null;
  const transportKnown: Promise<MediaTransport> = new Promise((resolve) =>
    realtime.handle({
      'media.config': (frame) => {
        transport = frame.transport;
        resolve(frame.transport);
      },
    }),
  );
  const programReturn = new ProgramReturn({ params, seatId, realtime, onStream: (s) => audio.tapReturn(s) });
  setInterval(() => {
    const state = realtime.state;
    if (state !== null)
      setText(clock, formatClock(clockValueMs(state.clock, realtime.serverNow()), state.clock.direction));
    meter.level(hook.joined ? audio.micPeakDb() : null);
  }, REFRESH_MS);
  realtime.on('status', (connection, detail) => {
    // 4401: the seat was removed (or the event deleted): this link is spent.
    if (connection === 'closed' && /key|refused/i.test(detail)) {
      notify('error', `${detail} This seat was removed: ask the director for a new link.`);
      void publisher?.close();
      programReturn.close();
    }
  });
  realtime.start();
  void refreshMics(micSelect);

  const callbacks: PublisherCallbacks = {
    quality: () => undefined,
    status: (state, detail) => {
      setText(status, detail);
      if (state === 'disconnected' && publisher instanceof LiveKitPublisher)
        setTimeout(() => void publishAgain(), LIVEKIT_RECONNECT_MS);
    },
    preview: () => undefined,
  };
  const tokens = new LiveKitTokenKeeper({
    fetch: async () => {
      const answer = await api.post<unknown>(
        `/api/events/${encodeURIComponent(params.eventId)}/commentary/${encodeURIComponent(seatId)}/token`,
      );
      const parsed = parse(LiveKitTokenSchema, answer);
      if (!parsed.ok) throw new Error(`unreadable LiveKit token: ${parsed.error.message}`);
      return parsed.value;
    },
    now: () => realtime.serverNow(),
  });
  let publisher: DirectPublisher | LiveKitPublisher | null = null;
  const processing = (): AudioProcessing => ({ echoCancellation: echo.checked, noiseSuppression: noise.checked });
  const choice = (): { audioDeviceId?: string } => (micSelect.value === '' ? {} : { audioDeviceId: micSelect.value });
  const sentTrack = (): MediaStreamTrack | null =>
    publisher instanceof DirectPublisher
      ? (publisher.stream?.getAudioTracks()[0] ?? null)
      : (publisher?.microphoneTrack ?? null);
  let coughing = false;
  /** A new capture (join, device, processing) starts in the cough state the button shows. */
  const trackChanged = (): void => {
    const track = sentTrack();
    if (track !== null) track.enabled = !coughing;
    audio.meter(track);
    programReturn.setOwnVoice(track);
  };

  const publishAgain = async (): Promise<void> => {
    if (!(publisher instanceof LiveKitPublisher)) return;
    const livekit = publisher;
    await attempt('Reconnecting', async () => {
      await livekit.close();
      await livekit.start(tokens.current, choice());
      trackChanged();
    });
  };

  joinButton.addEventListener('click', () => {
    void attempt('Joining', async () => {
      joinButton.disabled = true;
      await audio.resume();
      returnBox.replaceChildren(programReturn.start());
      const mode = transport ?? (await transportKnown);
      if (mode === 'livekit') {
        const livekit = new LiveKitPublisher(callbacks, {
          media: 'microphone',
          onTrack: programReturn.handleRoomTrack,
        });
        livekit.audioProcessing = processing();
        publisher = livekit;
        await livekit.start(await tokens.start(), choice());
      } else {
        const direct = new DirectPublisher({
          send: (frame) => realtime.send(frame),
          callbacks,
          onHealth: () => undefined,
          media: 'microphone',
        });
        direct.audioProcessing = processing();
        publisher = direct;
        realtime.handle(direct.handlers);
        await direct.start(choice());
      }
      trackChanged();
      // This voice on its own, like a camera's ISO, while the event's ISO recording is armed: an export can
      // then carry it as a track of its own. It records the sent track, so a cough is silent there too.
      followIsoArming({
        media: 'microphone',
        stream: () => {
          const track = sentTrack();
          return track === null ? null : new MediaStream([track]);
        },
        url: (startMs, endMs) =>
          `/api/events/${encodeURIComponent(params.eventId)}/commentary/${encodeURIComponent(seatId)}/iso?startMs=${startMs}&endMs=${endMs}`,
        key: params.key,
        realtime,
        onStatus: (text) => setText(isoStatus, text),
      });
      hook.joined = true;
      coughButton.disabled = false;
      joinButton.hidden = true;
      document.body.dataset.joined = 'true';
      void refreshMics(micSelect); // names appear once the browser has given the microphone
    }).finally(() => {
      if (!hook.joined) joinButton.disabled = false;
    });
  });

  // The cough is local and instant: the sent track goes silent, whatever the link to the controller.
  coughButton.addEventListener('click', () => {
    coughing = !coughing;
    const track = sentTrack();
    if (track !== null) track.enabled = !coughing;
    if (coughing) hook.coughAt = Date.now();
    coughButton.setAttribute('aria-pressed', String(coughing));
    setText(coughButton, coughing ? 'Muted: press to talk' : 'Cough');
    document.body.dataset.cough = String(coughing);
  });
  checkButton.addEventListener('click', () => void attempt('Headphones check', () => audio.headphonesCheck()));

  const recapture = async (): Promise<void> => {
    const current = publisher;
    if (current === null) return;
    current.audioProcessing = processing();
    await current.useDevice('audioinput', micSelect.value);
    trackChanged();
  };
  micSelect.addEventListener('change', () => void attempt('Switching microphone', recapture));
  echo.addEventListener('change', () => void attempt('Echo cancellation', recapture));
  noise.addEventListener('change', () => void attempt('Noise suppression', recapture));
}

async function refreshMics(select: HTMLSelectElement): Promise<void> {
  if (navigator.mediaDevices === undefined) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  fillDevices(
    select,
    devices.filter((d) => d.kind === 'audioinput'),
    'Microphone',
  );
}

main().catch((error: unknown) => showFatal('Commentary', (error as Error).message));
