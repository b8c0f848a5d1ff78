// One program recording on the embedded stack (Redis, controller, template, built-in recorder) while a
// cue sheet plays: shared by `npm run demo` and `npm run bench:recorder`. Cue times count from the
// first recorded frame.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { buildApp } from '../controller/app.ts';
import { DEMO_EVENT_ID, ensureDemoEvent } from '../controller/services/demo-event.ts';
import { CommandSchema, type VideoFormat } from '../protocol/index.ts';
import { loadConfig } from '../runtime/config.ts';
import { EmbeddedRedis } from '../runtime/embedded-redis.ts';
import { treeCpu } from '../runtime/process-cpu.ts';
import { Recorder, type RecorderStats } from '../worker/recorder/recorder.ts';
import type { OutputSpec } from '../worker/recorder/types.ts';
import { probe, type ProbeResult } from '../runtime/ffmpeg.ts';

export const DemoCueSheetSchema = Type.Array(
  Type.Object({ atMs: Type.Integer({ minimum: 0 }), command: CommandSchema }, { additionalProperties: false }),
  { minItems: 1 },
);
export type DemoCueSheet = Static<typeof DemoCueSheetSchema>;
export const DEFAULT_CUES_FILE = join(import.meta.dirname, 'demo-cues.json');
const START_POLL_MS = 20;

export interface ProgramRecordingOptions {
  video: VideoFormat;
  seconds: number;
  cues: DemoCueSheet;
  /** The MP4; the switch log goes next to it as <name>.switch-log.json. */
  out: string;
  /** More recorder outputs (RTMP receivers in the bench). */
  extraOutputs?: OutputSpec[];
  /** More template query parameters (the bench's decoded-video cameras: testsources=video&testmedia=…). */
  templateQuery?: Record<string, string>;
}

export interface ProgramRecordingSummary {
  out: string;
  switchLog: string;
  takes: number;
  probe: ProbeResult;
  stats: RecorderStats;
  /** Output frame slots: rendered + duplicated. */
  frames: number;
  elapsedS: number;
  renderedFps: number;
  /** CPU seconds of this process tree (Chromium, ffmpeg, controller, Redis) over elapsedS. */
  cpuS: number;
  /** Wall-clock time (ms) frame 0 was rendered: media time t of any output started at frame 0 is this + t. */
  firstFrameAt: number;
  cuesApplied: number;
  cueErrors: string[];
}

export async function recordProgram(options: ProgramRecordingOptions): Promise<ProgramRecordingSummary> {
  const { video, seconds, out } = options;
  const cues = [...options.cues].sort((a, b) => a.atMs - b.atMs);
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
    const query = new URLSearchParams({
      event: DEMO_EVENT_ID,
      key: keys['template'] ?? '',
      width: String(video.width),
      height: String(video.height),
      fps: String(video.fps),
      ...options.templateQuery,
    });
    const url = `http://127.0.0.1:${port}/template/?${query}`;

    const cpuBefore = sum(treeCpu([process.pid]));
    // The capture runs a little past `seconds` (close takes a moment): the file is cut to the exact length.
    recorder = new Recorder({
      url,
      ...video,
      fileDurationS: seconds,
      outputs: [{ id: 'program', kind: 'file', path: out }, ...(options.extraOutputs ?? [])],
    });
    await recorder.start();
    // Frame 0's time: frames are CFR slots, so it is `frames / fps` before now; the earliest estimate wins.
    let firstFrameAt = Number.POSITIVE_INFINITY;
    const estimate = async (): Promise<void> => {
      const asked = Date.now();
      const stats = await (recorder as Recorder).stats();
      const frames = stats.capture.framesRendered + stats.capture.duplicated;
      if (frames > 0)
        firstFrameAt = Math.min(firstFrameAt, (asked + Date.now()) / 2 - ((frames - 0.5) * 1000) / video.fps);
    };
    while (!Number.isFinite(firstFrameAt)) {
      await estimate();
      await sleep(START_POLL_MS);
    }
    const cueErrors: string[] = [];
    const played = cues.filter((c) => c.atMs < seconds * 1000);
    for (const cue of played) {
      await sleep(firstFrameAt + cue.atMs - Date.now());
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${DEMO_EVENT_ID}/commands`,
        headers: { authorization: `Bearer ${keys['director']}` },
        payload: cue.command,
      });
      if (res.statusCode !== 200)
        cueErrors.push(`cue at ${cue.atMs} ms (${cue.command.type}) → ${res.statusCode} ${res.body}`);
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
    writeFileSync(
      logFile,
      `${JSON.stringify({ eventId: DEMO_EVENT_ID, recordingStartedAt: Math.round(firstFrameAt), entries }, null, 2)}\n`,
    );
    const info = await probe(out);
    const c = stats.capture;
    return {
      out,
      switchLog: logFile,
      takes: entries.length,
      probe: info,
      stats,
      frames: c.framesRendered + c.duplicated,
      elapsedS,
      renderedFps: c.framesRendered / elapsedS,
      cpuS,
      firstFrameAt,
      cuesApplied: played.length - cueErrors.length,
      cueErrors,
    };
  } finally {
    await recorder?.close().catch(() => undefined);
    await app.close();
    await redis.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function sum(map: Map<number, number>): number {
  return [...map.values()].reduce((a, b) => a + b, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
