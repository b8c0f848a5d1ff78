// Director panel: multiview, preview and program monitors, the transition section, hotkeys, PiP, outputs,
// the switch log, the camera join card and talkback to the crew.
import '../styles/theme.css';
import './director.css';
import { pictureSources, type Command, type ProgramState, type SourceId } from '../../../protocol/index.ts';
import { Desk } from '../lib/desk.ts';
import { h } from '../lib/dom.ts';
import { attempt } from '../lib/notices.ts';
import { startPage } from '../lib/page.ts';
import { CameraList } from '../lib/camera-list.ts';
import { CameraFeeds } from './camera-feeds.ts';
import { installHotkeys, hotkeyLegend } from './hotkeys.ts';
import { EncoderCameras } from './encoder-cameras.ts';
import { JoinCard } from './join-card.ts';
import { LensControls } from './lens-controls.ts';
import { CommentaryCard } from '../lib/commentary-card.ts';
import { MixerPanel } from './mixer-panel.ts';
import { OutputsPanel } from './outputs-panel.ts';
import { SwitchLogPanel } from './switch-log.ts';
import { frameMeters, templateFrame } from '../lib/template-frame.ts';
import { Monitor, PREVIEW_VIEW_QUERY } from './monitors.ts';
import { Multiview } from './multiview.ts';
import { PipPanel } from './pip-panel.ts';
import { ReplayPanel } from './replay-panel.ts';
import { Switcher } from './switcher.ts';
import { CrewCalls } from './crew-calls.ts';
import { TalkPanel } from '../lib/talk-panel.ts';

/** Tally follows transitions in time (a source mixed out stays red until the mix ends). */
const TALLY_REFRESH_MS = 100;
/** The camera list's "last seen" ages and tally. */
const CAMERA_LIST_REFRESH_MS = 1000;
/** R marks this many seconds of the program camera. */
const REPLAY_HOTKEY_SECONDS = 8;

const page = startPage({ title: 'Director', client: 'director' });
if (page !== null) {
  const { params, api, realtime, main } = page;
  const send = (command: Command, what: string): void => {
    void attempt(what, () => api.command(params.eventId, command));
  };
  // Edits (transition, PiP) are compare-and-set through the desk, as on the graphics desk.
  const desk = new Desk(api, params.eventId, realtime);
  // Number keys follow the multiview's tiles, which leave sound-only sources out.
  const sourceAt = (index: number): SourceId | undefined => pictureSources(realtime.state?.sources ?? [])[index]?.id;

  const multiview = new Multiview({
    preview: (source) => send({ type: 'program.preview', source }, 'Preview'),
    take: (source) => send({ type: 'program.take', source }, 'Take'),
  });
  const switcher = new Switcher(desk, { send });
  const pip = new PipPanel(desk);
  const replay = new ReplayPanel(api, params.eventId, (armed) =>
    send({ type: 'iso.arm', armed }, armed ? 'Arm ISO recording' : 'Disarm ISO recording'),
  );
  const talk = new TalkPanel(realtime);
  new CrewCalls(realtime, multiview);
  const feeds = new CameraFeeds(api, params.eventId, realtime, multiview);
  const lens = new LensControls(api, params.eventId, realtime, multiview);
  const join = new JoinCard(api, params.eventId);
  const commentary = new CommentaryCard(api, params.eventId);
  realtime.handle({ 'media.camera': (frame) => commentary.setOnline(frame.camera, frame.online) });
  const cameraList = new CameraList(api, params.eventId, realtime, {
    emptyText: 'No camera has joined yet: let the crew scan the join code.',
  });
  const encoders = new EncoderCameras(api, params.eventId, realtime);
  const outputs = new OutputsPanel(api, params.eventId, realtime);
  const programFrame = templateFrame(params, {}, 'Program output');
  // Before an output renderer runs, the mixer reads the program monitor's own meters (and says so).
  const mixer = new MixerPanel(send, realtime, () => frameMeters(programFrame));
  const switchLog = new SwitchLogPanel(api, params.eventId, realtime);
  const program = new Monitor('program', programFrame);
  const preview = new Monitor('preview', templateFrame(params, PREVIEW_VIEW_QUERY, 'Preview'));

  main.append(
    h(
      'div',
      { class: 'director-grid' },
      h('div', { class: 'monitors' }, preview.element, switcher.element, program.element),
      h('section', { class: 'multiview-panel panel' }, h('h2', {}, 'Sources'), multiview.element, hotkeyLegend()),
      h(
        'aside',
        { class: 'side', id: 'director-side' },
        // What is touched during the match first (a laptop screen shows these without scrolling); the
        // crew's join card and encoder setup below the camera list, the log last.
        talk.element,
        outputs.element,
        replay.element,
        mixer.element,
        pip.element,
        cameraList.element,
        join.element,
        commentary.element,
        encoders.element,
        switchLog.element,
      ),
    ),
  );

  installHotkeys({
    preview: (index) => {
      const source = sourceAt(index);
      if (source !== undefined) send({ type: 'program.preview', source }, `Preview ${index + 1}`);
    },
    take: (index) => {
      const source = sourceAt(index);
      if (source !== undefined) send({ type: 'program.take', source }, `Take ${index + 1}`);
    },
    cut: () => send({ type: 'program.cut' }, 'Cut'),
    auto: () => send({ type: 'program.auto' }, 'Auto'),
    markReplay: () => void replay.mark(REPLAY_HOTKEY_SECONDS),
    playReplay: () => void replay.play(),
    stopReplay: () => void replay.stop(),
  });

  const labelOf = (state: ProgramState, id: SourceId | null): string =>
    state.sources.find((s) => s.id === id)?.label ?? '—';
  realtime.on('state', (state) => {
    multiview.update(state, realtime.serverNow());
    feeds.refresh();
    lens.refresh();
    switcher.update(state);
    pip.update(state);
    replay.update(state);
    commentary.update(state);
    talk.update(state);
    program.caption(labelOf(state, state.program));
    preview.caption(labelOf(state, state.preview));
  });
  setInterval(() => {
    if (realtime.state === null) return;
    multiview.updateTally(realtime.state, realtime.serverNow());
    switcher.tick(realtime.state, realtime.serverNow());
  }, TALLY_REFRESH_MS);
  setInterval(() => cameraList.tick(), CAMERA_LIST_REFRESH_MS);
  realtime.start();
  void join.load();
  replay.start();
  void feeds.start();
}
