// `npm run bench:recorder`: the real template on the embedded stack, recorded by the built-in recorder to
// MP4 + two local RTMP receivers (ffmpeg in listen mode) while the default cue sheet plays, at 720p30
// and 1080p30, with the built-in (canvas-drawn) test sources and with four decoded 720p H.264 cameras
// (what LiveKit tracks are). Writes bench/results/recorder.json and prints a table.
//   npm run bench:recorder -- [--seconds 20]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertValid, type VideoFormat } from '../../protocol/index.ts';
import { freePort } from '../../runtime/free-port.ts';
import { DEFAULT_CUES_FILE, DemoCueSheetSchema, recordProgram } from '../../scripts/program-recording.ts';
import { CameraClipServer } from '../camera-clips.ts';
import { idleLoadOrExit } from '../bench-report.ts';

// On a busy machine the figures would describe the load: refuse (exit 2) unless BENCH_ALLOW_LOAD=1.
idleLoadOrExit();

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const SECONDS = Number(values.seconds);
const FORMATS: (VideoFormat & { name: string; sources: 'test' | 'cameras' })[] = [
  { name: '720p30', width: 1280, height: 720, fps: 30, sources: 'test' },
  { name: '1080p30', width: 1920, height: 1080, fps: 30, sources: 'test' },
  { name: '720p30', width: 1280, height: 720, fps: 30, sources: 'cameras' },
  { name: '1080p30', width: 1920, height: 1080, fps: 30, sources: 'cameras' },
];
const clips = new CameraClipServer();
const clipsUrl = await clips.start();
/** The target: at most this share of output frames duplicated or dropped. */
const MAX_BAD_FRAME_SHARE = 0.005;
const work = resolve('out', 'bench-recorder');
const cues = assertValid(DemoCueSheetSchema, JSON.parse(readFileSync(DEFAULT_CUES_FILE, 'utf8')), 'default cue sheet');

const results = [];
for (const format of FORMATS) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const receivers: ChildProcess[] = [];
  const outputs = [];
  for (const name of ['rtmp-a', 'rtmp-b']) {
    const port = await freePort();
    receivers.push(
      spawn(
        'ffmpeg',
        [
          '-v',
          'error',
          '-listen',
          '1',
          '-i',
          `rtmp://127.0.0.1:${port}/live/bench`,
          '-c',
          'copy',
          '-f',
          'flv',
          '-y',
          join(work, `${name}.flv`),
        ],
        { stdio: 'ignore' },
      ),
    );
    outputs.push({ id: name, kind: 'rtmp' as const, url: `rtmp://127.0.0.1:${port}/live/bench` });
  }
  const video = { width: format.width, height: format.height, fps: format.fps };
  const templateQuery: Record<string, string> =
    format.sources === 'cameras' ? { testsources: 'video', testmedia: clipsUrl } : {};
  const r = await recordProgram({
    video,
    seconds: SECONDS,
    cues,
    out: join(work, `${format.name}-${format.sources}.mp4`),
    extraOutputs: outputs,
    templateQuery,
  });
  for (const receiver of receivers) receiver.kill('SIGTERM');
  const c = r.stats.capture;
  const bad = (c.duplicated + c.dropped) / Math.max(1, r.frames);
  results.push({
    format: format.name,
    sources: format.sources,
    width: format.width,
    height: format.height,
    targetFps: format.fps,
    seconds: Number(r.elapsedS.toFixed(2)),
    frames: r.frames,
    rendered: c.framesRendered,
    duplicated: c.duplicated,
    dropped: c.dropped,
    badFrameShare: Number(bad.toFixed(4)),
    meetsTarget: bad <= MAX_BAD_FRAME_SHARE,
    renderedFps: Number(r.renderedFps.toFixed(2)),
    cpuPercentOfOneCore: Number(((r.cpuS / r.elapsedS) * 100).toFixed(1)),
    recordingDurationS: Number((r.probe.durationMs / 1000).toFixed(2)),
    rtmpFailures: r.stats.outputs.filter((o) => o.id.startsWith('rtmp-')).reduce((n, o) => n + o.failures, 0),
  });
}

const report = {
  at: new Date().toISOString(),
  cores: cpus().length,
  loadavg: loadavg(),
  outputs: 'MP4 + 2 RTMP (local ffmpeg receivers)',
  results,
};
mkdirSync(resolve('bench', 'results'), { recursive: true });
writeFileSync(resolve('bench', 'results', 'recorder.json'), `${JSON.stringify(report, null, 2)}\n`);
await clips.close();
console.table(
  results.map((r) => ({
    format: r.format,
    sources: r.sources,
    fps: r.renderedFps,
    frames: r.frames,
    duplicated: r.duplicated,
    dropped: r.dropped,
    'bad %': (r.badFrameShare * 100).toFixed(2),
    'CPU %': r.cpuPercentOfOneCore,
    target: r.meetsTarget ? 'met' : 'missed',
  })),
);
console.log('written bench/results/recorder.json');
