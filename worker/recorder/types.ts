/** Shared recorder types (no runtime code). */

/** One encoded H.264 access unit (Annex-B), on the capture's CFR clock. */
export interface VideoChunk {
  /** 0-based frame slot since capture start; timestamp = frameIndex / fps. */
  frameIndex: number;
  timestampUs: number;
  key: boolean;
  data: Buffer;
}

/** Interleaved s16le PCM block positioned on the same clock as the video. */
export interface AudioBlock {
  /** Sample position relative to video frame 0 (may be negative before it). */
  samplePos: number;
  sampleRate: number;
  channels: number;
  data: Buffer;
}

export interface CaptureStats {
  framesRendered: number;
  framesEncoded: number;
  /** Slots the page renderer missed, filled by repeating the previous picture. */
  duplicated: number;
  /** Renders that arrived for an already-filled slot, not encoded. */
  dropped: number;
  encoderBacklogMax: number;
  encodeQueueSize: number;
  /** Last stream frame slot filled (0-based). */
  lastStreamFrame: number;
  audioBlocks: number;
  bytesSent: number;
  sendErrors: number;
  encoderErrors: number;
  elapsedMs: number;
  /** Chunks received in Node. */
  chunksReceived: number;
  audioBlocksReceived: number;
}

export type CaptureTransport = 'websocket' | 'binding';

export type OutputSpec =
  | { id: string; kind: 'file'; path: string }
  | { id: string; kind: 'rtmp'; url: string }
  /** MPEG-TS over SRT, ffmpeg calling `url` (its query carries the stream id and passphrase). */
  | { id: string; kind: 'srt'; url: string }
  /** Live HLS (fMP4 segments) into `dir`, a sliding window of `listSize` segments. */
  | { id: string; kind: 'hls'; dir: string; listSize: number };

export type OutputState = 'idle' | 'waiting-keyframe' | 'running' | 'backoff' | 'stopping' | 'stopped';

export interface OutputStats {
  id: string;
  state: OutputState;
  starts: number;
  failures: number;
  videoFramesWritten: number;
  audioSamplesWritten: number;
  lastError: string | null;
  /** Files written (file outputs get a new part per restart). */
  files: string[];
}
