// The two signals both ends of a direct connection send (a camera page and a receiving page, or a talker
// and a crew page for talkback): their local ICE candidates as they are gathered, and their offer or answer.
import type { ClientMessage, MediaSignalMessage, TalkbackSignalMessage } from '../protocol/index.ts';

/** Camera media or talkback: the same fields under two frame types, relayed under different rules. */
export type SignalType = 'media.signal' | 'talkback.signal';

/** Sends every local ICE candidate of `pc` to `to` for `session`, then null once gathering is complete. */
export function trickleCandidates(
  pc: RTCPeerConnection,
  to: string,
  session: string,
  send: (frame: ClientMessage) => boolean,
  type: SignalType = 'media.signal',
): void {
  pc.addEventListener('icecandidate', (event) => {
    const candidate = event.candidate;
    send({
      type,
      to,
      session,
      candidate:
        candidate === null
          ? null
          : {
              candidate: candidate.candidate,
              sdpMid: candidate.sdpMid,
              sdpMLineIndex: candidate.sdpMLineIndex,
              usernameFragment: candidate.usernameFragment,
            },
    });
  });
}

/** The signal carrying this end's offer or answer. */
export function descriptionSignal(
  to: string,
  session: string,
  type: 'offer' | 'answer',
  description: RTCSessionDescriptionInit,
): MediaSignalMessage {
  return { type: 'media.signal', to, session, description: { type, sdp: description.sdp ?? '' } };
}

/** The talkback signal carrying this end's offer (a crew page) or answer (the talker). */
export function talkbackSignal(
  to: string,
  session: string,
  type: 'offer' | 'answer',
  description: RTCSessionDescriptionInit,
): TalkbackSignalMessage {
  return { ...descriptionSignal(to, session, type, description), type: 'talkback.signal' };
}
