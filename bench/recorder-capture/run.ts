/**
 * Recorder capture benchmark.
 *   npx tsx bench/recorder-capture/run.ts [--secs 20] [--only enc-1080-ws,full-1080,...] [--out path]
 * Scenarios: encoder alone (WebSocket and CDP-binding transports), full
 * pipeline (fMP4 + 2 local RTMP receivers) at 720p30 and 1080p30, and a
 * kill test (one RTMP receiver killed mid-run, then brought back).
 * CPU = CPU time of node + chromium tree + recorder ffmpegs / wall time
 * (100 % = one core; the RTMP receivers are reported separately, they stand
 * in for the remote ingest). Machine-wide busy time is reported too because
 * other work shares the 2 cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg as osLoadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserCapture } from '../../worker/recorder/browser-capture.ts';
import { Recorder } from '../../worker/recorder/recorder.ts';
import type { CaptureStats, CaptureTransport } from '../../worker/recorder/types.ts';
import { analyseSync, probe, type ProbeResult, type SyncResult } from './analyse-media.ts';
import { cpuDelta, machineBusySec, treeCpu } from '../../runtime/process-cpu.ts';
import { servePage } from './serve-page.ts';
import { idleLoadOrExit } from '../bench-report.ts';

// On a busy machine the figures would describe the load: refuse (exit 2) unless BENCH_ALLOW_LOAD=1.
idleLoadOrExit();

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const SECS = Number(arg('secs', '20'));
const FPS = 30;
/** Let Chromium/ffmpeg start-up settle before the CPU/fps window opens. */
const WARMUP_MS = 2_000;
const OUT_PATH = resolve(arg('out', resolve(here, '../results/recorder-capture.json')));
const WORK = resolve(arg('work', '/tmp/recorder-capture-bench'));
const ONLY = arg('only', '').split(',').filter(Boolean);
const BASE_PORT = 19350;

type Scenario =
  | { name: string; kind: 'encoder'; w: number; h: number; transport: CaptureTransport }
  | { name: string; kind: 'full'; w: number; h: number; killTest?: boolean };

const SCENARIOS: Scenario[] = [
  { name: 'enc-720-ws', kind: 'encoder', w: 1280, h: 720, transport: 'websocket' },
  { name: 'enc-1080-ws', kind: 'encoder', w: 1920, h: 1080, transport: 'websocket' },
  { name: 'enc-1080-binding', kind: 'encoder', w: 1920, h: 1080, transport: 'binding' },
  { name: 'full-720', kind: 'full', w: 1280, h: 720 },
  { name: 'full-1080', kind: 'full', w: 1920, h: 1080 },
  { name: 'kill-720', kind: 'full', w: 1280, h: 720, killTest: true },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`);

interface Receiver {
  proc: ChildProcess;
  file: string;
  url: string;
  exited: Promise<number | null>;
}

function startReceiver(port: number, file: string): Receiver {
  const url = `rtmp://127.0.0.1:${port}/live/key`;
  const proc = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-listen', '1', '-i', url, '-c', 'copy', '-f', 'flv', '-y', file],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr.resume();
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  return { proc, file, url, exited };
}

async function stopReceiver(r: Receiver): Promise<void> {
  const t = setTimeout(() => r.proc.kill('SIGINT'), 8_000);
  await r.exited;
  clearTimeout(t);
}

interface WindowMeasure {
  wallSec: number;
  cpuSec: { total: number; node: number; chromium: number; ffmpegOutputs: number; receivers: number };
  machineBusyPct: number;
  loadavg: string;
}

class CpuWindow {
  private t0 = 0;
  private busy0 = 0;
  private snap0 = new Map<number, number>();
  private load0 = '';
  constructor(private readonly roots: () => { browser: number | null; outputs: number[]; receivers: number[] }) {}
  private snap(): Map<number, number> {
    return treeCpu([process.pid]);
  }
  open(): void {
    this.t0 = performance.now();
    this.busy0 = machineBusySec();
    this.snap0 = this.snap();
    this.load0 = loadavg();
  }
  close(): WindowMeasure {
    const snap1 = this.snap();
    const wallSec = (performance.now() - this.t0) / 1000;
    const r = this.roots();
    const sub = (pids: number[]) => {
      const a = treeCpu(pids);
      return cpuDelta(new Map([...this.snap0].filter(([p]) => a.has(p))), a);
    };
    const chromium = r.browser ? sub([r.browser]) : 0;
    const receivers = sub(r.receivers);
    const total = cpuDelta(this.snap0, snap1) - receivers;
    const nodeSelf = (snap1.get(process.pid) ?? 0) - (this.snap0.get(process.pid) ?? 0);
    return {
      wallSec,
      cpuSec: { total, node: nodeSelf, chromium, ffmpegOutputs: total - nodeSelf - chromium, receivers },
      machineBusyPct: (100 * (machineBusySec() - this.busy0)) / wallSec,
      loadavg: `${this.load0} -> ${loadavg()}`,
    };
  }
}

