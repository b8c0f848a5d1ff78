// `npm run bench:audio`: what the program mixer costs in the built-in recorder's page at 1080p30 with four
// cameras (decoded H.264 clips with their sound, a mix always in progress): Chromium's CPU with the whole
// mixer (per-source delay, gains, ducking key and meters, the true-peak limiter and the BS.1770 meter)
// against the same run with `?audio=bypass` (audio follows video and nothing else). Runs alternate
// (mixer, bypass, mixer, bypass) so a change in the machine's load hits both alike. Also the DSP cores
// alone in Node, per second of program. Writes bench/results/audio.json and prints a table.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cpuDelta, treeCpu } from '../../runtime/process-cpu.ts';
import { LimiterCore, MeterCore, SourceLevel, SUB_BLOCK_MS } from '../../template/audio/dsp/index.ts';
import { TemplateControllerStub } from '../../tests/helpers/template-controller-stub.ts';
import { Recorder } from '../../worker/recorder/recorder.ts';
import { idleLoadOrExit, runConditions } from '../bench-report.ts';
import { CameraClipServer } from '../camera-clips.ts';

const W = 1920;
const H = 1080;
const FPS = 30;
const WARMUP_MS = 5000;
const MEASURE_MS = 20_000;
const ROUNDS = 2;
const MIX_MS = 2000;
const GOAL_CORES = 0.05;
const RESULTS = resolve(import.meta.dirname, '../results/audio.json');

type Variant = 'mixer' | 'bypass';

interface Run {
  variant: Variant;
  cpuCores: number;
  loadAverage: number;
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measure(variant: Variant, stub: TemplateControllerStub, media: string, dir: string): Promise<Run> {
  const recorder = new Recorder({
    url: stub.templateUrl({
      width: W,
      height: H,
      fps: FPS,
      testsources: 'video',
      testmedia: media,
      ...(variant === 'bypass' ? { audio: 'bypass' } : {}),
    }),
    width: W,
    height: H,
    fps: FPS,
    outputs: [{ id: 'vod', kind: 'file', path: join(dir, `${variant}.mp4`) }],
  });
  const info = await recorder.start();
  const pid = info.browserPid;
  if (pid === null) throw new Error('no Chromium process id');
  let target = 2;
  const timer = setInterval(() => {
    stub.command({ type: 'program.take', source: `camera-${target}`, transition: { type: 'mix', durationMs: MIX_MS } });
    target = target === 1 ? 2 : 1;
  }, MIX_MS);
  try {
    await sleep(WARMUP_MS);
    const before = treeCpu([pid]);
    const started = performance.now();
    await sleep(MEASURE_MS);
    const cpu = cpuDelta(before, treeCpu([pid]));
    const wall = (performance.now() - started) / 1000;
    return { variant, cpuCores: round(cpu / wall), loadAverage: round(loadavg()[0] ?? 0, 2) };
  } finally {
    clearInterval(timer);
    await recorder.close();
  }
}

/** The mixer's DSP (four source meters, the limiter, the program meter) in Node: cores per second of program. */
function dspCores(): number {
  const rate = 48_000;
  const seconds = 10;
  const quantum = 128;
  const tone = Float32Array.from({ length: quantum }, (_, i) => 0.9 * Math.sin((2 * Math.PI * 997 * i) / rate));
  const sources = Array.from({ length: 4 }, () => new SourceLevel(rate, SUB_BLOCK_MS));
  sources[1]?.setThreshold(-40);
  const limiter = new LimiterCore({ sampleRate: rate, channels: 2, ceilingDbtp: -1, on: true });
  const meter = new MeterCore(rate, 2, SUB_BLOCK_MS);
  const left = new Float32Array(quantum);
  const right = new Float32Array(quantum);
  const started = process.cpuUsage();
  for (let q = 0; q < (seconds * rate) / quantum; q += 1) {
    for (const source of sources)
      source.process(
        [tone],
        quantum,
        () => undefined,
        () => undefined,
      );
    left.set(tone);
    right.set(tone);
    limiter.process([left, right], quantum);
    meter.process([left, right], quantum, () => undefined);
  }
  const used = process.cpuUsage(started);
  return round((used.user + used.system) / 1e6 / seconds, 4);
}

async function main(): Promise<void> {
  const loadBefore = idleLoadOrExit();
  const dir = mkdtempSync(join(tmpdir(), 'pitchside-bench-audio-'));
  const stub = new TemplateControllerStub({ sourceCount: 4 });
  await stub.start();
  const clips = new CameraClipServer();
  const media = await clips.start();
  // Four cameras: one on program, one mixing in, a commentary-like source always on that ducks the rest
  // when it speaks, and one more always on under it.
  stub.command(
    { type: 'program.take', source: 'camera-1', transition: { type: 'cut', durationMs: 0 } },
    { type: 'audio.source', source: 'camera-3', mode: 'on', gainDb: -6, duckOthers: true },
    { type: 'audio.source', source: 'camera-4', mode: 'on', gainDb: -12, delayMs: 120 },
  );
  const runs: Run[] = [];
  try {
    for (let i = 0; i < ROUNDS; i += 1)
      for (const variant of ['mixer', 'bypass'] as const) {
        runs.push(await measure(variant, stub, media, dir));
        console.error(`${variant} (round ${i + 1}): ${runs.at(-1)?.cpuCores} cores`);
      }
  } finally {
    await stub.close();
    await clips.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = (variant: Variant): number => {
    const of = runs.filter((r) => r.variant === variant);
    return of.reduce((sum, r) => sum + r.cpuCores, 0) / Math.max(1, of.length);
  };
  const addedCores = round(mean('mixer') - mean('bypass'));
  const dsp = dspCores();
  const result = {
    ...runConditions(loadBefore),
    format: `${W}x${H}@${FPS}`,
    cameras: 4,
    measureMs: MEASURE_MS,
    runs,
    mixerCores: round(mean('mixer')),
    bypassCores: round(mean('bypass')),
    addedCores,
    dspCoresInNode: dsp,
    goalCores: GOAL_CORES,
  };
  mkdirSync(resolve(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log('| run | Chromium cores | 1-min load avg |');
  console.log('|---|---|---|');
  for (const [i, r] of runs.entries()) console.log(`| ${i + 1}. ${r.variant} | ${r.cpuCores} | ${r.loadAverage} |`);
  console.log(
    `\nmixer ${result.mixerCores} − bypass ${result.bypassCores} = added ${addedCores} cores (goal ≤ ${GOAL_CORES});` +
      ` the DSP alone in Node: ${dsp} cores. CPU: ${result.cpu.model}, load before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
}

await main();
