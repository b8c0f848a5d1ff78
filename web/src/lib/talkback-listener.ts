// A crew page's end of talkback (protocol/talkback.ts): when a talker calls this page, it offers to receive
// sound only, plays the talker's voice on the page's output (the operator's earpiece) and shows who is
// talking until the talker lets go. The voice plays here and nowhere else: the page never sends it on.
// Released, the session's connection stays open and silent (the talker takes its microphone off it): the
// same talker's next call of the session resumes it without signalling, so its first words are heard.
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
    /** Read by tests: whether talkback plays, what it plays (tapped inside the page), and how it connected. */
    pitchsideTalkback?: TalkbackTestHook;
  }
}

export interface TalkbackTestHook {
  /** Who is talking ("Director"), null when no one is. */
  talker(): string | null;
  /** The talkback's latest samples (mono), null before any played. */
  samples(): number[] | null;
  sampleRate(): number | null;
  /** Peer connections this page has opened for talkback: a resumed session opens none. */
  connections(): number;
}

interface Listening {
  call: TalkbackCallDelivery;
  pc: RTCPeerConnection;
  pending: RTCIceCandidateInit[];
  /** Each talker's voice on its own element: the director and the graphics desk may talk at once. */
  audio: HTMLAudioElement;
  /** Between the talker's release and its next call of the session: kept open, not shown, silent. */
  resting: boolean;
  grace?: ReturnType<typeof setTimeout>;
}

/** A talker's connection that drops (its tab or network gone) ends its talk after this long without coming back. */
const DISCONNECTED_GRACE_MS = 3000;

export class TalkbackListener {
  /** "Director talking", shown while a talker holds the button (a click plays, where autoplay was refused). */
  readonly element: HTMLElement;
  readonly #send: (frame: ClientMessage) => boolean;
  #iceServers: RTCIceServer[] = [];
  /** Sessions by session id (live and resting), oldest first: the indicator names the latest live one. */
  readonly #sessions = new Map<string, Listening>();
  #connections = 0;
  #tap: { context: AudioContext; analyser: AnalyserNode; source: MediaStreamAudioSourceNode } | null = null;

  constructor(send: (frame: ClientMessage) => boolean) {
    this.#send = send;
    this.element = h('button', { type: 'button', class: 'talkback-indicator', id: 'talkback-indicator', hidden: true });
    this.element.addEventListener('click', () => {
      for (const { audio } of this.#sessions.values()) void audio.play().catch(() => undefined);
    });
    window.pitchsideTalkback = {
      talker: () => {
        const latest = this.#latest();
        return latest === undefined ? null : TALKER_LABEL[latest.call.talker];
      },
      samples: () => {
        if (this.#tap === null) return null;
        const samples = new Float32Array(TAP_SIZE);
        this.#tap.analyser.getFloatTimeDomainData(samples);
        return Array.from(samples);
      },
      sampleRate: () => this.#tap?.context.sampleRate ?? null,
      connections: () => this.#connections,
    };
  }

  /** Register on the page's RealtimeClient: `client.handle(listener.handlers)`. */
  readonly handlers: FrameHandlers<PageFrame> = {
    'media.config': (frame) => void (this.#iceServers = frame.iceServers),
    'talkback.call': (frame) => void this.#open(frame).catch(warn),
    'talkback.end': (frame) => {
      const listening = this.#sessions.get(frame.session);
      if (listening?.call.from === frame.from) this.#rest(listening);
    },
    'talkback.signal': (frame) => void this.#handleSignal(frame).catch(warn),
  };

  async #open(call: TalkbackCallDelivery): Promise<void> {
    const resting = this.#sessions.get(call.session);
    if (resting?.call.from === call.from && resting.pc.connectionState !== 'closed') return this.#resume(resting, call);
    // The same talker calling on another session ends its own earlier one (its release may have been lost,
    // or it now talks to another target); another talker's session goes on.
    for (const other of [...this.#sessions.values()]) if (other.call.from === call.from) this.#stop(other);
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
    this.#connections += 1;
    // Out of the document: a media element removed from it pauses, and the indicator's text changes.
    const audio = new Audio();
    audio.autoplay = true;
    const listening: Listening = { call, pc, pending: [], audio, resting: false };
    this.#sessions.set(call.session, listening);
    this.#showLatest();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (event) => {
      if (!this.#isOpen(listening)) return;
      const stream = new MediaStream([event.track]);
      audio.srcObject = stream;
      audio.play().catch(() => this.#show(`${TALKER_LABEL[call.talker]} talking: tap to listen`));
      this.#listenTo(stream);
    });
    // The talker gone without a release (tab closed, network lost): the page stops showing it after a grace.
    pc.addEventListener('connectionstatechange', () => {
      if (!this.#isOpen(listening)) return;
      clearTimeout(listening.grace);
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.#stop(listening);
      else if (pc.connectionState === 'disconnected')
        listening.grace = setTimeout(() => this.#stop(listening), DISCONNECTED_GRACE_MS);
    });
    trickleCandidates(pc, call.from, call.session, this.#send, 'talkback.signal');
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (this.#isOpen(listening)) this.#send(talkbackSignal(call.from, call.session, 'offer', offer));
  }

  /** The talker pressed again: the open connection plays its microphone again as soon as it arrives. */
  #resume(listening: Listening, call: TalkbackCallDelivery): void {
    // Latest: the indicator names the talker who pressed last.
    this.#sessions.delete(call.session);
    this.#sessions.set(call.session, listening);
    listening.call = call;
    listening.resting = false;
    const stream = listening.audio.srcObject;
    if (stream instanceof MediaStream) {
      listening.audio.play().catch(() => this.#show(`${TALKER_LABEL[call.talker]} talking: tap to listen`));
      this.#listenTo(stream);
    }
    this.#showLatest();
  }

  async #handleSignal(signal: TalkbackSignalDelivery): Promise<void> {
    const listening = this.#sessions.get(signal.session);
    if (listening === undefined || signal.from !== listening.call.from) return;
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

  #isOpen(listening: Listening): boolean {
    return this.#sessions.get(listening.call.session) === listening;
  }

  #latest(): Listening | undefined {
    return [...this.#sessions.values()].filter((listening) => !listening.resting).at(-1);
  }

  /** Names the latest talker still talking, or hides the indicator when no one is. */
  #showLatest(): void {
    const latest = this.#latest();
    if (latest === undefined) {
      this.element.hidden = true;
      delete document.body.dataset.talkback;
    } else this.#show(`${TALKER_LABEL[latest.call.talker]} talking`);
  }

  #show(text: string): void {
    setText(this.element, text);
    this.element.hidden = false;
    document.body.dataset.talkback = 'live';
  }

  /** Released: off the indicator; the connection stays for the talker's next press (it sends nothing meanwhile). */
  #rest(listening: Listening): void {
    if (!this.#isOpen(listening)) return;
    listening.resting = true;
    this.#showLatest();
  }

  #stop(listening: Listening): void {
    if (!this.#isOpen(listening)) return;
    this.#sessions.delete(listening.call.session);
    clearTimeout(listening.grace);
    // The talker's track ends with the connection: the tap stays connected and reads the silence that follows.
    listening.pc.close();
    listening.audio.srcObject = null;
    this.#showLatest();
  }
}

function warn(error: unknown): void {
  console.warn(`talkback: ${(error as Error).message}`);
}
