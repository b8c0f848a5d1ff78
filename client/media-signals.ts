// The two signals both ends of a direct camera connection send (the camera page and a receiving page):
// their local ICE candidates as they are gathered, and their offer or answer.
import type { ClientMessage, MediaSignalMessage } from '../protocol/index.ts';

/** Sends every local ICE candidate of `pc` to `to` for `session`, then null once gathering is complete. */
export function trickleCandidates(
  pc: RTCPeerConnection,
  to: string,
  session: string,
  send: (frame: ClientMessage) => boolean,
): void {
  pc.addEventListener('icecandidate', (event) => {
    const candidate = event.candidate;
    send({
      type: 'media.signal',
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