function loadavg(): string {
  return osLoadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

function rate(a: CaptureStats, b: CaptureStats, secs: number) {
  const slots = b.lastStreamFrame - a.lastStreamFrame;
  return {
    renderedFps: (b.framesRendered - a.framesRendered) / secs,
    receivedFps: (b.chunksReceived - a.chunksReceived) / secs,
    slotFps: slots / secs,
    duplicated: b.duplicated - a.duplicated,
    dropped: b.dropped - a.dropped,
    dupPct: slots > 0 ? (100 * (b.duplicated - a.duplicated)) / slots : 0,
    dropPct: slots > 0 ? (100 * (b.dropped - a.dropped)) / slots : 0,
    encoderBacklogMax: b.encoderBacklogMax,
    mbitPerSec: ((b.bytesSent - a.bytesSent) * 8) / secs / 1e6,
  };
}

async function runEncoder(s: Extract<Scenario, { kind: 'encoder' }>, pageUrl: string) {
  let browserPid: number | null = null;
  const cap = new BrowserCapture({
    url: `${pageUrl}?w=${s.w}&h=${s.h}&fps=${FPS}`,
    width: s.w,
    height: s.h,
    fps: FPS,
    transport: s.transport,
    onVideo: () => undefined,
    onAudio: () => undefined,
    onLog: (m) => log(m),
  });
  const info = await cap.start();
  browserPid = info.browserPid;
  const win = new CpuWindow(() => ({ browser: browserPid, outputs: [], receivers: [] }));
  await sleep(WARMUP_MS);
  const a = await cap.stats();
  win.open();
  await sleep(SECS * 1000);
  const b = await cap.stats();
  const cpu = win.close();
  await cap.close();
  return { scenario: s, rates: rate(a, b, cpu.wallSec), cpu, cpuPct: (100 * cpu.cpuSec.total) / cpu.wallSec, final: b };
}

async function runFull(s: Extract<Scenario, { kind: 'full' }>, pageUrl: string, portBase: number) {
  const dir = resolve(WORK, s.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const receivers: Receiver[] = [
    startReceiver(portBase, `${dir}/rtmp-a.flv`),
    startReceiver(portBase + 1, `${dir}/rtmp-b.flv`),
  ];
  const outputPids: number[] = [];
  await sleep(500); // receivers listening
  const rec = new Recorder({
    url: `${pageUrl}?w=${s.w}&h=${s.h}&fps=${FPS}`,
    width: s.w,
    height: s.h,
    fps: FPS,
    outputs: [
      { id: 'mp4', kind: 'file', path: `${dir}/program.mp4` },
      { id: 'rtmp-a', kind: 'rtmp', url: receivers[0]!.url },
      { id: 'rtmp-b', kind: 'rtmp', url: receivers[1]!.url },
    ],
    onLog: (m) => log(`${s.name} ${m}`),
    onSpawn: (pid) => outputPids.push(pid),
  });
  const info = await rec.start();
  const win = new CpuWindow(() => ({
    browser: info.browserPid,
    outputs: outputPids,
    receivers: receivers.map((r) => r.proc.pid!).filter(Boolean),
  }));
  await sleep(WARMUP_MS);
  const a = (await rec.stats()).capture;
  win.open();
  const events: string[] = [];
  if (s.killTest) {
    await sleep(SECS * 400);
    receivers[0]!.proc.kill('SIGKILL');
    events.push(`t=${(SECS * 0.4).toFixed(1)}s killed receiver A`);
    log(`${s.name} killed receiver A`);
    await sleep(SECS * 300);
    // Bring A back: the output must rejoin by itself at a keyframe.
    receivers.push(startReceiver(portBase, `${dir}/rtmp-a-rejoined.flv`));
    events.push(`t=${(SECS * 0.7).toFixed(1)}s receiver A listening again`);
    await sleep(SECS * 300);
  } else {
    await sleep(SECS * 1000);
  }
  const mid = await rec.stats();
  const cpu = win.close();
  const closed = await rec.close();
  await Promise.all(receivers.map((r) => stopReceiver(r)));
  const files = [`${dir}/program.mp4`, ...receivers.map((r) => r.file)];
  const media: Record<string, { probe: ProbeResult; sync: SyncResult | null }> = {};
  for (const f of files) {
    const p = await probe(f);
    media[f.split('/').pop()!] = {
      probe: p,
      sync: p.ok && p.video ? await analyseSync(f, FPS, p.video.startSec, p.audio?.startSec ?? 0) : null,
    };
  }
  return {
    scenario: s,
    rates: rate(a, mid.capture, cpu.wallSec),
    cpu,
    cpuPct: (100 * cpu.cpuSec.total) / cpu.wallSec,
    events,
    outputs: closed.outputs,
    fanout: closed.fanout,
    media,
  };
}

async function main() {
  await mkdir(dirname(OUT_PATH), { recursive: true });
  const srv = await servePage();
  const results: unknown[] = [];
  let port = BASE_PORT;
  try {
    for (const s of SCENARIOS) {
      if (ONLY.length && !ONLY.includes(s.name)) continue;
      log(`== ${s.name} (${SECS}s)`);
      const r = s.kind === 'encoder' ? await runEncoder(s, srv.url) : await runFull(s, srv.url, (port += 2));
      results.push(r);
      printRow(r);
    }
  } finally {
    await srv.close();
  }
  const doc = {
    generatedAt: new Date().toISOString(),
    secs: SECS,
    fps: FPS,
    cores: cpus().length,
    chromium: '/usr/bin/chromium',
    note: "CPU is contended by other engineers' jobs on the same 2 cores; see machineBusyPct vs our cpuPct.",
    results,
  };
  await writeFile(OUT_PATH, JSON.stringify(doc, null, 2));
  console.log('\n' + table(results as Row[]));
  console.log(`\nwrote ${OUT_PATH}`);
}

type Row = Awaited<ReturnType<typeof runFull>> | Awaited<ReturnType<typeof runEncoder>>;

function printRow(r: Row) {
  log(
    `${r.scenario.name}: slotFps=${r.rates.slotFps.toFixed(2)} rendered=${r.rates.renderedFps.toFixed(2)} dup=${r.rates.duplicated} drop=${r.rates.dropped} cpu=${r.cpuPct.toFixed(0)}% machine=${r.cpu.machineBusyPct.toFixed(0)}%`,
  );
}

function table(rows: Row[]): string {
  const head = [
    'scenario',
    'enc fps',
    'render fps',
    'dup %',
    'drop %',
    'CPU %',
    'chrome',
    'ffmpeg',
    'node',
    'machine %',
    'mp4 dur/frames',
    'file rep/skip',
    'A/V ms (mean,min..max)',
    'rtmp a | b',
  ];
  const lines = rows.map((r) => {
    const c = r.cpu;
    const pct = (x: number) => ((100 * x) / c.wallSec).toFixed(0);
    const base = [
      r.scenario.name,
      r.rates.receivedFps.toFixed(2),
      r.rates.renderedFps.toFixed(2),
      r.rates.dupPct.toFixed(2),
      r.rates.dropPct.toFixed(2),
      r.cpuPct.toFixed(0),
      pct(c.cpuSec.chromium),
      pct(c.cpuSec.ffmpegOutputs),
      pct(c.cpuSec.node),
      c.machineBusyPct.toFixed(0),
    ];
    if (!('media' in r)) return [...base, '-', '-', '-', '-'];
    const m = r.media['program.mp4'];
    const av = m?.sync?.avOffsetMs;
    const rt = Object.entries(r.media)
      .filter(([k]) => k.endsWith('.flv'))
      .map(
        ([k, v]) =>
          `${k.replace('.flv', '')}:${v.probe.durationSec.toFixed(1)}s${v.sync?.avOffsetMs ? `/${v.sync.avOffsetMs.mean.toFixed(0)}ms` : ''}`,
      );
    return [
      ...base,
      `${m?.probe.durationSec.toFixed(2)}s/${m?.probe.video?.frames}`,
      `${m?.sync?.repeatedFrames}/${m?.sync?.skippedFrames}`,
      av ? `${av.mean.toFixed(1)},${av.min.toFixed(0)}..${av.max.toFixed(0)}` : 'n/a',
      rt.join(' '),
    ];
  });
  const all = [head, ...lines];
  const wd = head.map((_, i) => Math.max(...all.map((l) => String(l[i] ?? '').length)));
  return all.map((l) => l.map((x, i) => String(x ?? '').padEnd(wd[i]!)).join(' | ')).join('\n');
}

await main();
