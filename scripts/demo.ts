// `npm run demo`: the embedded stack plays a cue sheet (default: every transition, PiP, scorebug, clock
// and lower third) while the built-in recorder records the program; writes the MP4 and the event's
// switch log and prints frames, dropped frames, fps achieved and CPU.
//   npm run demo -- [--cues FILE] [--out FILE] [--width 1280 --height 720 --fps 30] [--seconds 30]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertValid, parseVideoFormat } from '../protocol/index.ts';
import { DEFAULT_CUES_FILE, DemoCueSheetSchema, recordProgram } from './program-recording.ts';

const { values } = parseArgs({
  options: {
    cues: { type: 'string', default: DEFAULT_CUES_FILE },
    out: { type: 'string', default: resolve('out', 'demo.mp4') },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '720' },
    fps: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '30' },
  },
});
const format = parseVideoFormat({
  width: Number(values.width),
  height: Number(values.height),
  fps: Number(values.fps),
});
if (!format.ok) throw new TypeError(`--width/--height/--fps: ${format.error.message}`);
const video = format.value;
const seconds = Number(values.seconds);
if (!(seconds > 0 && seconds <= 3600)) throw new TypeError('--seconds must be between 0 and 3600');
const cues = assertValid(DemoCueSheetSchema, JSON.parse(readFileSync(values.cues, 'utf8')), `cue sheet ${values.cues}`);

const r = await recordProgram({ video, seconds, cues, out: resolve(values.out) });
const c = r.stats.capture;
const rows: [string, string][] = [
  ['output', r.out],
  ['switch log', `${r.switchLog} (${r.takes} takes)`],
  [
    'format',
    `${r.probe.video?.width}x${r.probe.video?.height} @ ${r.probe.video?.fps.toFixed(2)} fps, ${(r.probe.durationMs / 1000).toFixed(2)} s, audio ${r.probe.audio?.codec ?? 'none'}`,
  ],
  [
    'frames',
    `${r.frames} (${c.framesRendered} rendered, ${c.duplicated} duplicated to keep CFR, ${c.dropped} dropped)`,
  ],
  ['dropped+duplicated', `${(((c.duplicated + c.dropped) / Math.max(1, r.frames)) * 100).toFixed(2)} %`],
  ['fps achieved', `${r.renderedFps.toFixed(2)} rendered frames/s (target ${video.fps})`],
  [
    'CPU',
    `${r.cpuS.toFixed(1)} s over ${r.elapsedS.toFixed(1)} s = ${((r.cpuS / r.elapsedS) * 100).toFixed(0)} % of one core (Chromium, ffmpeg, controller, Redis)`,
  ],
  ['cues', `${r.cuesApplied} applied, ${r.cueErrors.length} refused`],
];
console.log(rows.map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n'));
for (const error of r.cueErrors) console.error(error);
if (r.cueErrors.length > 0) process.exitCode = 1;
