// Camera and commentary seat routes' params.
import { Type } from '@sinclair/typebox';
import { CameraIdSchema, EventIdSchema, SeatIdSchema } from '../../protocol/index.ts';

export const CameraParamsSchema = Type.Object(
  { eventId: EventIdSchema, cameraId: CameraIdSchema },
  { additionalProperties: false },
);

export const SeatParamsSchema = Type.Object(
  { eventId: EventIdSchema, seatId: SeatIdSchema },
  { additionalProperties: false },
);
