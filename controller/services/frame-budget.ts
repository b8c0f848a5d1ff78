// What one WebSocket connection may send (protocol/realtime.ts WS_FRAME_BUDGET): two token buckets, one of
// frames and one of bytes, refilled continuously. Both doors (the event WebSocket and obs-websocket) ask
// it before they decode a frame, so a flood costs the controller a counter, never a Redis command.
import type { RawData, WebSocket } from 'ws';
import { WS_CLOSE, type FrameBudgetLimits } from '../../protocol/index.ts';

export class FrameBudget {
  #frames: number;
  #bytes: number;
  #at: number;

  constructor(
    private readonly limits: FrameBudgetLimits,
    now: number = performance.now(),
  ) {
    this.#frames = limits.burstFrames;
    this.#bytes = limits.burstBytes;
    this.#at = now;
  }

  /** Spends one frame of `bytes`; false when either bucket is empty (the frame is not to be handled). */
  take(bytes: number, now: number = performance.now()): boolean {
    const seconds = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    this.#frames = Math.min(this.limits.burstFrames, this.#frames + seconds * this.limits.framesPerSecond);
    this.#bytes = Math.min(this.limits.burstBytes, this.#bytes + seconds * this.limits.bytesPerSecond);
    if (this.#frames < 1 || this.#bytes < bytes) return false;
    this.#frames -= 1;
    this.#bytes -= bytes;
    return true;
  }
}

/** The size of a received message, whichever form ws hands it over in. */
export function rawDataBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, chunk) => n + chunk.length, 0);
  return data.byteLength;
}

/**
 * Ends a socket that went over its budget with a close frame that says why (WS_CLOSE.OVER_BUDGET). What it
 * sends meanwhile is read but not decoded (the doors check the socket is open first).
 */
export function closeOverBudget(socket: WebSocket): void {
  socket.close(WS_CLOSE.OVER_BUDGET, 'too many frames: slow down');
}
