/**
 * Re-render benchmark: how much faster than real time the program is rendered again from ISO recordings.
 *   npx tsx bench/rerender/run.ts [--secs 60] [--out path]
 * Two cameras' ISO segments as camera pages make them (720p30 VP8 2.5 Mbit/s + Opus, 2 s each, a moving
 * pattern: a flat colour would make every codec look free), a switch log with a take every 5 s (cuts,
 * mixes and wipes of 1 s), re-rendered clean at 720p30 and 1080p30 by worker/export/rerender.ts.
 * speed = program seconds / wall seconds (above 1: faster than real time); CPU = ffmpeg CPU seconds per
 * program second (1.0 = one core for as long as the program lasts). Writes JSON with the CPU model and
 * load, prints a table.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IsoSegment, RerenderJob, SwitchLogEntry, Transition } from '../../protocol/index.ts';
import { RERENDER_PRESET, rerender } from '../../worker/export/rerender.ts';
import { idleLoadOrExit, runConditions } from '../bench-report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const SECS = Number(arg('secs', '60'));
const OUT = resolve(arg('out', resolve(here, '../results/rerender.json')));
const SEGMENT_MS = 2000;
const TAKE_EVERY_MS = 5000;
const T0 = 1_800_000_000_000;
const EVENT = 'bench';
const CAMERAS = ['cam-a', 'cam-b'];

const loadBefore = idleLoadOrExit();
const work = mkdtempSync(join(tmpdir(), 'rerender-bench-'));

/** CPU seconds of this process's finished children (ffmpeg), from /proc/self/stat cutime + cstime. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

// One 2 s segment per camera, encoded once and copied under each stamped name (decode cost is the same).
const segments = new Map<string, IsoSegment[]>();
for (const [i, camera] of CAMERAS.entries()) {
  const dir = join(work, 'iso', EVENT, camera);
  mkdirSync(dir, { recursive: true });
  const source = join(work, `${camera}.webm`);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=1280x720:r=30:d=2,hue=h=${i * 120}`],
    ...['-f', 'lavfi', '-i', `sine=f=${1000 + i * 500}:r=48000:d=2`],
    ...['-c:v', 'libvpx', '-b:v', '2.5M', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'],
    ...['-y', source],
  ]);
  const list: IsoSegment[] = [];
  for (let start = T0, seq = 1; start < T0 + SECS * 1000; start += SEGMENT_MS, seq++) {
    const file = `${String(seq).padStart(8, '0')}-${start}.webm`;
    copyFileSync(source, join(dir, file));
    list.push({ camera, seq, startMs: start, endMs: start + SEGMENT_MS, bytes: 1, file, mime: 'video/webm' });
  }
  segments.set(camera, list);
}

const base: Transition = { type: 'cut', durationMs: 0, from: 'left', colour: '#000000' };
const transitions: Transition[] = [
  base,
  { ...base, type: 'mix', durationMs: 1000 },
  { ...base, type: 'wipe', durationMs: 1000 },
];
const log: SwitchLogEntry[] = [];
for (let at = 0, n = 0; at < SECS * 1000; at += TAKE_EVERY_MS, n++) {
  log.push({
    id: `${T0 + at}-0`,
    time: T0 + at,
    revision: n + 1,
    source: CAMERAS[n % 2]!,
    from: n === 0 ? null : CAMERAS[(n + 1) % 2]!,
    transition: transitions[n % transitions.length]!,
    who: 'director:bench',
  });
}
const reader = {
  readLog: async () => log,
  isoCameras: async () => CAMERAS,
  isoSegments: async (_e: string, camera: string, fromMs: number, toMs: number) =>
    (segments.get(camera) ?? []).filter((s) => s.endMs > fromMs && s.startMs < toMs),
};

const rows: Array<Record<string, number | string>> = [];
// The shipping preset at both sizes, and the VOD export's (veryfast) at 1080p for comparison.
const RUNS = [
  [1280, 720, RERENDER_PRESET],
  [1920, 1080, RERENDER_PRESET],
  [1920, 1080, 'veryfast'],
] as const;
for (const [width, height, preset] of RUNS) {
  const job: RerenderJob = {
    eventId: EVENT,
    fromMs: T0,
    toMs: T0 + SECS * 1000,
    video: { width, height, fps: 30 },
    feed: 'clean',
    isoDir: join(work, 'iso'),
    testSources: [],
    outDir: join(work, `out-${height}-${preset}`),
  };
  const cpuBefore = childCpuSeconds();
  const load = loadavg()[0] ?? 0;
  const result = await rerender(job, reader, { preset });
  const cpu = childCpuSeconds() - cpuBefore;
  rows.push({
    size: `${width}x${height}`,
    preset,
    fps: 30,
    programSeconds: Math.round(result.durationMs) / 1000,
    renderSeconds: Math.round(result.renderMs) / 1000,
    speed: result.speed,
    cpuPerProgramSecond: Math.round((cpu / (result.durationMs / 1000)) * 100) / 100,
    load1Before: Math.round(load * 100) / 100,
  });
}
rmSync(work, { recursive: true, force: true });

const report = {
  bench: 'rerender',
  ...runConditions(loadBefore),
  setup: {
    programSeconds: SECS,
    cameras: CAMERAS.length,
    iso: '1280x720 30 fps VP8 2.5 Mbit/s + Opus, 2 s segments, testsrc2',
    takeEveryMs: TAKE_EVERY_MS,
    transitions: 'cut, mix 1 s, wipe 1 s in turn',
  },
  rows,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `re-render, ${SECS} s program, ${report.cpu.model} × ${report.cpu.cores}, load ${loadBefore[0]?.toFixed(1)}`,
);
console.log('| size | x264 preset | render s | speed × real time | ffmpeg CPU s per program s | load before |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r['size']} | ${r['preset']} | ${r['renderSeconds']} | ${r['speed']} | ${r['cpuPerProgramSecond']} | ${r['load1Before']} |`,
  );
console.log(`JSON: ${OUT}`);
