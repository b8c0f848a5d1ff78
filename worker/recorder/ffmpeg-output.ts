import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { HLS_PLAYLIST, HLS_SEGMENT_SECONDS, hlsInitSegment, hlsRunId, hlsSegmentPattern } from '../../protocol/hls.ts';
import type { AudioTimeline } from './audio-timeline.ts';
import type { OutputSpec, OutputState, OutputStats, VideoChunk } from './types.ts';

/** Stepped retry delays; the last step repeats forever (RTMP ingest may come back). */
export const BACKOFF_STEPS_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000];
/** A run this long counts as healthy and resets the backoff to the first step. */
const STABLE_RUN_MS = 30_000;
/** Unwritten bytes queued towards one ffmpeg before we declare it stalled
 * (~10 s of 6 Mb/s video): a stuck RTMP socket must not grow Node's heap. */
const MAX_VIDEO_BACKLOG_BYTES = 8 << 20;
const CLOSE_TIMEOUT_MS = 15_000;
const STDERR_TAIL_LINES = 20;
/** RTMP/SRT socket read/write timeout, microseconds (ffmpeg protocol option). */
const STREAM_RW_TIMEOUT_US = 5_000_000;
/** MPEG-TS's clock: the time base ffmpeg 5.1's mpegts muxer hands the video bitstream filter. */
const MPEGTS_TIMESCALE = 90_000;
const AUDIO_BITRATE = '128k';
/** ffmpeg's native AAC encoder delay (initial_padding), in samples. */
const AAC_PRIMING_SAMPLES = 1024;
/**
 * Time base ffmpeg 5.1's HLS fMP4 muxer gives the video stream (the mp4 muxer's default timescale for these
 * frame rates). The setts filter sees packets in it while its TB reports the input's, so the restamp must
 * name it; tests/worker/hls-output checks the segment durations, so another ffmpeg that changes it fails there.
 */
const HLS_FMP4_VIDEO_TIMESCALE = 15_360;
/**
 * Four-channel capture (a recorder started with `international`): channels 0-1 are the program, 2-3 the
 * international sound (page-capture.js). Two channels are the program alone, mapped as they come.
 */
const PROGRAM_PAIR = 'pan=stereo|c0=c0|c1=c1';
const INTERNATIONAL_PAIR = 'pan=stereo|c0=c2|c1=c3';

/**
 * How the captured PCM becomes sound tracks: a recording file keeps both mixes as tracks (titled, the
 * international one not the default, `zxx`: no speech), a stream or HLS carries the program alone.
 */
function audioTracks(kind: OutputSpec['kind'], channels: number): string[] {
  if (channels !== 4) return ['-map', '1:a'];
  if (kind !== 'file') return ['-map', '1:a', '-af', PROGRAM_PAIR];
  return [
    ...['-filter_complex', `[1:a]asplit[p][i];[p]${PROGRAM_PAIR}[program];[i]${INTERNATIONAL_PAIR}[international]`],
    ...['-map', '[program]', '-map', '[international]'],
    // MP4 names a track by its handler name (the mp4 muxer drops `title`).
    ...['-metadata:s:a:0', 'handler_name=Program', '-metadata:s:a:1', 'handler_name=International'],
    ...['-metadata:s:a:1', 'language=zxx', '-disposition:a:0', 'default', '-disposition:a:1', '0'],
  ];
}

/**
 * Per output kind: the setts expression that stamps frame N in the time base its muxer hands the filter
 * (see spawn), and the input audio skipped for the AAC encoder's priming. Fragmented MP4 (empty_moov)
 * cannot carry the priming edit list, so the 1024 priming samples would play as a 21 ms audio delay:
 * that much input audio is skipped instead. FLV and MPEG-TS shift the video by the priming themselves.
 */
const MUXING: Record<OutputSpec['kind'], { restamp: (fps: number) => string; audioLead: number }> = {
  rtmp: { restamp: (fps) => `setts=ts=N*1000/${fps}`, audioLead: 0 },
  srt: { restamp: (fps) => `setts=ts=N*${MPEGTS_TIMESCALE}/${fps}`, audioLead: 0 },
  hls: { restamp: (fps) => `setts=ts=N*${HLS_FMP4_VIDEO_TIMESCALE}/${fps}`, audioLead: AAC_PRIMING_SAMPLES },
  file: { restamp: (fps) => `setts=ts=N/(${fps}*TB)`, audioLead: AAC_PRIMING_SAMPLES },
};

export interface FfmpegOutputOptions {
  spec: OutputSpec;
  fps: number;
  sampleRate: number;
  channels: number;
  ffmpegPath?: string;
  onLog?: (msg: string) => void;
  /** Called with the pid of every ffmpeg spawned (CPU accounting in the bench). */
  onSpawn?: (pid: number) => void;
}

