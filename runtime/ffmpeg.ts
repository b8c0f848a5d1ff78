// ffmpeg and ffprobe as child processes: one place that spawns them, reads `-progress`, and turns a
// failure into an error with the tail of stderr (masked: ffmpeg quotes its output URLs).
import {
  spawn,
  type ChildProcessByStdio,
  type SpawnOptionsWithStdioTuple,
  type StdioNull,
  type StdioPipe,
} from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Readable } from 'node:stream';
import { maskSecrets } from '../protocol/index.ts';

const STDERR_TAIL_CHARS = 2000;
/**
 * util-linux's setpriv: it sets the parent-death signal (Linux prctl PR_SET_PDEATHSIG, which Node cannot
 * call) and then execs the tool in its own place, so the child's pid is the tool's.
 */
const SETPRIV = '/usr/bin/setpriv';
const DIES_WITH_PARENT = existsSync(SETPRIV);

/**
 * Spawns ffmpeg or ffprobe so that it dies with this process. Reading files, it has nothing that would tell
 * it its parent is gone: without this, a worker killed mid-re-render (SIGKILL, the OOM killer, a container
 * stop) would leave its ffmpeg encoding on, unowned, holding the cores and writing into a job directory
 * nobody cleans. Where setpriv is missing (not Linux) the tool runs as it is.
 */
function spawnTool(
  command: string,
  args: string[],
  options: SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioPipe>,
): ChildProcessByStdio<null, Readable, Readable> {
  return DIES_WITH_PARENT
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options)
    : spawn(command, args, options);
}

export interface FfmpegRunOptions {
  /** Called with the output position (ms) as ffmpeg reports it. */
  onProgress?: (outTimeMs: number) => void;
  signal?: AbortSignal;
  /** Unix nice value for the process (higher = lower priority); left out: the worker's own. */
  niceness?: number;
}

/** Runs ffmpeg to the end; resolves with the tail of its log (where filters such as ebur128 print their summary). */
export async function runFfmpeg(args: string[], options: FfmpegRunOptions = {}): Promise<string> {
  const child = spawnTool('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-progress', 'pipe:1', '-nostats', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.niceness !== undefined && child.pid !== undefined) {
    try {
      setPriority(child.pid, options.niceness);
    } catch {
      // Exited already (the close handler reports why); lowering priority is never worth failing over.
    }
  }
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS)));
  child.stdout.on('data', (chunk: Buffer) => {
    for (const match of chunk.toString().matchAll(/out_time_us=(\d+)/g)) options.onProgress?.(Number(match[1]) / 1000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0)
    throw new Error(`ffmpeg exited with ${code}: ${maskSecrets(stderr.trim().split('\n').slice(-3).join(' | '))}`);
  return stderr;
}

export interface ProbeResult {
  durationMs: number;
  video: { codec: string; width: number; height: number; fps: number } | null;
  audio: { codec: string; sampleRate: number; channels: number } | null;
  /** Sound tracks in the file (a built-in recording has two: the program and the international sound). */
  audioStreams: number;
  chapters: { startMs: number; endMs: number; title: string }[];
}

export async function probe(file: string): Promise<ProbeResult> {
  const child = spawnTool(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', file],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`ffprobe cannot read ${file}: ${err.trim()}`);
  const json = JSON.parse(out) as {
    format: { duration?: string };
    streams: {
      codec_type: string;
      codec_name: string;
      width?: number;
      height?: number;
      avg_frame_rate?: string;
      sample_rate?: string;
      channels?: number;
    }[];
    chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
  };
  const v = json.streams.find((s) => s.codec_type === 'video');
  const a = json.streams.find((s) => s.codec_type === 'audio');
  const [num, den] = (v?.avg_frame_rate ?? '0/1').split('/').map(Number);
  return {
    durationMs: Number(json.format.duration ?? 0) * 1000,
    video: v
      ? { codec: v.codec_name, width: v.width ?? 0, height: v.height ?? 0, fps: den ? (num ?? 0) / den : 0 }
      : null,
    audio: a ? { codec: a.codec_name, sampleRate: Number(a.sample_rate ?? 0), channels: a.channels ?? 0 } : null,
    audioStreams: json.streams.filter((s) => s.codec_type === 'audio').length,
    chapters: json.chapters.map((c) => ({
      startMs: Number(c.start_time) * 1000,
      endMs: Number(c.end_time) * 1000,
      title: c.tags?.title ?? '',
    })),
  };
}
