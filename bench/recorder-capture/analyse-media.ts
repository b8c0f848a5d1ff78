import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BITS = 16;
const CELL = 32;
/** Audio below this peak (s16) is the gated silence of the test tone. */
const SILENCE_PEAK = 600;
/** The test page silences the tone for 100 ms; require most of it. */
const MIN_GAP_MS = 60;

export interface ProbeResult {
  ok: boolean;
  durationSec: number;
  video: { codec: string; width: number; height: number; fps: string; frames: number; startSec: number } | null;
  audio: { codec: string; sampleRate: number; channels: number; startSec: number; durationSec: number } | null;
  error?: string;
}

export async function probe(path: string): Promise<ProbeResult> {
  try {
    const { stdout } = await run(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_packets',
        '-show_entries',
        'format=duration:stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_packets,start_time,duration,sample_rate,channels',
        '-of',
        'json',
        path,
      ],
      { maxBuffer: 1 << 24 },
    );
    const j = JSON.parse(stdout) as { format: { duration?: string }; streams: Record<string, string | number>[] };
    const v = j.streams.find((s) => s.codec_type === 'video');
    const a = j.streams.find((s) => s.codec_type === 'audio');
    return {
      ok: true,
      durationSec: Number(j.format.duration ?? 0),
      video: v
        ? {
            codec: String(v.codec_name),
            width: Number(v.width),
            height: Number(v.height),
            fps: String(v.r_frame_rate),
            frames: Number(v.nb_read_packets),
            startSec: Number(v.start_time ?? 0),
          }
        : null,
      audio: a
        ? {
            codec: String(a.codec_name),
            sampleRate: Number(a.sample_rate),
            channels: Number(a.channels),
            startSec: Number(a.start_time ?? 0),
            durationSec: Number(a.duration ?? 0),
          }
        : null,
    };
  } catch (e) {
    return { ok: false, durationSec: 0, video: null, audio: null, error: String(e).slice(0, 300) };
  }
}

export interface SyncResult {
  framesDecoded: number;
  /** Consecutive frames carrying the same page frame index. */
  repeatedFrames: number;
  /** Page frame indices missing from the file. */
  skippedFrames: number;
  /** Audio gap onset minus video flash onset, ms (positive = audio late). */
  avOffsetMs: { mean: number; min: number; max: number; n: number } | null;
}

/** Decodes the bench page's frame-index strip and the tone gaps. */
export async function analyseSync(path: string, fps: number, startVideo = 0, startAudio = 0): Promise<SyncResult> {
  const v = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      path,
      '-map',
      '0:v',
      '-fps_mode',
      'passthrough',
      '-vf',
      `crop=${BITS * CELL}:${CELL}:0:0,scale=${BITS}:1:flags=area`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 1 << 26 },
  );
  const idx: number[] = [];
  for (let o = 0; o + BITS <= v.stdout.length; o += BITS) {
    let n = 0;
    for (let b = 0; b < BITS; b++) n = (n << 1) | (v.stdout[o + b]! > 128 ? 1 : 0);
    idx.push(n);
  }
  let repeated = 0;
  let skipped = 0;
  const flashes: number[] = [];
  for (let i = 0; i < idx.length; i++) {
    if (i > 0) {
      const d = idx[i]! - idx[i - 1]!;
      if (d === 0) repeated++;
      else if (d > 1) skipped += d - 1;
    }
    if (idx[i]! % fps === 0 && (i === 0 || idx[i - 1]! % fps !== 0)) flashes.push(startVideo + i / fps);
  }
  let avOffsetMs: SyncResult['avOffsetMs'] = null;
  try {
    const a = await run(
      'ffmpeg',
      ['-v', 'error', '-i', path, '-map', '0:a', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
      { encoding: 'buffer', maxBuffer: 1 << 27 },
    );
    const pcm = new Int16Array(a.stdout.buffer, a.stdout.byteOffset, a.stdout.length >> 1);
    const win = 48; // 1 ms
    const onsets: number[] = [];
    let quiet = 0;
    let wasLoud = false;
    for (let w = 0; w * win < pcm.length; w++) {
      let peak = 0;
      for (let k = w * win; k < Math.min(pcm.length, (w + 1) * win); k++) peak = Math.max(peak, Math.abs(pcm[k]!));
      if (peak < SILENCE_PEAK) {
        quiet++;
        if (quiet === MIN_GAP_MS && wasLoud) onsets.push(startAudio + ((w - MIN_GAP_MS + 1) * win) / 48000);
      } else {
        quiet = 0;
        wasLoud = true;
      }
    }
    const offs: number[] = [];
    for (const t of onsets) {
      let best = Infinity;
      for (const f of flashes) if (Math.abs(t - f) < Math.abs(best)) best = t - f;
      if (Math.abs(best) < 0.5) offs.push(best * 1000);
    }
    if (offs.length)
      avOffsetMs = {
        mean: offs.reduce((x, y) => x + y, 0) / offs.length,
        min: Math.min(...offs),
        max: Math.max(...offs),
        n: offs.length,
      };
  } catch {
    /* no audio */
  }
  return { framesDecoded: idx.length, repeatedFrames: repeated, skippedFrames: skipped, avOffsetMs };
}
