// How an event's cameras send media: through a LiveKit room (when the deployment has LiveKit), or
// straight to the pages that show them over browser WebRTC (direct-media.ts).
import { Type, type Static } from '@sinclair/typebox';

export const MediaTransportSchema = Type.Union([Type.Literal('livekit'), Type.Literal('direct')]);
export type MediaTransport = Static<typeof MediaTransportSchema>;

/**
 * The program shows a camera without a picture (not connected yet, or lost) as a slate in this colour
 * with the camera's name, never as its last frame: a frozen picture on air looks live, so nobody (the
 * director least) would notice the camera has gone. Short stalls still hold the last frame (the video
 * element keeps it); the slate comes when the camera is known to be gone.
 */
export const CAMERA_SLATE_COLOUR = '#3a2a4a';
