// Camera routes' params.
import { Type } from '@sinclair/typebox';
import { CameraIdSchema, EventIdSchema } from '../../protocol/index.ts';

export const CameraParamsSchema = Type.Object(
  { eventId: EventIdSchema, cameraId: CameraIdSchema },
  { additionalProperties: false },
);
