// `npm run bench:hls`: what self-hosted playback costs and how far behind real time it plays.
//   1. CPU of the built-in recorder (Chromium + every ffmpeg + the embedded stack) recording the default
//      cue sheet at 720p30, without and with an HLS output (the same encode copied into fMP4 segments).
//   2. Glass to player: hls.js in Chromium (the watch page's settings) plays the live playlist; each
//      sample is the wall clock minus the time the frame on screen was rendered (frame 0's render time,
//      from the recorder, + the media time: the HLS output starts at frame 0 with timestamp 0). Also how
//      much later than that ffmpeg's program date-times are (what the watch page's latency reads).
//   3. A second 360p rendition: cores needed to decode the 720p program, scale and encode 360p (x264
//      veryfast) in real time, measured on the recording of run 1.
// Writes bench/results/hls.json (CPU model, load averages) and prints a table. One run: about 2-3 minutes.
//   npm run bench:hls -- [--seconds 20]
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { assertValid, hlsListSize, HLS_PLAYLIST, type VideoFormat } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { freePort } from '../../runtime/free-port.ts';
import { DEFAULT_CUES_FILE, DemoCueSheetSchema, recordProgram } from '../../scripts/program-recording.ts';
import { idleLoadOrExit, percentile, runConditions } from '../bench-report.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const SECONDS = Number(values.seconds);
const VIDEO: VideoFormat = { width: 1280, height: 720, fps: 30 };
/** The watch page's hls.js settings (web/src/watch/hls-player.ts). */
const PLAYER_CONFIG = { liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 6, maxLiveSyncPlaybackRate: 1.1 };
const LATENCY_SAMPLE_MS = 500;
/** Samples before the player has settled on its hold-back are not the steady state. */
const SETTLE_S = 6;
/** The second rendition's encode: what a 360p ladder rung would cost. */
const RENDITION_ARGS = ['-vf', 'scale=-2:360', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '800k'];
/** A machine that is to record with the second rendition keeps this much of a core spare. */
const HEADROOM_CORES = 0.25;

const loadBefore = idleLoadOrExit();
const work = resolve('out', 'bench-hls');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const cues = assertValid(DemoCueSheetSchema, JSON.parse(readFileSync(DEFAULT_CUES_FILE, 'utf8')), 'default cue sheet');

async function record(name: string, hlsDir: string | null) {
  const r = await recordProgram({
    video: VIDEO,
    seconds: SECONDS,
    cues,
    out: join(work, `${name}.mp4`),
    extraOutputs: hlsDir === null ? [] : [{ id: 'hls', kind: 'hls', dir: hlsDir, listSize: hlsListSize(undefined) }],
  });
  return { r, cores: r.cpuS / r.elapsedS };
}

