// Camera page for a phone: join by code, pick camera and microphone, send the picture and sound (to LiveKit,
// or straight to the receiving pages when the deployment has no LiveKit: the join answer's `transport`),
// and a full-screen tally (red on program, green on preview, amber while a replay of this camera is on air)
// so the operator knows when they are on air.
import '../styles/theme.css';
import './camera.css';
import {
  describeHealth,
  healthLevel,
  tallyOf,
  type CameraHealth,
  type JoinResponse,
  type LiveKitToken,
  type Tally,
} from '../../../protocol/index.ts';
import { TalkbackListener } from '../lib/talkback-listener.ts';
import { LIVEKIT_RECONNECT_MS, LiveKitTokenKeeper } from '../lib/livekit-token-keeper.ts';
import { h, setText } from '../lib/dom.ts';
import { attempt, notify } from '../lib/notices.ts';
import { showFatal, startPage } from '../lib/page.ts';
import { CameraTools } from './camera-tools.ts';
import { DevicePicker } from './device-picker.ts';
import { DirectPublisher } from './direct-publisher.ts';
import { followIsoArming } from './iso-recorder.ts';
import { forgetJoin, joinForm, savedJoin } from './join-form.ts';
import { LiveKitPublisher, type Quality } from './livekit-publisher.ts';

/** A replay of this camera is on air: its recorded picture, not the live one (protocol/tally.ts). */
const TALLY_TEXT: Record<Tally, string> = { program: 'ON AIR', preview: 'PREVIEW', replay: 'REPLAY', none: 'STANDBY' };
const QUALITY_TEXT: Record<Quality, string> = {
  excellent: 'Excellent',
  good: 'Good',
  poor: 'Poor',
  lost: 'Lost',
  // Before the first measurement, or while nothing is being sent.
  unknown: 'checking…',
};
const HEALTH_QUALITY = { good: 'excellent', warning: 'poor', bad: 'lost' } as const satisfies Record<string, Quality>;
/** Tally follows a running transition (still red while being mixed out). */
const TALLY_REFRESH_MS = 100;

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const shell = h('div', { class: 'join-shell' });
  let join = savedJoin(code);
  if (join === null) {
    document.body.append(shell);
    // `?as=commentary`: a link handed to commentators opens with that choice made.
    join = await joinForm(shell, code, query.get('as') === 'commentary' ? 'commentary' : 'camera');
    shell.remove();
  }
  run(join);
}

