// A crew page's end of talkback (protocol/talkback.ts): when a talker calls this page, it offers to receive
// sound only, plays the talker's voice on the page's output (the operator's earpiece) and shows who is
// talking until the talker lets go. The voice plays here and nowhere else: the page never sends it on.
import { talkbackSignal, trickleCandidates, type PageFrame } from '../../../client/index.ts';
import {
  TALKER_LABEL,
  type ClientMessage,
  type FrameHandlers,
  type TalkbackCallDelivery,
  type TalkbackSignalDelivery,
} from '../../../protocol/index.ts';
import { h, setText } from './dom.ts';
import './talkback.css';

/** About 0.34 s at 48 kHz: enough for a test to find a tone in what the page plays. */
const TAP_SIZE = 16_384;
/** Opus decodes at 48 kHz: the tap reads the voice as it arrives, not resampled to the device's rate. */
const TAP_RATE = 48_000;

declare global {
  interface Window {
    /** Read by tests: whether talkback plays and what it plays, tapped inside the page. */
    pitchsideTalkback?: TalkbackTestHook;
  }
}

export interface TalkbackTestHook {
  /** Who is talking ("Director"), null when no one is. */
  talker(): string | null;
  /** The talkback's latest samples (mono), null before any played. */
  samples(): number[] | null;
  sampleRate(): number | null;
}

interface Listening {
  call: TalkbackCallDelivery;
  pc: RTCPeerConnection;
  pending: RTCIceCandidateInit[];
}

export class TalkbackListener {
  /** "Director talking", shown while a talker holds the button (a click plays, where autoplay was refused). */
  readonly element: HTMLElement;
  readonly #send: (frame: ClientMessage) => boolean;
  /** Out of the document: a media element removed from it pauses, and the indicator's text changes. */
  readonly #audio = new Audio();
  #iceServers: RTCIceServer[] = [];
  #listening: Listening | null = null;
  #tap: { context: AudioContext; analyser: AnalyserNode; source: MediaStreamAudioSourceNode } | null = null;

  constructor(send: (frame: ClientMessage) => boolean) {
    this.#send = send;
    this.#audio.autoplay = true;
    this.element = h('button', { type: 'button', class: 'talkback-indicator', id: 'talkback-indicator', hidden: true });
    this.element.addEventListener('click', () => void this.#audio.play().catch(() => undefined));
    window.pitchsideTalkback = {
      talker: () => (this.#listening === null ? null : TALKER_LABEL[this.#listening.call.talker]),
      samples: () => {
        if (this.#tap === null) return null;
        const samples = new Float32Array(TAP_SIZE);
        this.#tap.analyser.getFloatTimeDomainData(samples);
        return Array.from(samples);
      },
      sampleRate: () => this.#tap?.context.sampleRate ?? null,
    };
  }

  /** Register on the page's RealtimeClient: `client.handle(listener.handlers)`. */
  readonly handlers: FrameHandlers<PageFrame> = {
    'media.config': (frame) => void (this.#iceServers = frame.iceServers),
    'talkback.call': (frame) => void this.#open(frame).catch(warn),
    'talkback.end': (frame) => {
      if (this.#listening?.call.session === frame.session) this.#stop();
    },
    'talkback.signal': (frame) => void this.#handleSignal(frame).catch(warn),
  };

  async #open(call: TalkbackCallDelivery): Promise<void> {
    this.#stop();
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
    const listening: Listening = { call, pc, pending: [] };
    this.#listening = listening;
    this.#show(`${TALKER_LABEL[call.talker]} talking`);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (event) => {
      if (this.#listening !== listening) return;
      const stream = new MediaStream([event.track]);
      this.#audio.srcObject = stream;
      this.#audio.play().catch(() => this.#show(`${TALKER_LABEL[call.talker]} talking: tap to listen`));
      this.#listenTo(stream);
    });
    trickleCandidates(pc, call.from, call.session, this.#send, 'talkback.signal');
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (this.#listening === listening) this.#send(talkbackSignal(call.from, call.session, 'offer', offer));
  }

  async #handleSignal(signal: TalkbackSignalDelivery): Promise<void> {
    const listening = this.#listening;
    if (listening === null || signal.session !== listening.call.session || signal.from !== listening.call.from) return;
    const { pc, pending } = listening;
    if (signal.description?.type === 'answer') {
      await pc.setRemoteDescription(signal.description);
      for (const candidate of pending.splice(0)) await pc.addIceCandidate(candidate);
    }
    if (signal.candidate !== undefined) {
      const candidate = signal.candidate ?? { candidate: '' };
      if (pc.remoteDescription === null) pending.push(candidate);
      else await pc.addIceCandidate(candidate);
    }
  }

  /** A tap on what plays, for the page's tests (an AnalyserNode pulls on its own; nothing is output). */
  #listenTo(stream: MediaStream): void {
    this.#tap?.source.disconnect();
    const context = this.#tap?.context ?? new AudioContext({ sampleRate: TAP_RATE });
    const analyser =
      this.#tap?.analyser ??
      new AnalyserNode(context, { fftSize: TAP_SIZE, channelCount: 1, channelCountMode: 'explicit' });
    const source = context.createMediaStreamSource(stream);
    source.connect(analyser);
    this.#tap = { context, analyser, source };
    void context.resume();
  }

  #show(text: string): void {
    setText(this.element, text);
    this.element.hidden = false;
    document.body.dataset.talkback = 'live';
  }

  #stop(): void {
    const listening = this.#listening;
    if (listening === null) return;
    this.#listening = null;
    // The talker's track ends with the connection: the tap stays connected and reads the silence that follows.
    listening.pc.close();
    this.#audio.srcObject = null;
    this.element.hidden = true;
    delete document.body.dataset.talkback;
  }
}

function warn(error: unknown): void {
  console.warn(`talkback: ${(error as Error).message}`);
}
