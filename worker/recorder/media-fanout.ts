import { AudioTimeline } from './audio-timeline.ts';
import type { FfmpegOutput } from './ffmpeg-output.ts';
import type { AudioBlock, VideoChunk } from './types.ts';

const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_IDR = 5;

export interface FanoutStats {
  videoChunks: number;
  /** Frame indices missing between consecutive chunks (should stay 0: the page fills its own gaps). */
  videoGaps: number;
  keyframes: number;
  /** Keyframes that lacked in-band SPS/PPS and got the cached ones prepended. */
  parameterSetsInjected: number;
  audio: ReturnType<AudioTimeline['stats']> | null;
}

/** Start offsets of NAL units (after the 00 00 01 / 00 00 00 01 start code). */
function nalTypes(buf: Buffer): { type: number; start: number; end: number }[] {
  const starts: { sc: number; start: number }[] = [];
  for (let i = 0; i + 2 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      starts.push({ sc: i > 0 && buf[i - 1] === 0 ? i - 1 : i, start: i + 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => ({ type: buf[s.start]! & 0x1f, start: s.sc, end: starts[k + 1]?.sc ?? buf.length }));
}

/**
 * Distributes one encoded capture to N independent outputs. Owns the shared
 * audio timeline and makes every keyframe self-contained (SPS/PPS in band)
 * so any output can (re)join at any keyframe.
 */
export class MediaFanout {
  private readonly outputs = new Map<string, FfmpegOutput>();
  private timeline: AudioTimeline | null = null;
  private paramSets: Buffer | null = null;
  private lastFrame = -1;
  private readonly s = { videoChunks: 0, videoGaps: 0, keyframes: 0, parameterSetsInjected: 0 };

  constructor(
    private readonly fps: number,
    sampleRate: number,
    channels: number,
  ) {
    // Always present: pages without audio get a silent track, which RTMP
    // ingests generally require.
    this.timeline = new AudioTimeline(sampleRate, channels);
  }

  add(output: FfmpegOutput): void {
    this.outputs.set(output.id, output);
  }

  remove(id: string): FfmpegOutput | undefined {
    const o = this.outputs.get(id);
    this.outputs.delete(id);
    return o;
  }

  list(): FfmpegOutput[] {
    return [...this.outputs.values()];
  }

  stats(): FanoutStats {
    return { ...this.s, audio: this.timeline?.stats() ?? null };
  }

  pushVideo(chunk: VideoChunk): void {
    this.s.videoChunks++;
    if (this.lastFrame >= 0 && chunk.frameIndex > this.lastFrame + 1)
      this.s.videoGaps += chunk.frameIndex - this.lastFrame - 1;
    this.lastFrame = chunk.frameIndex;
    if (chunk.key) {
      this.s.keyframes++;
      chunk = this.ensureParameterSets(chunk);
    }
    this.timeline?.advanceForVideo(chunk.frameIndex, this.fps);
    for (const o of this.outputs.values()) o.pushVideo(chunk, this.timeline);
  }

  pushAudio(block: AudioBlock): void {
    if (!this.timeline) return;
    this.timeline.push(block);
    for (const o of this.outputs.values()) o.pushAudio(this.timeline);
  }

  private ensureParameterSets(chunk: VideoChunk): VideoChunk {
    const nals = nalTypes(chunk.data);
    const sets = nals.filter((n) => n.type === NAL_SPS || n.type === NAL_PPS);
    if (sets.some((n) => n.type === NAL_SPS) && sets.some((n) => n.type === NAL_PPS)) {
      this.paramSets = Buffer.concat(sets.map((n) => chunk.data.subarray(n.start, n.end)));
      return chunk;
    }
    if (this.paramSets && nals.some((n) => n.type === NAL_IDR)) {
      this.s.parameterSetsInjected++;
      return { ...chunk, data: Buffer.concat([this.paramSets, chunk.data]) };
    }
    return chunk;
  }
}
