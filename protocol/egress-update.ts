// An egress status change, as the controller forwards LiveKit's verified webhooks to the worker over
// Redis pub/sub. Two processes read and write it, so its shape lives here; the worker checks every
// message against it (a foreign or malformed publish on the channel must not take a worker down).
import { Type, type Static } from '@sinclair/typebox';

export const EgressUpdateSchema = Type.Object({
  egressId: Type.String({ minLength: 1 }),
  roomName: Type.String(),
  /** EgressStatus name, e.g. EGRESS_ACTIVE. */
  status: Type.String({ pattern: '^EGRESS_' }),
  error: Type.String(),
  startedAtMs: Type.Union([Type.Number(), Type.Null()]),
  /** Per-URL stream results; status is a StreamInfo_Status name (ACTIVE, FAILED, FINISHED…). */
  streams: Type.Array(Type.Object({ url: Type.String(), status: Type.String(), error: Type.String() })),
  files: Type.Array(Type.String()),
});
export type EgressUpdate = Static<typeof EgressUpdateSchema>;
