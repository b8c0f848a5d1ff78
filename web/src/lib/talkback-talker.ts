// The talker's end of talkback (protocol/talkback.ts): the director's or graphics operator's microphone,
// captured on the first press and kept, sent to each crew page that offers to hear it while the button is
// held. One peer connection per crew page per press; release closes them all.
import { talkbackSignal, trickleCandidates, type PageFrame } from '../../../client/index.ts';
import type { ClientMessage, FrameHandlers, TalkbackSignalDelivery, TalkbackTarget } from '../../../protocol/index.ts';

/**
 * No voice-call processing: the talker wears a headset, and a gate or a gain that pumps makes the first
 * words of a cue hard to hear on a camera operator's earpiece.
 */
const TALK_MICROPHONE: MediaTrackConstraints = {
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
};

interface CrewPeer {
  pc: RTCPeerConnection;
  pending: RTCIceCandidateInit[];
}

interface Talk {
  target: TalkbackTarget;
  session: string;
  peers: Map<string, CrewPeer>;
}

export interface TalkbackTalkerOptions {
  send: (frame: ClientMessage) => boolean;
  /** The talk state changed: true while the button is down and the microphone is open. */
  onLive: (live: boolean) => void;
}

export class TalkbackTalker {
  readonly #options: TalkbackTalkerOptions;
  #iceServers: RTCIceServer[] = [];
  #microphone: Promise<MediaStream> | null = null;
  /** The open microphone, once the browser gave it. */
  #stream: MediaStream | null = null;
  #talk: Talk | null = null;
  /** The button is down (the microphone may still be opening). */
  #held = false;

  constructor(options: TalkbackTalkerOptions) {
    this.#options = options;
  }

  /** Register on the page's RealtimeClient: `client.handle(talker.handlers)`. */
  readonly handlers: FrameHandlers<PageFrame> = {
    'media.config': (frame) => void (this.#iceServers = frame.iceServers),
    'talkback.signal': (frame) =>
      void this.#handleSignal(frame).catch((error: unknown) => {
        console.warn(`talkback: ${(error as Error).message}`);
      }),
  };

  get live(): boolean {
    return this.#talk !== null;
  }

  /** The talk button went down: opens the microphone (first time: the browser asks), then calls `target`. */
  async press(target: TalkbackTarget): Promise<void> {
    if (this.#held) return;
    this.#held = true;
    this.#microphone ??= navigator.mediaDevices.getUserMedia({ audio: TALK_MICROPHONE, video: false });
    try {
      this.#stream = await this.#microphone;
    } catch (error) {
      this.#microphone = null;
      this.#held = false;
      throw error;
    }
    if (!this.#held) return; // released while the browser asked
    const talk: Talk = { target, session: crypto.randomUUID(), peers: new Map() };
    this.#talk = talk;
    this.#options.send({ type: 'talkback.call', target, session: talk.session });
    this.#options.onLive(true);
  }

  release(): void {
    this.#held = false;
    const talk = this.#talk;
    if (talk === null) return;
    this.#talk = null;
    this.#options.send({ type: 'talkback.end', target: talk.target, session: talk.session });
    for (const peer of talk.peers.values()) peer.pc.close();
    this.#options.onLive(false);
  }

  async #handleSignal(signal: TalkbackSignalDelivery): Promise<void> {
    const talk = this.#talk;
    const microphone = this.#stream;
    if (talk === null || signal.session !== talk.session || microphone === null) return;
    // Synchronously up to the first await: the offer's candidates, handled meanwhile, find their peer.
    let peer = talk.peers.get(signal.from);
    if (signal.description?.type === 'offer') {
      peer?.pc.close();
      const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
      for (const track of microphone.getAudioTracks()) pc.addTrack(track, microphone);
      trickleCandidates(pc, signal.from, talk.session, this.#options.send, 'talkback.signal');
      peer = { pc, pending: [] };
      talk.peers.set(signal.from, peer);
      await pc.setRemoteDescription(signal.description);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (this.#talk !== talk) return void pc.close();
      this.#options.send(talkbackSignal(signal.from, talk.session, 'answer', answer));
      for (const candidate of peer.pending.splice(0)) await pc.addIceCandidate(candidate);
    }
    if (signal.candidate !== undefined && peer !== undefined) {
      const candidate = signal.candidate ?? { candidate: '' };
      if (peer.pc.remoteDescription === null) peer.pending.push(candidate);
      else await peer.pc.addIceCandidate(candidate);
    }
  }
}
