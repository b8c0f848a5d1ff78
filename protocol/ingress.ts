// Hardware and app cameras (GoPro, DJI, OBS, Larix) that push RTMP or WHIP into the event's LiveKit room
// through LiveKit Ingress. The public part (input, state) travels with the camera in every `cameras` frame;
// the publishing URL and stream key are operator-only (IngressCameraAccessSchema, never in a frame or a log).
import { oneLineText } from './user-text.ts';
import { Type, type Static } from '@sinclair/typebox';

export const IngressInputSchema = Type.Union([Type.Literal('whip'), Type.Literal('rtmp')], {
  description: 'whip: OBS 30+, Larix, browsers (WebRTC, no transcoding by default); rtmp: GoPro, DJI, older encoders.',
});
export type IngressInput = Static<typeof IngressInputSchema>;

/**
 * What the encoder is doing, from LiveKit's ingress webhooks: `waiting` until it first connects,
 * `buffering` while it connects, `publishing` while its media is in the room, `ended` when it stopped,
 * `error` when LiveKit refused or lost it.
 */
export const IngressStateSchema = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('buffering'),
  Type.Literal('publishing'),
  Type.Literal('ended'),
  Type.Literal('error'),
]);
export type IngressState = Static<typeof IngressStateSchema>;

export const CameraIngressSchema = Type.Object(
  {
    ingressId: Type.String(),
    input: IngressInputSchema,
    /** LiveKit re-encodes the stream (always for RTMP; for WHIP only when asked). */
    transcode: Type.Boolean(),
    state: IngressStateSchema,
    /** Why the last stream ended in error, as LiveKit said it (never carries the stream key). */
    error: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type CameraIngress = Static<typeof CameraIngressSchema>;

export const IngressCameraCreateSchema = Type.Object(
  {
    label: oneLineText(64),
    input: Type.Optional(IngressInputSchema),
    /**
     * WHIP only: re-encode in LiveKit (costs Ingress CPU; for an encoder whose stream browsers cannot
     * decode directly). RTMP is always transcoded, so `false` with RTMP is refused.
     */
    transcode: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type IngressCameraCreate = Static<typeof IngressCameraCreateSchema>;

/** Where and how the encoder publishes. Operators only (director, admin). */
export const IngressCameraAccessSchema = Type.Object(
  {
    input: IngressInputSchema,
    /** The server URL as camera apps ask for it (OBS "Server", GoPro/DJI "RTMP URL" without the key). */
    url: Type.String(),
    /** The stream key (OBS "Stream key" / WHIP "Bearer token"). A secret: whoever has it can publish. */
    streamKey: Type.String(),
    /** url + "/" + streamKey: for apps that take one URL (Larix, GoPro Quik, DJI Fly); what the QR code holds. */
    publishUrl: Type.String(),
    /** Paths of the QR code images (same roles, same key). */
    qr: Type.Object({ png: Type.String(), svg: Type.String() }),
  },
  { additionalProperties: false },
);
export type IngressCameraAccess = Static<typeof IngressCameraAccessSchema>;
