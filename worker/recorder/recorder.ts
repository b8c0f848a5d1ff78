import { rename } from 'node:fs/promises';
import { BrowserCapture, type BrowserCaptureOptions, type CaptureInfo } from './browser-capture.ts';
import { FfmpegOutput } from './ffmpeg-output.ts';
import { finaliseMp4 } from './finalise-mp4.ts';
import { MediaFanout, type FanoutStats } from './media-fanout.ts';
import type { CaptureStats, OutputSpec, OutputStats } from './types.ts';

/** The page contract fixes program audio at 48 kHz stereo (see README). */
export const AUDIO_SAMPLE_RATE = 48_000;
export const AUDIO_CHANNELS = 2;
/**
 * With `international`: the program's stereo mix, then the international sound's (the program without the
 * commentary seats; see page-capture.js).
 */
export const AUDIO_CHANNELS_WITH_INTERNATIONAL = 4;

export interface RecorderOptions extends Omit<BrowserCaptureOptions, 'onVideo' | 'onAudio'> {
  outputs: OutputSpec[];
  /** Faststart-remux file outputs on close() (fragmented file kept as *.frag.mp4 unless false). */
  finalise?: boolean;
  /** A recording of a set length: file outputs are cut to exactly this many seconds when finalised. */
  fileDurationS?: number;
  ffmpegPath?: string;
  onSpawn?: (pid: number) => void;
}

export interface RecorderStats {
  capture: CaptureStats;
  fanout: FanoutStats;
  outputs: OutputStats[];
  audioRateMismatches: number;
}

/**
 * Page -> WebCodecs H.264 + PCM -> one ffmpeg per destination (copy video).
 * Outputs are started/stopped independently; a failing one is retried on its
 * own and never blocks the capture or the other outputs.
 */
export class Recorder {
  private readonly capture: BrowserCapture;
  private readonly fanout: MediaFanout;
  private audioRateMismatches = 0;
  private info: CaptureInfo | null = null;
  /** Fixed for the recorder's life: every output is spawned with it, before the first block arrives. */
  private readonly channels: number;

  constructor(private readonly opts: RecorderOptions) {
    this.channels = opts.international === true ? AUDIO_CHANNELS_WITH_INTERNATIONAL : AUDIO_CHANNELS;
    this.fanout = new MediaFanout(opts.fps, AUDIO_SAMPLE_RATE, this.channels);
    this.capture = new BrowserCapture({
      ...opts,
      onVideo: (c) => this.fanout.pushVideo(c),
      onAudio: (b) => {
        if (b.sampleRate !== AUDIO_SAMPLE_RATE || b.channels !== this.channels) {
          this.audioRateMismatches++;
          return;
        }
        this.fanout.pushAudio(b);
      },
    });
  }

  async start(): Promise<CaptureInfo> {
    // Outputs are armed before capture so they join at frame 0 (first keyframe).
    for (const spec of this.opts.outputs) this.addOutput(spec);
    try {
      this.info = await this.capture.start();
    } catch (error) {
      // The capture closed what it opened; the armed outputs never spawned, so closing them is instant.
      await Promise.all(this.fanout.list().map((o) => o.close()));
      throw error;
    }
    return this.info;
  }

  addOutput(spec: OutputSpec): void {
    if (this.fanout.list().some((o) => o.id === spec.id)) throw new Error(`output ${spec.id} exists`);
    const o = new FfmpegOutput({
      spec,
      fps: this.opts.fps,
      sampleRate: AUDIO_SAMPLE_RATE,
      channels: this.channels,
      ffmpegPath: this.opts.ffmpegPath,
      onLog: this.opts.onLog,
      onSpawn: this.opts.onSpawn,
    });
    this.fanout.add(o);
    o.start();
  }

  async removeOutput(id: string): Promise<OutputStats | null> {
    const o = this.fanout.remove(id);
    if (!o) return null;
    await o.close();
    return o.stats();
  }

  async stats(): Promise<RecorderStats> {
    return {
      capture: await this.capture.stats(),
      fanout: this.fanout.stats(),
      outputs: this.fanout.list().map((o) => o.stats()),
      audioRateMismatches: this.audioRateMismatches,
    };
  }

  /** Stops capture (flushing the encoder), closes every output, then finalises MP4 files. */
  async close(): Promise<RecorderStats> {
    const capture = await this.capture.stats().catch(() => null);
    const t0 = Date.now();
    await this.capture.close();
    this.opts.onLog?.(`capture closed in ${Date.now() - t0} ms`);
    const outputs = this.fanout.list();
    await Promise.all(outputs.map((o) => o.close()));
    this.opts.onLog?.(`outputs closed in ${Date.now() - t0} ms`);
    const result: RecorderStats = {
      capture: capture!,
      fanout: this.fanout.stats(),
      outputs: outputs.map((o) => o.stats()),
      audioRateMismatches: this.audioRateMismatches,
    };
    if (this.opts.finalise !== false) {
      for (const o of result.outputs) {
        for (const f of o.files) {
          // fragmented recording -> *.frag.mp4 kept for safety; faststart copy takes the name.
          const frag = f.replace(/\.mp4$/, '') + '.frag.mp4';
          await rename(f, frag);
          await finaliseMp4(frag, f, {
            ...(this.opts.ffmpegPath === undefined ? {} : { ffmpegPath: this.opts.ffmpegPath }),
            ...(this.opts.fileDurationS === undefined ? {} : { durationS: this.opts.fileDurationS }),
          });
        }
      }
    }
    return result;
  }
}
