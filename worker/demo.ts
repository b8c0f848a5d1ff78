// `npm run demo`: the embedded stack (Redis, controller, template) plays a cue sheet while the built-in
// recorder records the program; writes the MP4 and the event's switch log and prints frames, dropped
// frames, fps achieved and CPU. Cue times count from the first recorded frame.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import { buildApp } from '../controller/app.ts';
import { DEMO_EVENT_ID, ensureDemoEvent } from '../controller/services/demo-event.ts';
import { CommandSchema, VideoFormatSchema, assertValid } from '../protocol/index.ts';
import { loadConfig } from '../runtime/config.ts';
import { EmbeddedRedis } from '../runtime/embedded-redis.ts';
import { treeCpu } from '../bench/recorder-capture/process-cpu.ts';
import { Recorder, type RecorderStats } from './recorder/recorder.ts';
import { probe } from './export/ffmpeg.ts';

export const DemoCueSheetSchema = Type.Array(
  Type.Object({ atMs: Type.Integer({ minimum: 0 }), command: CommandSchema }, { additionalProperties: false }),
  { minItems: 1 },
);
const DEFAULT_CUES = join(import.meta.dirname, 'demo-cues.json');
const START_POLL_MS = 20;

const { values } = parseArgs({
  options: {
    cues: { type: 'string', default: DEFAULT_CUES },
    out: { type: 'string', default: resolve('out', 'demo.mp4') },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '720' },
    fps: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '30' },
  },
});
const video = assertValid(VideoFormatSchema, { width: Number(values.width), height: Number(values.height), fps: Number(values.fps) }, '--width/--height/--fps');
const seconds = Number(values.seconds);
if (!(seconds > 0 && seconds <= 3600)) throw new TypeError('--seconds must be between 0 and 3600');
const cues = assertValid(DemoCueSheetSchema, JSON.parse(readFileSync(values.cues, 'utf8')), `cue sheet ${values.cues}`).sort((a, b) => a.atMs - b.atMs);
const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'pitchside-demo-'));
const redis = new EmbeddedRedis({ dataDir, appendOnly: false });
const redisUrl = await redis.start();
const app = await buildApp({
  config: loadConfig({ PORT: 0, HOST: '127.0.0.1' }, {}),
  redisUrl,
  adminKey: `psadm_${randomUUID()}`,
  distDir: resolve('dist'),
  livekit: null,
  logger: false,
});
let recorder: Recorder | null = null;
try {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const keys = Object.fromEntries((await ensureDemoEvent(app.events, app.apiKeys)).map((k) => [k.role, k.key]));
  const url = `http://127.0.0.1:${port}/template/?event=${DEMO_EVENT_ID}&key=${keys['template']}&width=${video.width}&height=${video.height}&fps=${video.fps}`;

  const cpuBefore = sum(treeCpu([process.pid]));
  recorder = new Recorder({ url, ...video, outputs: [{ id: 'program', kind: 'file', path: out }] });
  await recorder.start();
  // Frame 0's time: frames are CFR slots, so it is `frames / fps` before now; the earliest estimate wins.
  let firstFrameAt = Number.POSITIVE_INFINITY;
  const estimate = async (): Promise<void> => {
    const asked = Date.now();
    const stats = await (recorder as Recorder).stats();
    const frames = stats.capture.framesRendered + stats.capture.duplicated;
    if (frames > 0) firstFrameAt = Math.min(firstFrameAt, (asked + Date.now()) / 2 - ((frames - 0.5) * 1000) / video.fps);
  };
  while (!Number.isFinite(firstFrameAt)) {
    await estimate();
    await sleep(START_POLL_MS);
  }
  let failed = 0;
  const played = cues.filter((c) => c.atMs < seconds * 1000);
  for (const cue of played) {
    await sleep(firstFrameAt + cue.atMs - Date.now());
    const res = await app.inject({
      method: 'POST',
      url: `/api/events/${DEMO_EVENT_ID}/commands`,
      headers: { authorization: `Bearer ${keys['director']}` },
      payload: cue.command,
    });
    if (res.statusCode !== 200) {
      failed++;
      console.error(`cue at ${cue.atMs} ms (${cue.command.type}) → ${res.statusCode} ${res.body}`);
    }
    await estimate();
  }
  await sleep(firstFrameAt + seconds * 1000 - Date.now());
  // Measured before close: Chromium and the ffmpegs are still alive to be counted.
  const elapsedS = (Date.now() - firstFrameAt) / 1000;
  const cpuS = sum(treeCpu([process.pid])) - cpuBefore;
  const stats: RecorderStats = await recorder.close();
  recorder = null;

  const logFile = out.replace(/\.mp4$/, '') + '.switch-log.json';
  const entries = await app.switchLog.query(DEMO_EVENT_ID, {});
  writeFileSync(logFile, `${JSON.stringify({ eventId: DEMO_EVENT_ID, recordingStartedAt: Math.round(firstFrameAt), entries }, null, 2)}\n`);
  const info = await probe(out);
  const c = stats.capture;
  const frames = c.framesRendered + c.duplicated;
  const rows: [string, string][] = [
    ['output', out],
    ['switch log', `${logFile} (${entries.length} takes)`],
    ['format', `${info.video?.width}x${info.video?.height} @ ${info.video?.fps.toFixed(2)} fps, ${(info.durationMs / 1000).toFixed(2)} s, audio ${info.audio?.codec ?? 'none'}`],
    ['frames', `${frames} (${c.framesRendered} rendered, ${c.duplicated} duplicated to keep CFR, ${c.dropped} dropped)`],
    ['dropped+duplicated', `${(((c.duplicated + c.dropped) / Math.max(1, frames)) * 100).toFixed(2)} %`],
    ['fps achieved', `${(c.framesRendered / elapsedS).toFixed(2)} rendered frames/s (target ${video.fps})`],
    ['CPU', `${cpuS.toFixed(1)} s over ${elapsedS.toFixed(1)} s = ${((cpuS / elapsedS) * 100).toFixed(0)} % of one core (Chromium, ffmpeg, controller, Redis)`],
    ['cues', `${played.length - failed} applied, ${failed} refused, ${cues.length - played.length} after the end`],
  ];
  console.log(rows.map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n'));
  if (failed > 0) process.exitCode = 1;
} finally {
  await recorder?.close().catch(() => undefined);
  await app.close();
  await redis.close();
  rmSync(dataDir, { recursive: true, force: true });
}

function sum(map: Map<number, number>): number {
  return [...map.values()].reduce((a, b) => a + b, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
