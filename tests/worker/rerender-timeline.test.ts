// The re-render's timeline, pure: which source is on air over which output frames, how transitions
// become blends, where the ISO runs out, and how the program is cut into chunks.
import { describe, expect, it } from 'vitest';
import {
  CAMERA_SLATE_COLOUR,
  REPLAY_SOURCE_ID,
  type ReplayState,
  type SwitchLogEntry,
  type Transition,
} from '../../protocol/index.ts';
import {
  chunkSpans,
  isoCoverage,
  layerPieces,
  programSpans,
  type ProgramSpan,
  type SourceMedia,
} from '../../worker/export/rerender-timeline.ts';

const T0 = 1_000_000;
const clock = { t0: T0, fps: 30 };
const cut: Transition = { type: 'cut', durationMs: 0, from: 'left', colour: '#000000' };

function entry(atMs: number, source: string, from: string | null, transition: Transition = cut): SwitchLogEntry {
  return { id: `${T0 + atMs}-0`, time: T0 + atMs, revision: 1, source, from, transition, who: 'director:k' };
}

const frames = (spans: ProgramSpan[]) => spans.map((s) => [s.kind, s.from, s.to]);

describe('re-render timeline', () => {
  it('opens on the source on air at the start, or the first take’s outgoing source', () => {
    expect(programSpans([entry(-100, 'a', null), entry(1000, 'b', 'a')], clock, 60)).toEqual([
      { kind: 'plain', from: 0, to: 30, layer: { source: 'a' } },
      { kind: 'plain', from: 30, to: 60, layer: { source: 'b' } },
    ]);
    expect(programSpans([entry(1000, 'b', 'x')], clock, 60)[0]).toEqual({
      kind: 'plain',
      from: 0,
      to: 30,
      layer: { source: 'x' },
    });
    // No take at all: nothing known on air (the slate).
    expect(programSpans([], clock, 30)).toEqual([{ kind: 'plain', from: 0, to: 30, layer: { source: null } }]);
  });

  it('blends mixes and wipes, dips through the colour in two halves, and cuts a transition short at the next take', () => {
    const log = [
      entry(-1, 'a', null),
      entry(1000, 'b', 'a', { ...cut, type: 'mix', durationMs: 500 }),
      entry(2000, 'a', 'b', { ...cut, type: 'wipe', durationMs: 1000, from: 'top' }),
      entry(2500, 'b', 'a', { ...cut, type: 'dip', durationMs: 1000, colour: '#ffffff' }),
    ];
    const spans = programSpans(log, clock, 120);
    expect(frames(spans)).toEqual([
      ['plain', 0, 30],
      ['transition', 30, 45],
      ['plain', 45, 60],
      ['transition', 60, 75], // the wipe, cut short by the dip at 2.5 s
      ['transition', 75, 90],
      ['transition', 90, 105],
      ['plain', 105, 120],
    ]);
    expect(spans[3]).toMatchObject({ blend: 'wipedown', out: { source: 'b' }, in: { source: 'a' } });
    expect(spans[4]).toMatchObject({ blend: 'fade', out: { source: 'a' }, in: { colour: '#ffffff' } });
    expect(spans[5]).toMatchObject({ blend: 'fade', out: { colour: '#ffffff' }, in: { source: 'b' } });
  });

  it('places ISO segments by their stamps, holds short gaps and slates long ones', () => {
    const iso = isoCoverage([
      { file: 's1', startMs: T0 - 500, endMs: T0 + 1500 },
      { file: 's2', startMs: T0 + 1600, endMs: T0 + 3600 }, // 100 ms gap: s1 held over it
      { file: 's3', startMs: T0 + 6000, endMs: T0 + 8000 }, // 2.4 s gap: slate
    ]);
    const media: SourceMedia = { iso: (s) => (s === 'cam' ? iso : undefined), isTestSource: (s) => s === 'camera-2' };
    const live = { kind: 'iso', speed: 1, sound: true, freeze: false } as const;
    expect(layerPieces({ source: 'cam' }, 0, 240, clock, media)).toEqual([
      { ...live, file: 's1', mediaFrame: 15, frames: 48 },
      { ...live, file: 's2', mediaFrame: 0, frames: 60 },
      { kind: 'colour', colour: CAMERA_SLATE_COLOUR, toneHz: null, frames: 72, slate: true },
      { ...live, file: 's3', mediaFrame: 0, frames: 60 },
    ]);
    expect(layerPieces({ source: 'camera-2' }, 0, 10, clock, media)).toEqual([
      { kind: 'colour', colour: '#1f77b4', toneHz: 600, frames: 10, slate: false },
    ]);
  });

  it('plays a replay from its clip’s in point at its speed, without its sound, and holds the out point', () => {
    const iso = [
      { file: 's1', startMs: T0, endMs: T0 + 2000 },
      { file: 's2', startMs: T0 + 2000, endMs: T0 + 4000 },
    ];
    const media: SourceMedia = { iso: () => iso, isTestSource: () => false };
    const replay: ReplayState = {
      clip: { id: 'c1', source: 'cam', fromMs: T0 + 1000, toMs: T0 + 3000, mediaOffsetMs: 0, media: 'c1-1.webm' },
      speed: 0.5,
      startedAt: T0 + 10_000,
      endsAt: T0 + 14_000,
      returnTo: 'cam',
      stay: true,
      audio: 'duck',
    };
    const slow = { kind: 'iso', speed: 0.5, sound: false, freeze: false } as const;
    // Output frame 0 is the replay's start; the clip's first second is the second half of s1, played at half speed.
    expect(layerPieces({ replay }, 0, 150, { t0: T0 + 10_000, fps: 30 }, media)).toEqual([
      { ...slow, file: 's1', mediaFrame: 60, frames: 60 },
      { ...slow, file: 's2', mediaFrame: 0, frames: 60 },
      { kind: 'iso', file: 's2', mediaFrame: 29, frames: 30, speed: 1, sound: false, freeze: true },
    ]);
    // The switch log's replay take becomes that layer.
    const take = { ...entry(500, REPLAY_SOURCE_ID, 'cam'), replay };
    expect(programSpans([entry(-1, 'cam', null), take], clock, 60)[1]).toEqual({
      kind: 'plain',
      from: 15,
      to: 60,
      layer: { replay },
    });
  });

  it('chunks cover every frame once and never split a transition', () => {
    const log = [entry(-1, 'a', null)];
    for (let t = 700; t < 20_000; t += 700)
      log.push(entry(t, t % 1400 ? 'b' : 'a', null, { ...cut, type: 'mix', durationMs: 400 }));
    const spans = programSpans(log, clock, 600);
    const chunks = chunkSpans(spans, 90);
    const flat = chunks.flat();
    flat.forEach((s, i) => expect(s.from).toBe(i === 0 ? 0 : flat[i - 1]!.to));
    expect(flat.at(-1)!.to).toBe(600);
    expect(flat.filter((s) => s.kind === 'transition')).toEqual(spans.filter((s) => s.kind === 'transition'));
    for (const chunk of chunks) expect(chunk.at(-1)!.to - chunk[0]!.from).toBeLessThan(90 + 12);
  });
});
