import type { AudioBlock } from './types.ts';

/** Keep this much PCM so a (re)starting output can begin at the sample that
 * matches its first keyframe even if audio arrived before the video. */
const RING_SECONDS = 6;
/** If no audio arrives this far behind the video (page has no audio, or the
 * audio thread stalled) the timeline is extended with silence so outputs
 * keep muxing; late audio for that span is then dropped. */
const SILENCE_FILL_LAG_SECONDS = 0.5;

export interface AudioTimelineStats {
  /** Samples of silence inserted for gaps (audio glitch or missing audio). */
  silenceSamples: number;
  /** Samples discarded because they overlapped already-emitted audio. */
  trimmedSamples: number;
  endSample: number;
}

/**
 * Continuous PCM timeline on the capture clock: sample 0 == video frame 0.
 * Gaps are padded and overlaps trimmed, so every consumer reading it by
 * sample count stays in sync with the video frame count (which is exactly
 * how ffmpeg timestamps raw PCM and raw H.264 inputs).
 */
export class AudioTimeline {
  readonly bytesPerSample: number;
  private chunks: { pos: number; data: Buffer }[] = [];
  private end = 0;
  private silence = 0;
  private trimmed = 0;

  constructor(
    readonly sampleRate: number,
    readonly channels: number,
  ) {
    this.bytesPerSample = 2 * channels;
  }

  get endSample(): number {
    return this.end;
  }

  stats(): AudioTimelineStats {
    return { silenceSamples: this.silence, trimmedSamples: this.trimmed, endSample: this.end };
  }

  push(block: AudioBlock): void {
    let pos = Math.round(block.samplePos);
    let data = block.data;
    const n = data.length / this.bytesPerSample;
    if (pos + n <= this.end) {
      this.trimmed += n;
      return;
    }
    if (pos < this.end) {
      const skip = this.end - pos;
      this.trimmed += skip;
      data = data.subarray(skip * this.bytesPerSample);
      pos = this.end;
    }
    if (pos > this.end) this.padTo(pos);
    this.append(data);
  }

  /** Called per video frame: keeps the timeline from falling far behind. */
  advanceForVideo(frameIndex: number, fps: number): void {
    const target = Math.floor(((frameIndex + 1) / fps - SILENCE_FILL_LAG_SECONDS) * this.sampleRate);
    if (target > this.end) this.padTo(target);
  }

  /** PCM for [from, to) clipped to what is still buffered; from must be >= oldest. */
  read(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    for (const c of this.chunks) {
      const cEnd = c.pos + c.data.length / this.bytesPerSample;
      if (cEnd <= from || c.pos >= to) continue;
      const a = Math.max(from, c.pos) - c.pos;
      const b = Math.min(to, cEnd) - c.pos;
      parts.push(c.data.subarray(a * this.bytesPerSample, b * this.bytesPerSample));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  oldestSample(): number {
    return this.chunks[0]?.pos ?? this.end;
  }

  private padTo(pos: number): void {
    const n = pos - this.end;
    if (n <= 0) return;
    this.silence += n;
    this.append(Buffer.alloc(n * this.bytesPerSample));
  }

  private append(data: Buffer): void {
    this.chunks.push({ pos: this.end, data });
    this.end += data.length / this.bytesPerSample;
    const keepFrom = this.end - RING_SECONDS * this.sampleRate;
    while (this.chunks.length > 1) {
      const c = this.chunks[0]!;
      if (c.pos + c.data.length / this.bytesPerSample > keepFrom) break;
      this.chunks.shift();
    }
  }
}
