import { defaultAudioState } from './audio.ts';
import { cornerRect } from './timing.ts';
import type { ProgramState, Source, Team } from './state.ts';

export interface InitialStateOptions {
  now: number;
  sources?: Source[];
  home?: Partial<Team>;
  away?: Partial<Team>;
}

/** A new event's program: nothing on air, a half-second mix ready, graphics hidden, clock at zero, the mixer flat. */
export function createInitialState(options: InitialStateOptions): ProgramState {
  const sources = options.sources ?? [];
  return {
    revision: 0,
    updatedAt: options.now,
    sources,
    program: sources[0]?.id ?? null,
    preview: sources[1]?.id ?? null,
    transition: { type: 'mix', durationMs: 500, from: 'left', colour: '#000000' },
    take: null,
    pip: {
      visible: false,
      source: null,
      rect: cornerRect('bottom-right'),
      corner: 'bottom-right',
      border: { width: 4, colour: '#ffffff' },
    },
    scorebug: {
      visible: false,
      home: { name: 'Home', short: 'HOM', colour: '#c8102e', score: 0, ...options.home },
      away: { name: 'Away', short: 'AWY', colour: '#003da5', score: 0, ...options.away },
      period: '1st',
    },
    clock: { running: false, baseMs: 0, startedAt: null, direction: 'up', limitMs: null, visible: true },
    lowerThird: { visible: false, title: '', subtitle: '' },
    layout: 'single',
    audio: defaultAudioState(),
  };
}