/** Serves the HLS directory and hls.js, as the controller would (no key, no cache). */
function staticServer(root: string): Promise<{ server: Server; origin: string }> {
  const hlsJs = resolve('node_modules', 'hls.js', 'dist', 'hls.min.js');
  const types: Record<string, string> = {
    '.m3u8': 'application/vnd.apple.mpegurl',
    '.m4s': 'video/iso.segment',
    '.mp4': 'video/mp4',
    '.js': 'text/javascript',
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.setHeader('content-type', 'text/html').end('<!doctype html><video id=v muted autoplay playsinline></video>');
      return;
    }
    const path = url.pathname === '/hls.js' ? hlsJs : resolve(root, `.${url.pathname}`);
    if (path !== hlsJs && !path.startsWith(root + sep)) {
      res.writeHead(404).end();
      return;
    }
    stat(path).then(
      () => {
        res.setHeader('content-type', types[extname(path)] ?? 'application/octet-stream');
        res.setHeader('cache-control', 'no-cache');
        createReadStream(path).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  return freePort().then(
    (port) =>
      new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${port}` }))),
  );
}

// ---- 1. CPU without and with HLS ----
const without = await record('without-hls', null);
const hlsDir = join(work, 'hls-cpu');
mkdirSync(hlsDir, { recursive: true });
const withHls = await record('with-hls', hlsDir);

// ---- 2. Glass to player ----
const latencyDir = join(work, 'hls-latency');
mkdirSync(latencyDir, { recursive: true });
const { server, origin } = await staticServer(latencyDir);
const browser = await launchChromium({ width: 1280, height: 720 });
const page = await browser.newPage();
await page.goto(`${origin}/`);
await page.addScriptTag({ url: `${origin}/hls.js` });
const playing = page.evaluate(
  async (playlist: string, config: object, sampleMs: number, settleS: number, seconds: number) => {
    interface HlsLike {
      loadSource(url: string): void;
      attachMedia(media: HTMLMediaElement): void;
      destroy(): void;
      readonly playingDate: Date | null;
      readonly latency: number;
    }
    const Hls = (window as unknown as { Hls: new (c: object) => HlsLike }).Hls;
    const video = document.getElementById('v') as HTMLVideoElement;
    // The playlist appears once the recorder's first keyframe reached ffmpeg: keep asking until then.
    for (;;) {
      if ((await fetch(playlist)).ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const hls = new Hls(config);
    hls.loadSource(playlist);
    hls.attachMedia(video);
    void video.play().catch(() => undefined);
    await new Promise<void>((r) => video.addEventListener('playing', () => r(), { once: true }));
    const firstFrameAt = performance.now();
    const samples: { at: number; mediaTimeS: number; programDateMs: number | null; behindEdgeS: number }[] = [];
    let stalls = 0;
    video.addEventListener('waiting', () => stalls++);
    await new Promise((r) => setTimeout(r, settleS * 1000));
    const end = performance.now() + (seconds - settleS) * 1000;
    while (performance.now() < end) {
      samples.push({
        at: Date.now(),
        mediaTimeS: video.currentTime,
        programDateMs: hls.playingDate?.getTime() ?? null,
        behindEdgeS: hls.latency,
      });
      await new Promise((r) => setTimeout(r, sampleMs));
    }
    hls.destroy();
    return { samples, stalls, startupMs: firstFrameAt };
  },
  `${origin}/${HLS_PLAYLIST}`,
  PLAYER_CONFIG,
  LATENCY_SAMPLE_MS,
  SETTLE_S,
  SECONDS,
);
// The recording runs a little longer than the player's sampling (its start, the player's start).
const latencyRun = await record('latency', latencyDir);
const played = await playing;
await browser.close();
server.close();
// The HLS output starts at frame 0 with timestamp 0 (setts N/fps), so media time t was rendered at
// firstFrameAt + t: glass to player is the wall clock when it shows minus that.
const latencies = played.samples.map((s) => s.at - (latencyRun.r.firstFrameAt + s.mediaTimeS * 1000));
/** How much later than the render ffmpeg's date-times are (its clock at its first packet, not frame 0's). */
const dateOffsets = played.samples.flatMap((s) =>
  s.programDateMs === null ? [] : [s.programDateMs - (latencyRun.r.firstFrameAt + s.mediaTimeS * 1000)],
);

// ---- 3. A 360p rendition: real-time decode + scale + encode of the 720p program ----
const rendition = await new Promise<{ cpuS: number; wallS: number }>((ok, fail) => {
  const started = Date.now();
  const child = spawn(
    'ffmpeg',
    ['-v', 'error', '-re', '-i', join(work, 'with-hls.mp4'), '-an', ...RENDITION_ARGS, '-f', 'null', '-'],
    { stdio: 'ignore' },
  );
  // CPU time of the child from /proc when it ends (user + system ticks).
  let cpuS = 0;
  const poll = setInterval(() => {
    try {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuS = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Ended between polls: the last reading stands (polled every 200 ms).
    }
  }, 200);
  child.on('error', fail);
  child.on('exit', () => {
    clearInterval(poll);
    ok({ cpuS, wallS: (Date.now() - started) / 1000 });
  });
});
const renditionCores = rendition.cpuS / rendition.wallS;
const cpuCores = cpus().length;
const spare = cpuCores - withHls.cores;
const renditionAffordable = spare - renditionCores >= HEADROOM_CORES;

const round = (n: number, d = 2) => Number(n.toFixed(d));
const report = {
  ...runConditions(loadBefore),
  video: VIDEO,
  seconds: SECONDS,
  segmentSeconds: 2,
  recorderCores: {
    withoutHls: round(without.cores),
    withHls: round(withHls.cores),
    hlsOutput: round(withHls.cores - without.cores),
    renderedFps: { withoutHls: round(without.r.renderedFps), withHls: round(withHls.r.renderedFps) },
    duplicated: { withoutHls: without.r.stats.capture.duplicated, withHls: withHls.r.stats.capture.duplicated },
  },
  glassToPlayerMs: {
    samples: latencies.length,
    p50: round(percentile(latencies, 50), 0),
    p95: round(percentile(latencies, 95), 0),
    min: round(Math.min(...latencies), 0),
    max: round(Math.max(...latencies), 0),
    programDateTimeLateMs: round(percentile(dateOffsets, 50), 0),
    behindLiveEdgeS: round(
      percentile(
        played.samples.map((s) => s.behindEdgeS),
        50,
      ),
    ),
    stalls: played.stalls,
    player: PLAYER_CONFIG,
  },
  secondRendition360p: {
    encode: RENDITION_ARGS.join(' '),
    cores: round(renditionCores),
    spareCoresWithHls: round(spare),
    affordable: renditionAffordable,
    headroomCores: HEADROOM_CORES,
  },
};
mkdirSync(resolve('bench', 'results'), { recursive: true });
writeFileSync(resolve('bench', 'results', 'hls.json'), `${JSON.stringify(report, null, 2)}\n`);
console.table([
  { measure: 'recorder cores, MP4 only', value: report.recorderCores.withoutHls },
  { measure: 'recorder cores, MP4 + HLS', value: report.recorderCores.withHls },
  { measure: 'HLS output (cores)', value: report.recorderCores.hlsOutput },
  { measure: 'glass to player p50 (ms)', value: report.glassToPlayerMs.p50 },
  { measure: 'glass to player p95 (ms)', value: report.glassToPlayerMs.p95 },
  { measure: 'behind live edge p50 (s)', value: report.glassToPlayerMs.behindLiveEdgeS },
  { measure: 'PDT later than render (ms)', value: report.glassToPlayerMs.programDateTimeLateMs },
  { measure: 'player stalls', value: report.glassToPlayerMs.stalls },
  { measure: '360p rendition (cores)', value: report.secondRendition360p.cores },
  { measure: '360p rendition affordable', value: report.secondRendition360p.affordable ? 'yes' : 'no' },
]);
console.log(
  `written bench/results/hls.json (${report.cpu.model}, load ${report.loadAverage.before[0]} → ${report.loadAverage.after[0]})`,
);