function run(join: JoinResponse): void {
  const page = startPage({
    title: 'Camera',
    client: 'camera',
    params: { eventId: join.eventId, key: join.key, query: new URLSearchParams() },
  });
  if (page === null) return;
  const { realtime, main, topBar } = page;
  const cameraId = join.camera.id;
  setText(topBar.querySelector('.page-title') ?? topBar, join.camera.label);

  const tallyWord = h('div', { class: 'tally-word', id: 'tally-word' }, TALLY_TEXT.none);
  const preview = h(
    'div',
    { class: 'camera-preview', id: 'camera-preview' },
    h('span', { class: 'muted' }, 'No picture yet'),
  );
  const quality = h(
    'span',
    { class: 'quality', id: 'quality', 'data-quality': 'unknown' },
    `Link: ${QUALITY_TEXT.unknown}`,
  );
  const mediaStatus = h('p', { class: 'media-status', id: 'media-status' });
  const isoStatus = h('p', { class: 'mono muted', id: 'iso-status' });
  const linkDetail = h('p', { class: 'mono muted link-detail', id: 'link-detail' });
  const micButton = h('button', { type: 'button', id: 'mic-toggle' }, 'Mute mic');
  const videoButton = h('button', { type: 'button', id: 'video-toggle' }, 'Stop video');
  const picker = new DevicePicker();
  // Lens, framing and the director's remote controls, on whichever track the publisher sends now.
  const tools = new CameraTools({
    track: () => publisher.videoTrack(),
    flip: (facing) => publisher.useFacing(facing),
    resized: () => publisher.followCapture(),
    report: (device) => realtime.send({ type: 'camera.device', device }),
    preview,
  });
  realtime.handle({ 'camera.control': (frame) => void tools.handleControl(frame) });
  // The director's (or graphics') voice on this phone's output, never sent on; and a call the other way.
  const talkback = new TalkbackListener((frame) => realtime.send(frame));
  realtime.handle(talkback.handlers);
  const callButton = h('button', { type: 'button', id: 'call-director', class: 'call-director' }, 'Call director');
  callButton.addEventListener('click', () => {
    if (realtime.send({ type: 'crew.call' })) notify('info', 'The director sees your call.');
    else notify('warning', 'Not connected: try again in a moment.');
  });
  realtime.on('status', (status) => {
    if (status === 'online') tools.reportAgain();
  });
  main.append(
    h(
      'div',
      { class: 'camera-layout' },
      tallyWord,
      talkback.element,
      preview,
      h('div', { class: 'row camera-status' }, quality, h('span', { class: 'mono muted', id: 'camera-id' }, cameraId)),
      mediaStatus,
      isoStatus,
      linkDetail,
      h('div', { class: 'camera-controls' }, micButton, videoButton, callButton),
      tools.element,
      picker.element,
      h('button', { type: 'button', class: 'leave', onclick: () => void leave() }, 'Leave'),
    ),
  );
  document.body.dataset.tally = 'none';

  const showTally = (): void => {
    const state = realtime.state;
    const tally: Tally = state === null ? 'none' : tallyOf(state, cameraId, realtime.serverNow());
    if (document.body.dataset.tally !== tally) {
      document.body.dataset.tally = tally;
      setText(tallyWord, TALLY_TEXT[tally]);
      if (tally === 'program' && 'vibrate' in navigator) navigator.vibrate(200);
    }
  };
  realtime.on('state', showTally);
  setInterval(showTally, TALLY_REFRESH_MS);
  realtime.start();

  let micOn = true;
  let videoOn = true;
  const showPreview = (element: HTMLVideoElement | null): void => {
    preview.replaceChildren(element ?? h('span', { class: 'muted' }, videoOn ? 'No picture yet' : 'Video stopped'));
    if (element !== null) {
      element.muted = true;
      element.playsInline = true;
    }
    // A new preview is a new track (start, device switch, flip): the lens controls follow it.
    void tools.attach();
  };

  const showQuality = (q: Quality): void => {
    quality.dataset.quality = q;
    setText(quality, `Link: ${QUALITY_TEXT[q]}`);
  };
  // LiveKit room tokens are short-lived: a reload of a saved join, or a reconnect after a long outage,
  // uses a fresh one this camera's own key fetched.
  const tokens = new LiveKitTokenKeeper({
    fetch: () =>
      page.api.post<LiveKitToken>(
        `/api/events/${encodeURIComponent(join.eventId)}/cameras/${encodeURIComponent(cameraId)}/token`,
      ),
    now: () => realtime.serverNow(),
  });
  let leaving = false;
  const callbacks = {
    quality: showQuality,
    status: (status: string, detail: string) => {
      setText(mediaStatus, detail);
      if (status === 'disconnected' && !leaving && publisher instanceof LiveKitPublisher)
        setTimeout(() => void publishAgain(publisher), LIVEKIT_RECONNECT_MS);
    },
    preview: showPreview,
  };
  const publishAgain = async (livekitPublisher: LiveKitPublisher): Promise<void> => {
    if (leaving) return;
    await attempt('Reconnecting', async () => {
      await livekitPublisher.close();
      await livekitPublisher.start(tokens.current, picker.choice());
    });
  };
  const showHealth = (health: CameraHealth): void => {
    showQuality(health.peers === 0 ? 'unknown' : HEALTH_QUALITY[healthLevel(health)]);
    setText(linkDetail, describeHealth(health));
  };
  // Saved joins from before `transport` existed had LiveKit exactly when they carried a token.
  const transport = join.transport ?? (join.livekit === null ? 'direct' : 'livekit');
  const livekit = join.livekit;
  const publisher =
    transport === 'livekit' && livekit !== null
      ? new LiveKitPublisher(callbacks)
      : new DirectPublisher({ send: (frame) => realtime.send(frame), callbacks, onHealth: showHealth });
  let stopIso = (): void => undefined;
  if (publisher instanceof DirectPublisher) {
    const direct = publisher;
    realtime.handle(direct.handlers);
    direct
      .start(picker.choice())
      .then(() => {
        void picker.refresh(); // device names appear once access is granted
        // Without LiveKit nobody else records this camera on its own: it records itself for replays
        // while the event's ISO recording is armed.
        stopIso = followIsoArming({
          stream: () => direct.stream,
          url: (startMs, endMs) =>
            `/api/events/${encodeURIComponent(join.eventId)}/cameras/${encodeURIComponent(cameraId)}/iso?startMs=${startMs}&endMs=${endMs}`,
          key: join.key,
          realtime,
          onStatus: (text) => setText(isoStatus, text),
        });
      })
      .catch((error: unknown) => {
        mediaStatus.dataset.kind = 'warning';
        setText(
          mediaStatus,
          `No camera: ${(error as Error).message || (error as Error).name}. Allow camera access and reload.`,
        );
      });
  } else {
    void attempt('Publishing', async () => publisher.start(await tokens.start(livekit), picker.choice()));
  }
  picker.onChange((kind, deviceId) => {
    void attempt('Switching device', () => publisher.useDevice(kind, deviceId));
  });
  micButton.addEventListener('click', () => {
    micOn = !micOn;
    micButton.textContent = micOn ? 'Mute mic' : 'Unmute mic';
    micButton.classList.toggle('off', !micOn);
    void attempt('Microphone', () => publisher.setMicrophone(micOn));
  });
  videoButton.addEventListener('click', () => {
    videoOn = !videoOn;
    videoButton.textContent = videoOn ? 'Stop video' : 'Start video';
    videoButton.classList.toggle('off', !videoOn);
    void attempt('Video', () => publisher.setCamera(videoOn));
  });
  realtime.on('status', (status, detail) => {
    // A key the controller no longer knows (event deleted, camera removed): join again.
    if (status === 'closed' && /key|refused/i.test(detail)) {
      forgetJoin();
      notify('error', `${detail} Reload the page to join again.`);
    }
  });

  async function leave(): Promise<void> {
    leaving = true;
    tokens.close();
    forgetJoin();
    stopIso();
    await publisher.close();
    await realtime.close();
    location.reload();
  }
}

main().catch((error: unknown) => showFatal('Camera', (error as Error).message));
