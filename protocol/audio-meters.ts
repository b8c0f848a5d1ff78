// The meter relay's two frames on the event WebSocket: the output renderer's report (client → controller)
// and the reading the controller relays to the operators (server → director, admin, graphics). A separate
// file from audio.ts because the frames need EventIdSchema (wire.ts), and wire.ts → commands.ts → audio.ts.
import { Type, type Static } from '@sinclair/typebox';
import { AudioMetersSchema } from './audio.ts';
import { EventIdSchema } from './wire.ts';

/**
 * Which page measured the reading: the built-in recorder's page (any program page opened with the template
 * key outside Egress), Egress's page, or a monitor. Only the first two feed the outputs; a monitor's report
 * is dropped, since its mix is not what goes out.
 */
export const AudioRendererSchema = Type.Union([
  Type.Literal('recorder'),
  Type.Literal('egress'),
  Type.Literal('monitor'),
]);
export type AudioRenderer = Static<typeof AudioRendererSchema>;

/** The renderers whose readings are relayed, most trusted first (the recorder writes the recording). */
export const OUTPUT_AUDIO_RENDERERS = ['recorder', 'egress'] as const satisfies readonly AudioRenderer[];
export type OutputAudioRenderer = (typeof OUTPUT_AUDIO_RENDERERS)[number];

/**
 * A reading older than this is no longer the program's sound: a less trusted renderer's reading is taken
 * instead, and obs-websocket's meters fall to zero. Ten report intervals, so a late frame or two is not a gap.
 */
export const AUDIO_METER_STALE_MS = 1000;

/** The output page's meter report, every AUDIO_METER_INTERVAL_MS, from a template-role socket only. */
export const AudioMetersReportSchema = Type.Object(
  {
    type: Type.Literal('audio.meters'),
    eventId: EventIdSchema,
    renderer: AudioRendererSchema,
    meters: AudioMetersSchema,
  },
  { additionalProperties: false },
);
export type AudioMetersReport = Static<typeof AudioMetersReportSchema>;

/** The program's latest meter reading, as the operators' panels receive it. */
export const AudioMetersMessageSchema = Type.Object(
  {
    type: Type.Literal('audio.meters'),
    eventId: EventIdSchema,
    renderer: Type.Union(OUTPUT_AUDIO_RENDERERS.map((r) => Type.Literal(r))),
    meters: AudioMetersSchema,
  },
  { additionalProperties: false },
);
export type AudioMetersMessage = Static<typeof AudioMetersMessageSchema>;
