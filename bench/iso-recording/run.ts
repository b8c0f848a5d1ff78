/**
 * ISO recording benchmark: where should each camera's own recording be encoded?
 *   npx tsx bench/iso-recording/run.ts [--secs 10] [--out path]
 * (a) the camera page records itself (MediaRecorder on its capture, segments uploaded): the cost is on the
 *     phone, the server only writes bytes. Measured here as the Chromium tree with and without the recorder
 *     (a fake 720p30 camera playing a moving pattern) and the receiving server's CPU.
 * (b) the built-in recorder records what it receives: one more encode per camera on the server, either
 *     MediaRecorder in the recorder's Chromium (the same encoder as (a), now on the server) or ffmpeg libx264.
 * CPU = CPU seconds / wall seconds (1.0 = one core). Writes JSON with CPU model and load, prints a table.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../../runtime/chromium.ts';
import { cpuDelta, treeCpu } from '../../runtime/process-cpu.ts';
import { idleLoadOrExit } from '../bench-report.ts';

// On a busy machine the figures would describe the load: refuse (exit 2) unless BENCH_ALLOW_LOAD=1.
idleLoadOrExit();

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const SECS = Number(arg('secs', '10'));
const OUT = resolve(arg('out', resolve(here, '../results/iso-recording.json')));
const W = 1280;
const H = 720;
const FPS = 30;
const BITRATE = 2_500_000;
const SEGMENT_MS = 2000;
const WARMUP_MS = 2000;

const work = mkdtempSync(join(tmpdir(), 'iso-bench-'));
const video = join(work, 'camera.y4m');
const audio = join(work, 'tone.wav');
// A moving pattern (testsrc2): a flat colour would make every encoder look free.
execFileSync('ffmpeg', [
  ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=${FPS}:d=3`],
  ...['-pix_fmt', 'yuv420p', '-y', video],
]);
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=4', '-y', audio]);

// The "controller": receives segments and writes them, as the ISO route does.
let received = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>');
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    received += body.length;
    writeFileSync(join(work, `seg-${Date.now()}.webm`), body);
    res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;

const browser = await launchChromium({
  args: [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
    `--use-file-for-fake-audio-capture=${audio}`,
  ],
});
const browserPid = browser.process()?.pid ?? 0;
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${port}/`);
await page.evaluate(
  async (w, h, fps) => {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: w, height: h, frameRate: fps },
      audio: true,
    });
    const v = document.createElement('video');
    v.muted = true;
    v.srcObject = stream;
    document.body.append(v);
    await v.play();
    (window as unknown as { stream: MediaStream }).stream = stream;
  },
  W,
  H,
  FPS,
);

interface Run {
  name: string;
  where: string;
  cores: number;
  serverCores: number;
  note: string;
}

async function measure(durationMs: number): Promise<{ chromium: number; node: number }> {
  const c0 = treeCpu([browserPid]);
  const n0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const wall = (performance.now() - t0) / 1000;
  const n1 = process.cpuUsage(n0);
  return { chromium: cpuDelta(c0, treeCpu([browserPid])) / wall, node: (n1.user + n1.system) / 1e6 / wall };
}

await new Promise((r) => setTimeout(r, WARMUP_MS));
const base = await measure(SECS * 1000);

// (a): segments of SEGMENT_MS, each a complete WebM (the next recorder starts before the last one stops).
// Passed as text: tsx would wrap the inner functions in a `__name` helper the page does not have.
const mime = (await page.evaluate(`(() => {
  const stream = window.stream;
  const type = ['video/webm;codecs=vp8,opus', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
  const startSegment = () => {
    const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: ${BITRATE} });
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    recorder.onstop = () => void fetch('http://127.0.0.1:${port}/segment', { method: 'POST', body: new Blob(chunks) });
    recorder.start();
    return recorder;
  };
  let current = startSegment();
  const timer = setInterval(() => {
    const next = startSegment();
    current.stop();
    current = next;
  }, ${SEGMENT_MS});
  window.stopRec = () => (clearInterval(timer), current.stop());
  return type;
})()`)) as string;
await new Promise((r) => setTimeout(r, WARMUP_MS));
received = 0;
const withRecorder = await measure(SECS * 1000);
const uploadedKbps = (received * 8) / 1000 / SECS;
await page.evaluate('window.stopRec()');
await browser.close();
server.close();

// (b) with ffmpeg: a real-time libx264 encode of the same 720p30 picture, as a server-side ISO recorder would run.
function timedFfmpeg(preset: string): number {
  const args = [
    ...['-v', 'error', '-re', '-stream_loop', '-1', '-i', video, '-t', String(SECS)],
    ...['-c:v', 'libx264', '-preset', preset, '-b:v', String(BITRATE), '-f', 'mp4', '-y', join(work, 'x.mp4')],
  ];
  const result = spawnTimed(args);
  return result;
}

function spawnTimed(args: string[]): number {
  const script = `TIMEFORMAT='%R %U %S'; { time ffmpeg ${args.map((a) => `'${a}'`).join(' ')} ; } 2>&1 1>/dev/null`;
  const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim().split('\n').at(-1) ?? '';
  const [real, user, sys] = out.split(' ').map(Number) as [number, number, number];
  return (user + sys) / real;
}

const x264Veryfast = timedFfmpeg('veryfast');
const x264Ultrafast = timedFfmpeg('ultrafast');
rmSync(work, { recursive: true, force: true });

const encodeCores = withRecorder.chromium - base.chromium;
const runs: Run[] = [
  {
    name: '(a) camera page records itself',
    where: 'phone',
    cores: encodeCores,
    serverCores: Math.max(0, withRecorder.node - base.node),
    note: `${mime} ${BITRATE / 1e6} Mbit/s, ${SEGMENT_MS} ms segments uploaded (${uploadedKbps.toFixed(0)} kbit/s)`,
  },
  {
    name: '(b) recorder: MediaRecorder per received camera',
    where: 'server',
    cores: encodeCores,
    serverCores: encodeCores,
    note: 'the same encoder, in the recorder Chromium (plus the decode it already does)',
  },
  {
    name: '(b) recorder: ffmpeg libx264 veryfast per camera',
    where: 'server',
    cores: x264Veryfast,
    serverCores: x264Veryfast,
    note: 'raw 720p30 in, real time (-re)',
  },
  {
    name: '(b) recorder: ffmpeg libx264 ultrafast per camera',
    where: 'server',
    cores: x264Ultrafast,
    serverCores: x264Ultrafast,
    note: 'raw 720p30 in, real time (-re)',
  },
];
const result = {
  generatedAt: new Date().toISOString(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavg1: loadavg()[0] ?? 0,
  secs: SECS,
  format: `${W}x${H}@${FPS}`,
  baselineChromiumCores: base.chromium,
  withRecorderChromiumCores: withRecorder.chromium,
  runs,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
console.log(`CPU ${result.cpuModel} ×${result.cores}, load ${result.loadavg1.toFixed(2)}, ${SECS} s each`);
console.table(
  runs.map((r) => ({
    run: r.name,
    'encode on': r.where,
    'encode cores': r.cores.toFixed(2),
    'server cores / camera': r.serverCores.toFixed(2),
    note: r.note,
  })),
);
console.log(`wrote ${OUT}`);
process.exit(0);
