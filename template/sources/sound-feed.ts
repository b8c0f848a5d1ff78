// A source with sound and no picture: a commentary seat's microphone (a LiveKit or direct WebRTC audio track).
// The scene never draws it (the reducer keeps sound-only sources off program, preview and PiP); it only feeds
// the program mixer.
import type { SourceFeed } from './source-feed.ts';

export class SoundFeed implements SourceFeed {
  readonly texture = null;

  constructor(
    readonly audio: AudioNode,
    private readonly release: () => void,
  ) {}

  hasFrames(): boolean {
    return false;
  }

  refresh(): void {}

  close(): void {
    this.release();
  }
}