/**
 * One destination = one ffmpeg: H.264 Annex-B is copied (never re-encoded),
 * PCM is encoded to AAC. Video arrives on fd 3 and PCM on fd 4, both clocked
 * purely by count (frames / fps, samples / rate), which is exactly the
 * capture's constant-frame-rate clock, so A/V stay aligned without wall-clock
 * timestamps. Failures restart only this output, after a stepped backoff,
 * rejoining at the next keyframe with the audio sample matching it.
 */
export class FfmpegOutput {
  private state: OutputState = 'idle';
  private proc: ChildProcess | null = null;
  private video: Writable | null = null;
  private audio: Writable | null = null;
  private audioCursor = 0;
  private runStartedAt = 0;
  private backoffStep = 0;
  private backoffTimer: NodeJS.Timeout | null = null;
  private exitPromise: Promise<void> | null = null;
  private stderrTail: string[] = [];
  private readonly s: OutputStats;
  /** Names this output's HLS files: unique per output, so a segment URL never means two different files. */
  private readonly run = hlsRunId();

  constructor(private readonly opts: FfmpegOutputOptions) {
    this.s = {
      id: opts.spec.id,
      state: 'idle',
      starts: 0,
      failures: 0,
      videoFramesWritten: 0,
      audioSamplesWritten: 0,
      lastError: null,
      files: [],
    };
  }

  get id(): string {
    return this.opts.spec.id;
  }

