// `npm run bench:template`: the program template in the recorder's Chromium (no GPU) at 720p/1080p ×
// 30/60 fps, with four decoded H.264 camera clips (as LiveKit tracks are decoded video), PiP, scorebug
// with a running clock, a lower third and a mix always in progress. Writes bench/results/template.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { FrameStats } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { EmbeddedRedis } from '../../runtime/embedded-redis.ts';
import { TemplateTestController } from '../../tests/helpers/template-controller.ts';
import { CameraClipServer } from '../camera-clips.ts';
import { openTemplate, pageStats, waitForRevision } from '../../tests/helpers/template-page.ts';
import { cpuDelta, treeCpu } from '../../runtime/process-cpu.ts';
import { idleLoadOrExit } from '../bench-report.ts';

// On a busy machine the figures would describe the load: refuse (exit 2) unless BENCH_ALLOW_LOAD=1.
idleLoadOrExit();

const WARMUP_MS = 3000;
const MEASURE_MS = 10_000;
/** Back-to-back mixes: one is always in progress (two video layers), as the target scenario asks. */
const MIX_MS = 2000;
/** The `-interrupted` runs take again mid-mix: the frozen mix under the new one is three video layers. */
const INTERRUPT_EVERY_MS = 1000;
const RESULTS = resolve(import.meta.dirname, '../results/template.json');

interface Run {
  name: string;
  width: number;
  height: number;
  fps: 30 | 60;
  renderer: 'auto' | 'webgl';
  interrupted?: boolean;
}

const RUNS: Run[] = [
  { name: '720p30', width: 1280, height: 720, fps: 30, renderer: 'auto' },
  { name: '720p60', width: 1280, height: 720, fps: 60, renderer: 'auto' },
  { name: '1080p30', width: 1920, height: 1080, fps: 30, renderer: 'auto' },
  { name: '1080p60', width: 1920, height: 1080, fps: 60, renderer: 'auto' },
  { name: '1080p30-interrupted', width: 1920, height: 1080, fps: 30, renderer: 'auto', interrupted: true },
  // For the record: what WebGL on SwiftShader does with the same scene.
  { name: '1080p30-webgl', width: 1920, height: 1080, fps: 30, renderer: 'webgl' },
];

interface Result extends FrameStats {
  name: string;
  cpuCores: number;
  /** The machine's 1-minute load average when the run ended: other work on the cores skews the figures. */
  loadAverage: number;
}

async function measure(run: Run, controller: TemplateTestController, media: string): Promise<Result> {
  const browser = await launchChromium({ width: run.width, height: run.height });
  const pid = browser.process()?.pid;
  if (pid === undefined) throw new Error('no Chromium process id');
  try {
    const url = controller.templateUrl({
      width: run.width,
      height: run.height,
      fps: run.fps,
      testsources: 'video',
      testmedia: media,
      renderer: run.renderer,
    });
    const page = await openTemplate(browser, url, { width: run.width, height: run.height });
    let target = 2;
    const take = async (): Promise<void> => {
      const source = `camera-${target}`;
      target = target === 1 ? 2 : 1;
      await controller.command({ type: 'program.take', source, transition: { type: 'mix', durationMs: MIX_MS } });
    };
    await take();
    const timer = setInterval(() => void take(), run.interrupted === true ? INTERRUPT_EVERY_MS : MIX_MS);
    await waitForRevision(page, controller.state.revision);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    await page.evaluate(() => window.pitchside?.resetStats());
    const cpuBefore = treeCpu([pid]);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const stats = await pageStats(page);
    const cpu = cpuDelta(cpuBefore, treeCpu([pid]));
    const wall = (performance.now() - started) / 1000;
    clearInterval(timer);
    return { name: run.name, ...stats, cpuCores: Math.round((cpu / wall) * 100) / 100, loadAverage: loadavg()[0] ?? 0 };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  // The real stack the template talks to: an embedded Redis and the controller serving dist/.
  const redis = new EmbeddedRedis({ appendOnly: false });
  const controller = new TemplateTestController({ redisUrl: await redis.start() });
  await controller.start();
  const clips = new CameraClipServer();
  const media = await clips.start();
  await controller.command(
    {
      type: 'scorebug.set',
      visible: true,
      home: { name: 'Riverside', short: 'RIV', score: 2 },
      away: { name: 'Northgate', short: 'NGT', score: 1 },
      period: '2nd',
    },
    { type: 'clock.set', valueMs: 63 * 60_000 },
    { type: 'clock.start' },
    { type: 'pip.set', source: 'camera-3', corner: 'top-right', visible: true },
    { type: 'lowerThird.show', title: 'Maya Okafor', subtitle: 'Riverside FC · Captain' },
  );
  const results: Result[] = [];
  try {
    // `--only 1080p30,720p60` measures a subset while working on one figure.
    const only = process.argv.indexOf('--only');
    const names = only < 0 ? null : new Set((process.argv[only + 1] ?? '').split(','));
    for (const run of RUNS.filter((r) => names === null || names.has(r.name))) {
      const result = await measure(run, controller, media);
      results.push(result);
      console.error(`${run.name}: done`);
    }
  } finally {
    await controller.close();
    await clips.close();
    await redis.close();
  }
  mkdirSync(resolve(RESULTS, '..'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), cores: cpus().length, measureMs: MEASURE_MS, results }, null, 2)}\n`,
  );
  console.log(
    '| run | renderer | fps reached | frames | dropped | p50 ms | p95 ms | p99 ms | render ms | Chromium cores | load avg |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.renderer} | ${r.measuredFps} | ${r.frames} | ${r.dropped} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.renderMs} | ${r.cpuCores} | ${r.loadAverage.toFixed(1)} |`,
    );
  }
}

await main();
