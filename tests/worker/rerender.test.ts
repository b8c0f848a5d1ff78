// The re-render on real ffmpeg with ISO segments made the way a camera page makes them (VP8/Opus WebM, 2 s,
// stamped with server times): two cameras in two colours and tones, a test source, a mix, a wipe and a
// camera whose ISO stops (the slate). The picture and sound at each take must be the source the switch log
// put on air there.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAMERA_SLATE_COLOUR,
  REPLAY_SOURCE_ID,
  testSourceColour,
  type IsoSegment,
  type RerenderJob,
  type SwitchLogEntry,
  type Transition,
} from '../../protocol/index.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { rerender } from '../../worker/export/rerender.ts';
import { colourDistance, hexToRgb, regionColour, tonePowers } from './media-checks.ts';

const EVENT = 'ev-rerender';
const T0 = 1_800_000_000_000;
const SEGMENT_MS = 2000;
const WINDOW_MS = 12_000;
const CAMERAS = {
  'cam-a': { colour: '#c8d820', toneHz: 2750 },
  'cam-b': { colour: '#20a0d8', toneHz: 3300 },
} as const;
/** Max channel difference to the expected colour (VP8 then H.264 on a plain colour). */
const COLOUR_TOLERANCE = 24;

let dir = '';
const segments = new Map<string, IsoSegment[]>();