  /** Arms the output; ffmpeg is spawned at the next keyframe. */
  start(): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.state = 'waiting-keyframe';
  }

  stats(): OutputStats {
    return { ...this.s, state: this.state, files: [...this.s.files] };
  }

  pushVideo(chunk: VideoChunk, timeline: AudioTimeline | null): void {
    if (this.state === 'waiting-keyframe' && chunk.key) this.spawn(chunk.frameIndex, timeline);
    if (this.state !== 'running' || !this.video) return;
    if (this.video.writableLength > MAX_VIDEO_BACKLOG_BYTES) {
      this.fail(`stalled: ${this.video.writableLength} bytes unwritten`);
      return;
    }
    this.video.write(chunk.data);
    this.s.videoFramesWritten++;
    if (timeline) this.pushAudio(timeline);
  }

  pushAudio(timeline: AudioTimeline): void {
    if (this.state !== 'running' || !this.audio) return;
    const end = timeline.endSample;
    if (end <= this.audioCursor) return;
    if (this.audioCursor < timeline.oldestSample()) {
      this.fail('audio fell out of the ring buffer');
      return;
    }
    const pcm = timeline.read(this.audioCursor, end);
    this.audio.write(pcm);
    this.s.audioSamplesWritten += end - this.audioCursor;
    this.audioCursor = end;
  }

  /** Graceful stop: closes the inputs so ffmpeg writes its trailer. */
  async close(): Promise<void> {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    const wasRunning = this.proc !== null;
    this.state = 'stopping';
    if (wasRunning) {
      this.video?.end();
      this.audio?.end();
      const killer = setTimeout(() => this.proc?.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      await this.exitPromise;
      clearTimeout(killer);
    }
    this.state = 'stopped';
  }

  private spawn(startFrame: number, timeline: AudioTimeline | null): void {
    const { spec, fps, sampleRate, channels } = this.opts;
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'warning',
      // Tiny probe: the stream starts with SPS/PPS + IDR, nothing more to learn.
      '-probesize',
      '65536',
      '-analyzeduration',
      '0',
      '-thread_queue_size',
      '1024',
      '-f',
      'h264',
      '-framerate',
      String(fps),
      '-i',
      'pipe:3',
      '-thread_queue_size',
      '1024',
      '-f',
      's16le',
      '-ar',
      String(sampleRate),
      '-ac',
      String(channels),
      '-i',
      'pipe:4',
      '-map',
      '0:v',
      ...audioTracks(spec.kind, channels),
      '-c:v',
      'copy',
      // Raw H.264 carries no timestamps; ffmpeg's own framerate stamping
      // drifts ~14 ppm (~50 ms/hour against sample-exact audio), so restamp
      // strictly from the frame count (our CFR clock). ffmpeg 5.1 hands the
      // bsf packets in the muxer's time base while TB reports the input's:
      // FLV's is always 1 ms, MPEG-TS's 90 kHz; the MP4 muxer keeps the input's (TB).
      '-bsf:v',
      MUXING[spec.kind].restamp(fps),
      '-avoid_negative_ts',
      'make_non_negative',
      '-c:a',
      'aac',
      '-b:a',
      AUDIO_BITRATE,
    ];
    if (spec.kind === 'file') {
      const path =
        this.s.files.length === 0 ? spec.path : spec.path.replace(/(\.mp4)?$/, `.part${this.s.files.length + 1}.mp4`);
      this.s.files.push(path);
      // Fragmented while recording: a crash leaves a playable file.
      args.push('-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-y', path);
    } else if (spec.kind === 'hls') {
      args.push(...hlsArgs(spec, this.run, this.s.starts > 0));
    } else if (spec.kind === 'srt') {
      args.push('-rw_timeout', String(STREAM_RW_TIMEOUT_US), '-f', 'mpegts', spec.url);
    } else {
      args.push(
        '-rw_timeout',
        String(STREAM_RW_TIMEOUT_US),
        '-f',
        'flv',
        '-flvflags',
        'no_duration_filesize',
        spec.url,
      );
    }
    const proc = spawn(this.opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    this.s.starts++;
    this.runStartedAt = Date.now();
    this.stderrTail = [];
    if (proc.pid) this.opts.onSpawn?.(proc.pid);
    this.video = proc.stdio[3] as Writable;
    this.audio = proc.stdio[4] as Writable;
    // EPIPE when ffmpeg dies is expected; the exit handler does the recovery.
    this.video.on('error', () => undefined);
    this.audio.on('error', () => undefined);
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      for (const line of d.split('\n')) if (line.trim()) this.stderrTail.push(line.trim());
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_TAIL_LINES));
    });
    // A spawn that fails (no binary, EAGAIN under memory pressure) emits 'error' and never 'exit':
    // both end the run, once, so close() never waits forever and the output retries.
    this.exitPromise = new Promise((resolve) => {
      let ended = false;
      const end = (reason: () => string): void => {
        if (ended) return;
        ended = true;
        const mine = this.proc === proc;
        if (mine) {
          this.proc = null;
          this.video = null;
          this.audio = null;
        }
        if (mine && this.state !== 'stopping') this.onUnexpectedExit(reason());
        resolve();
      };
      proc.on('exit', (code, signal) =>
        end(() => `ffmpeg exited code=${code} signal=${signal}: ${this.stderrTail.slice(-3).join(' | ')}`),
      );
      proc.on('error', (e) => {
        this.opts.onLog?.(`[${spec.id}] spawn error ${e.message}`);
        if (proc.pid === undefined) end(() => `ffmpeg could not start: ${e.message}`);
      });
    });
    this.state = 'running';
    // Audio joins at exactly the sample that lines up with this keyframe (after the priming, see MUXING).
    this.audioCursor = Math.round((startFrame * sampleRate) / fps) + MUXING[spec.kind].audioLead;
    if (timeline && this.audioCursor < timeline.oldestSample()) this.audioCursor = timeline.oldestSample();
    this.opts.onLog?.(`[${spec.id}] started at frame ${startFrame} (start #${this.s.starts})`);
  }

  private fail(reason: string): void {
    if (this.proc) {
      const p = this.proc;
      // Detach first so the exit handler does not double count.
      this.proc = null;
      this.video = null;
      this.audio = null;
      p.kill('SIGKILL');
    }
    this.onUnexpectedExit(reason);
  }

  private onUnexpectedExit(reason: string): void {
    this.s.failures++;
    this.s.lastError = reason;
    if (Date.now() - this.runStartedAt >= STABLE_RUN_MS) this.backoffStep = 0;
    const delay = BACKOFF_STEPS_MS[Math.min(this.backoffStep, BACKOFF_STEPS_MS.length - 1)]!;
    this.backoffStep++;
    this.state = 'backoff';
    this.opts.onLog?.(`[${this.opts.spec.id}] failed (${reason}); retry in ${delay} ms`);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (this.state === 'backoff') this.state = 'waiting-keyframe';
    }, delay);
  }
}

/**
 * Low-latency live HLS: fMP4 (CMAF) segments cut at every keyframe (HLS_SEGMENT_SECONDS), a sliding window
 * whose old segments ffmpeg deletes, program date-times (players measure latency from them), and the
 * ENDLIST ffmpeg writes when its input ends (a stopped output tells players the show is over). A restart
 * continues the same playlist after a discontinuity, so a player rides over it instead of starting again.
 */
function hlsArgs(spec: Extract<OutputSpec, { kind: 'hls' }>, run: string, restart: boolean): string[] {
  const flags = ['delete_segments', 'independent_segments', 'program_date_time', 'temp_file'];
  if (restart) flags.push('append_list', 'discont_start');
  return [
    '-f',
    'hls',
    '-hls_time',
    String(HLS_SEGMENT_SECONDS),
    '-hls_list_size',
    String(spec.listSize),
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    hlsInitSegment(run),
    '-hls_flags',
    flags.join('+'),
    '-hls_segment_filename',
    join(spec.dir, hlsSegmentPattern(run)),
    '-y',
    join(spec.dir, HLS_PLAYLIST),
  ];
}
