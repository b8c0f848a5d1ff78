// The talker's end of talkback (protocol/talkback.ts): the director's or graphics operator's microphone,
// captured on the first press and kept, sent to each crew page that offers to hear it while the button is
// held. A press to a target opens one peer connection per crew page; release takes the microphone off them
// (nothing is sent) but keeps them open, so the next press to the same target is heard as soon as the
// sound gets there, not after a new connection's ICE and DTLS (about 0.8 s here): a cue's first words.
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
  /** Carries the microphone while the button is held, nothing otherwise. */
  sender: RTCRtpSender;
}

/** One target's talk: its session outlives the press, so the crew pages that hold it resume at once. */
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
  /** The talk on air (button held), one of #talks. */
  #talk: Talk | null = null;
  /** Every target's talk since the page opened: the live one and the released, silent ones. */
  readonly #talks = new Map<TalkbackTarget, Talk>();
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
    let talk = this.#talks.get(target);
    if (talk === undefined) {
      talk = { target, session: crypto.randomUUID(), peers: new Map() };
      this.#talks.set(target, talk);
    }
    this.#talk = talk;
    this.#sendMicrophone(talk, this.#stream.getAudioTracks()[0] ?? null);
    // The same session: a page that still holds it resumes playing; a page that does not (it joined since,
    // reloaded, or its connection dropped) offers as on a first press.
    this.#options.send({ type: 'talkback.call', target, session: talk.session });
    this.#options.onLive(true);
  }

  release(): void {
    this.#held = false;
    const talk = this.#talk;
    if (talk === null) return;
    this.#talk = null;
    this.#sendMicrophone(talk, null);
    this.#options.send({ type: 'talkback.end', target: talk.target, session: talk.session });
    this.#options.onLive(false);
  }

  /** The microphone on (or off: null) every connection of a talk; no renegotiation, so it is instant. */
  #sendMicrophone(talk: Talk, track: MediaStreamTrack | null): void {
    for (const peer of talk.peers.values())
      peer.sender.replaceTrack(track).catch((error: unknown) => {
        console.warn(`talkback: ${(error as Error).message}`);
      });
  }

  async #handleSignal(signal: TalkbackSignalDelivery): Promise<void> {
    const talk = [...this.#talks.values()].find((each) => each.session === signal.session);
    const microphone = this.#stream;
    if (talk === undefined || microphone === null) return;
    // Synchronously up to the first await: the offer's candidates, handled meanwhile, find their peer.
    let peer = talk.peers.get(signal.from);
    if (signal.description?.type === 'offer') {
      // A page offers when it is called: only while the button is held is there a call to answer.
      if (this.#talk !== talk) return;
      peer?.pc.close();
      const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
      const sender = pc.addTrack(microphone.getAudioTracks()[0]!, microphone);
      trickleCandidates(pc, signal.from, talk.session, this.#options.send, 'talkback.signal');
      const created: CrewPeer = { pc, pending: [], sender };
      peer = created;
      talk.peers.set(signal.from, created);
      // A page gone (tab closed, reloaded, its connection failed) leaves its talk: a later offer makes anew.
      pc.addEventListener('connectionstatechange', () => {
        if (
          (pc.connectionState === 'failed' || pc.connectionState === 'closed') &&
          talk.peers.get(signal.from) === created
        )
          talk.peers.delete(signal.from);
      });
      await pc.setRemoteDescription(signal.description);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (talk.peers.get(signal.from) !== created) return void pc.close();
      // Released while answering: the connection stays for the next press, silent until then.
      if (this.#talk !== talk) await sender.replaceTrack(null);
      this.#options.send(talkbackSignal(signal.from, talk.session, 'answer', answer));
      for (const candidate of created.pending.splice(0)) await pc.addIceCandidate(candidate);
    }
    if (signal.candidate !== undefined && peer !== undefined) {
      const candidate = signal.candidate ?? { candidate: '' };
      if (peer.pc.remoteDescription === null) peer.pending.push(candidate);
      else await peer.pc.addIceCandidate(candidate);
    }
  }
}
