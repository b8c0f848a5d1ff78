// obs-websocket v5 (rpcVersion 1) as Pitchside speaks it to control surfaces: Bitfocus Companion (and the
// Stream Deck through it), tally lights and phone tally apps. Numbers and names are the spec's
// (obsproject/obs-websocket docs/generated/protocol.md); only what Pitchside answers is listed.
import { Type, type Static } from '@sinclair/typebox';

export const OBS_RPC_VERSION = 1;
/** What Hello and GetVersion report: clients gate features on these, so claim a current OBS. */
export const OBS_STUDIO_VERSION = '30.2.0';
export const OBS_WEBSOCKET_VERSION = '5.5.0';
/** Both subprotocols: Companion runs obs-websocket-js's MessagePack build and fails on a JSON-only server. */
export const OBS_SUBPROTOCOL_JSON = 'obswebsocket.json';
export const OBS_SUBPROTOCOL_MSGPACK = 'obswebsocket.msgpack';

export const ObsOpCode = {
  Hello: 0,
  Identify: 1,
  Identified: 2,
  Reidentify: 3,
  Event: 5,
  Request: 6,
  RequestResponse: 7,
  RequestBatch: 8,
  RequestBatchResponse: 9,
} as const;

export const ObsCloseCode = {
  UnknownReason: 4000,
  MessageDecodeError: 4002,
  MissingDataField: 4003,
  InvalidDataFieldType: 4004,
  UnknownOpCode: 4006,
  NotIdentified: 4007,
  AlreadyIdentified: 4008,
  AuthenticationFailed: 4009,
  UnsupportedRpcVersion: 4010,
  SessionInvalidated: 4011,
} as const;

export const ObsRequestStatus = {
  Success: 100,
  MissingRequestType: 203,
  UnknownRequestType: 204,
  GenericError: 205,
  UnsupportedRequestBatchExecutionType: 206,
  MissingRequestField: 300,
  InvalidRequestField: 400,
  InvalidRequestFieldType: 401,
  RequestFieldOutOfRange: 402,
  TooManyRequestFields: 404,
  OutputRunning: 500,
  OutputNotRunning: 501,
  StudioModeNotActive: 506,
  ResourceNotFound: 600,
  InvalidResourceState: 604,
  RequestProcessingFailed: 702,
  CannotAct: 703,
} as const;
export type ObsRequestStatusCode = (typeof ObsRequestStatus)[keyof typeof ObsRequestStatus];

/** Event subscription bits (Identify.eventSubscriptions); the high-volume ones are opt-in. */
export const ObsEventSubscription = {
  General: 1 << 0,
  Scenes: 1 << 2,
  Inputs: 1 << 3,
  Transitions: 1 << 4,
  Outputs: 1 << 6,
  Ui: 1 << 10,
  /** The spec's `All`: every non-high-volume category. */
  All: (1 << 11) - 1,
  /** Every input's levels every OBS_VOLUME_METER_INTERVAL_MS (audio.ts). */
  InputVolumeMeters: 1 << 16,
  InputActiveStateChanged: 1 << 17,
  InputShowStateChanged: 1 << 18,
} as const;

export const ObsBatchExecution = { SerialRealtime: 0, SerialFrame: 1, Parallel: 2 } as const;

/** Output states as StreamStateChanged / RecordStateChanged carry them. */
export type ObsOutputState =
  | 'OBS_WEBSOCKET_OUTPUT_STARTING'
  | 'OBS_WEBSOCKET_OUTPUT_STARTED'
  | 'OBS_WEBSOCKET_OUTPUT_STOPPING'
  | 'OBS_WEBSOCKET_OUTPUT_STOPPED';

// obs-websocket-js's MessagePack build encodes a missing requestData as nil, so null means "none".
const RequestDataSchema = Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]));

export const ObsIdentifySchema = Type.Object({
  rpcVersion: Type.Integer(),
  authentication: Type.Optional(Type.String({ maxLength: 256 })),
  eventSubscriptions: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ObsIdentify = Static<typeof ObsIdentifySchema>;

export const ObsReidentifySchema = Type.Object({ eventSubscriptions: Type.Optional(Type.Integer({ minimum: 0 })) });

export const ObsRequestSchema = Type.Object({
  requestType: Type.String({ minLength: 1, maxLength: 128 }),
  requestId: Type.String({ maxLength: 256 }),
  requestData: RequestDataSchema,
});
export type ObsRequest = Static<typeof ObsRequestSchema>;

/** A batch is bounded: one frame must not tie a session up for long or fill memory. */
export const OBS_MAX_BATCH_REQUESTS = 64;

export const ObsRequestBatchSchema = Type.Object({
  requestId: Type.String({ maxLength: 256 }),
  haltOnFailure: Type.Optional(Type.Boolean()),
  executionType: Type.Optional(Type.Integer()),
  requests: Type.Array(
    Type.Object({
      requestType: Type.String({ minLength: 1, maxLength: 128 }),
      requestId: Type.Optional(Type.String({ maxLength: 256 })),
      requestData: RequestDataSchema,
    }),
    { maxItems: OBS_MAX_BATCH_REQUESTS },
  ),
});
export type ObsRequestBatch = Static<typeof ObsRequestBatchSchema>;

/** Every frame on the wire: `op` plus its data object `d`. */
export const ObsFrameSchema = Type.Object({ op: Type.Integer(), d: Type.Record(Type.String(), Type.Unknown()) });
export type ObsFrame = Static<typeof ObsFrameSchema>;

export interface ObsRequestResult {
  requestStatus: { result: boolean; code: ObsRequestStatusCode; comment?: string };
  responseData?: Record<string, unknown>;
}

/**
 * Transitions as control surfaces see them. OBS's own names, so Companion's "Fade"/"Cut" buttons work
 * unchanged; each maps to one Pitchside transition type.
 */
export const OBS_TRANSITIONS = [
  { transitionName: 'Cut', type: 'cut', transitionFixed: true },
  { transitionName: 'Fade', type: 'mix', transitionFixed: false },
  { transitionName: 'Wipe', type: 'wipe', transitionFixed: false },
  { transitionName: 'Fade to Color', type: 'dip', transitionFixed: false },
] as const;
export type ObsTransitionName = (typeof OBS_TRANSITIONS)[number]['transitionName'];
