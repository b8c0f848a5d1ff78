// Graphics operator panel: scorebug, game clock, lower-third rundown, PiP placement and talkback. Every edit is
// compare-and-set, so two operators never silently overwrite each other.
import '../styles/theme.css';
import './graphics.css';
import { startPage } from '../lib/page.ts';
import { ClockPanel } from './clock-panel.ts';
import { FeedPanel } from './feed-panel.ts';
import { Desk } from '../lib/desk.ts';
import { LowerThirds } from './lower-thirds.ts';
import { OGrafPanel } from './ograf-panel.ts';
import { PipPlacer } from './pip-placer.ts';
import { ScorebugEditor } from './scorebug-editor.ts';
import { h } from '../lib/dom.ts';
import { masterMeterPanel } from '../lib/audio-meter.ts';
import { TalkPanel } from '../lib/talk-panel.ts';

const page = startPage({ title: 'Graphics', client: 'graphics' });
if (page !== null) {
  const { params, api, realtime, main } = page;
  const desk = new Desk(api, params.eventId, realtime);
  const scorebug = new ScorebugEditor(desk);
  const clock = new ClockPanel(desk);
  const feed = new FeedPanel(desk);
  const lowerThirds = new LowerThirds(desk);
  const ograf = new OGrafPanel(desk);
  const pip = new PipPlacer(desk, params);
  const talk = new TalkPanel(realtime);
  main.append(
    h(
      'div',
      { class: 'graphics-grid' },
      h('div', { class: 'column' }, scorebug.element, feed.element),
      h('div', { class: 'column' }, clock.element, lowerThirds.element, ograf.element),
      h('div', { class: 'column' }, talk.element, pip.element, masterMeterPanel(realtime)),
    ),
  );
  realtime.on('state', (state) => {
    scorebug.update(state);
    clock.update(state);
    feed.update(state);
    lowerThirds.update(state);
    ograf.update(state);
    pip.update(state);
    talk.update(state);
  });
  realtime.start();
}