/** ISO segments of one camera covering [fromMs, toMs) of server time, as files under the event's ISO dir. */
function recordIso(camera: keyof typeof CAMERAS, fromMs: number, toMs: number): void {
  const { colour, toneHz } = CAMERAS[camera];
  const cameraDir = join(dir, 'iso', EVENT, camera);
  mkdirSync(cameraDir, { recursive: true });
  // One segment encoded, stored under each stamped name (every segment of a plain colour is the same).
  const source = join(dir, `${camera}.webm`);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=${colour.replace('#', '0x')}:s=640x360:r=30:d=2`],
    ...['-f', 'lavfi', '-i', `sine=f=${toneHz}:r=48000:d=2`],
    ...['-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'],
    ...['-y', source],
  ]);
  const list: IsoSegment[] = [];
  for (let start = fromMs, seq = 1; start < toMs; start += SEGMENT_MS, seq++) {
    const file = `${String(seq).padStart(8, '0')}-${start}.webm`;
    copyFileSync(source, join(cameraDir, file));
    list.push({ camera, seq, startMs: start, endMs: start + SEGMENT_MS, bytes: 1, file, mime: 'video/webm' });
  }
  segments.set(camera, list);
}

const cut: Transition = { type: 'cut', durationMs: 0, from: 'left', colour: '#000000' };
const mix: Transition = { ...cut, type: 'mix', durationMs: 1000 };
const wipe: Transition = { ...cut, type: 'wipe', durationMs: 1000, from: 'left' };

function take(atMs: number, source: string, from: string, transition: Transition, n: number): SwitchLogEntry {
  return { id: `${T0 + atMs}-0`, time: T0 + atMs, revision: n, source, from, transition, who: 'director:test' };
}

// On air: cam-a (taken before the window), mixed to cam-b at 3 s, wiped to camera-1 at 6.5 s, cut to cam-b at
// 9 s — whose ISO stopped at 8 s, so the slate — and a replay of cam-a from 10.6 s.
const LOG: SwitchLogEntry[] = [
  take(-500, 'cam-a', 'camera-2', cut, 1),
  take(3000, 'cam-b', 'cam-a', mix, 2),
  take(6500, 'camera-1', 'cam-b', wipe, 3),
  take(9000, 'cam-b', 'camera-1', cut, 4),
  // A replay of cam-a's 1–1.5 s at half speed from 10.6 s (1 s long), staying on its last frame.
  {
    ...take(10_600, REPLAY_SOURCE_ID, 'cam-b', cut, 5),
    replay: {
      clip: { id: 'c1', source: 'cam-a', fromMs: T0 + 1000, toMs: T0 + 1500, mediaOffsetMs: 0, media: 'c1-1.webm' },
      speed: 0.5,
      startedAt: T0 + 10_600,
      endsAt: T0 + 11_600,
      returnTo: 'cam-b',
      stay: true,
      audio: 'duck',
    },
  },
];

beforeAll(() => {
  // Characters ffmpeg's filter graph syntax gives meaning to, in the path: the ISO files are read inside it.
  dir = mkdtempSync(join(tmpdir(), "pitchside-rerender-it's [a,b];c:d "));
  recordIso('cam-a', T0 - 1000, T0 + WINDOW_MS + 1000);
  recordIso('cam-b', T0, T0 + 8000);
  // cam-b's last segment is a recorder stopped before its first frame: a WebM header and nothing else.
  const broken = segments.get('cam-b')!.at(-1)!;
  writeFileSync(join(dir, 'iso', EVENT, 'cam-b', broken.file), Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42]));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function job(width: 1280 | 1920, height: 720 | 1080): RerenderJob {
  return {
    eventId: EVENT,
    fromMs: T0,
    toMs: T0 + WINDOW_MS,
    video: { width, height, fps: 30 },
    feed: 'clean',
    isoDir: join(dir, 'iso'),
    testSources: ['camera-1', 'camera-2'],
    outDir: join(dir, `out-${height}`),
  };
}

const reader = {
  readLog: async () => LOG,
  isoCameras: async () => [...segments.keys()],
  isoSegments: async (_event: string, camera: string, fromMs: number, toMs: number) =>
    (segments.get(camera) ?? []).filter((s) => s.endMs > fromMs && s.startMs < toMs),
};

describe('re-render from ISO segments', () => {
  it('cuts, mixes, wipes and slates at the switch log’s times, at 720p', async () => {
    const progress: number[] = [];
    const result = await rerender(job(1280, 720), reader, { onProgress: (p) => progress.push(p) });
    const info = await probe(result.video);
    expect([info.video?.codec, info.video?.width, info.video?.height, info.audio?.codec]).toEqual([
      'h264',
      1280,
      720,
      'aac',
    ]);
    expect(Math.abs(info.durationMs - WINDOW_MS)).toBeLessThanOrEqual(100);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // cam-b's ISO is unreadable from 6 s and gone from 8 s: 6–7.5 s (to the end of the wipe away from it) and
    // 9–10.6 s are the slate.
    expect(result.slateMs).toBeCloseTo(3100, -2);

    const expectColour = (seconds: number, colour: string | [number, number, number], what: string) => {
      const seen = regionColour(result.video, seconds, 1280, 720);
      const want = typeof colour === 'string' ? hexToRgb(colour) : colour;
      expect(colourDistance(seen, want), `${what} at ${seconds} s: rgb(${seen.join(',')})`).toBeLessThanOrEqual(
        COLOUR_TOLERANCE,
      );
    };
    const a = hexToRgb(CAMERAS['cam-a'].colour);
    const b = hexToRgb(CAMERAS['cam-b'].colour);
    expectColour(1.5, a, 'cam-a');
    // Half way through the mix: half of each.
    expectColour(3.5, [0, 1, 2].map((i) => (a[i]! + b[i]!) / 2) as [number, number, number], 'mid-mix');
    expectColour(5, b, 'cam-b');
    expectColour(6.3, CAMERA_SLATE_COLOUR, 'cam-b’s unreadable segment');
    // Half way through the wipe from the left, the check region (left edge) already shows camera-1.
    expectColour(7.0, testSourceColour(1), 'wipe');
    expectColour(8, testSourceColour(1), 'camera-1');
    expectColour(10.3, CAMERA_SLATE_COLOUR, 'slate');
    expectColour(11.1, a, 'replay of cam-a');
    expectColour(11.8, a, 'replay held on its last frame');

    // Sound follows the picture: cam-a's tone on cam-a, cam-b's on cam-b, camera-1's (400 Hz) on camera-1.
    const tones = [CAMERAS['cam-a'].toneHz, CAMERAS['cam-b'].toneHz, 400];
    const loudest = (seconds: number) => {
      const powers = tonePowers(result.video, seconds, 0.5, tones);
      return tones[powers.indexOf(Math.max(...powers))];
    };
    expect([loudest(1), loudest(5), loudest(8)]).toEqual(tones);
  }, 300_000);

  it('blends a transition that crosses a segment boundary on one side only', async () => {
    // cam-a's segments start at odd seconds: the mix to camera-1 at 4.5–5.5 s joins two of them on its way
    // out while camera-1 comes in as one piece, and xfade takes only inputs of one time base.
    const log = [take(-500, 'cam-a', 'camera-2', cut, 1), take(4500, 'camera-1', 'cam-a', mix, 2)];
    const result = await rerender(
      { ...job(1280, 720), toMs: T0 + 7000, outDir: join(dir, 'out-boundary') },
      {
        ...reader,
        readLog: async () => log,
      },
    );
    const a = hexToRgb(CAMERAS['cam-a'].colour);
    const one = hexToRgb(testSourceColour(1));
    const midMix = [0, 1, 2].map((i) => (a[i]! + one[i]!) / 2) as [number, number, number];
    for (const [seconds, want] of [
      [3, a],
      [5, midMix],
      [6.5, one],
    ] as const) {
      const seen = regionColour(result.video, seconds, 1280, 720);
      expect(colourDistance(seen, want), `${seconds} s: rgb(${seen.join(',')})`).toBeLessThanOrEqual(COLOUR_TOLERANCE);
    }
  }, 300_000);

  it('renders the same program at 1080p', async () => {
    const result = await rerender(job(1920, 1080), reader);
    const info = await probe(result.video);
    expect([info.video?.width, info.video?.height]).toEqual([1920, 1080]);
    const seen = regionColour(result.video, 5, 1920, 1080);
    expect(colourDistance(seen, hexToRgb(CAMERAS['cam-b'].colour))).toBeLessThanOrEqual(COLOUR_TOLERANCE);
  }, 300_000);
});
