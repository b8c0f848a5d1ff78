// The director's remote lens controls on the wire. The director (or admin) POSTs a CameraControl to
// `/api/events/:id/cameras/:camera/controls`; the controller checks it against the camera's last device
// report, relays it to that camera's page only (`camera.control`, addressed like direct-media frames), and
// answers once the page reports back (`camera.device` with `applied`) what the device accepted.
import { Type, type Static } from '@sinclair/typebox';
import { CameraIdSchema } from './api.ts';
import { CameraControlSchema, CameraDeviceSchema, ControlIdSchema } from './camera-device.ts';
import { EventIdSchema } from './wire.ts';

/** Controller → one camera page. */
export const CameraControlMessageSchema = Type.Object(
  {
    type: Type.Literal('camera.control'),
    eventId: EventIdSchema,
    to: CameraIdSchema,
    id: ControlIdSchema,
    control: CameraControlSchema,
  },
  { additionalProperties: false },
);
export type CameraControlMessage = Static<typeof CameraControlMessageSchema>;

/** Camera page → controller: its device's capabilities and settings (camera-device.ts). */
export const CameraDeviceMessageSchema = Type.Object(
  { type: Type.Literal('camera.device'), device: CameraDeviceSchema },
  { additionalProperties: false },
);
export type CameraDeviceMessage = Static<typeof CameraDeviceMessageSchema>;

/**
 * The route's answer. `applied`: the page applied it and `device` is what the device now runs at (a size
 * or rate it could not give exactly shows as the nearest it took). `sent`: the page has not answered within
 * CONTROL_ANSWER_TIMEOUT_MS; its next report still arrives in the camera list.
 */
export const CameraControlAnswerSchema = Type.Object({
  id: ControlIdSchema,
  status: Type.Union([Type.Literal('applied'), Type.Literal('sent')]),
  device: Type.Optional(CameraDeviceSchema),
});
export type CameraControlAnswer = Static<typeof CameraControlAnswerSchema>;

/** How long the route waits for the camera page to say what its device accepted. */
export const CONTROL_ANSWER_TIMEOUT_MS = 5000;
/** Device reports one camera socket may send per window: a few per control or device switch. */
export const DEVICE_REPORT_LIMIT = 30;
export const DEVICE_REPORT_WINDOW_MS = 10_000;
