// The program template's page API (window.pitchside): read by the built-in recorder, the tests and the
// benchmark from outside the page, so its shapes live here once.
import { Type, type Static } from '@sinclair/typebox';

export const RendererNameSchema = Type.Union([Type.Literal('canvas'), Type.Literal('webgl'), Type.Literal('webgpu')]);
export type RendererName = Static<typeof RendererNameSchema>;

/** Frame statistics over the last FRAME_STATS_WINDOW rendered frames (counters since the last reset). */
export const FrameStatsSchema = Type.Object(
  {
    /** Output frames rendered since start (or the last resetStats()). */
    frames: Type.Integer({ minimum: 0 }),
    /** Output frame slots that passed without a render (the page was late). */
    dropped: Type.Integer({ minimum: 0 }),
    p50: Type.Number({ description: 'Median interval between rendered frames, ms.' }),
    p95: Type.Number(),
    p99: Type.Number(),
    /** Mean time spent inside one render (scene update + draw), ms. */
    renderMs: Type.Number(),
    renderer: RendererNameSchema,
    /** The output rate the ticker aims at. */
    fps: Type.Number(),
    /** The rate actually reached over the window. */
    measuredFps: Type.Number(),
    width: Type.Integer(),
    height: Type.Integer(),
  },
  { additionalProperties: false },
);
export type FrameStats = Static<typeof FrameStatsSchema>;

/** What the last rendered frame showed, so a check can compare it with the state at the same instant. */
export const FrameInfoSchema = Type.Object(
  {
    index: Type.Integer({ minimum: -1 }),
    /** Date.now() at the render. */
    wallTime: Type.Number(),
    /** The server time the frame was drawn for (wallTime + the estimated server offset). */
    serverNow: Type.Number(),
    revision: Type.Integer({ minimum: -1 }),
    clockMs: Type.Number(),
    clockText: Type.String(),
    /** The layout on screen: the Egress layout when one applies, else the state's. */
    layout: Type.String(),
  },
  { additionalProperties: false },
);
export type FrameInfo = Static<typeof FrameInfoSchema>;

/** Query parameters of the template page, as the controller and the recorder build its URL. */
export const TEMPLATE_QUERY = {
  event: 'event',
  key: 'key',
  width: 'width',
  height: 'height',
  fps: 'fps',
  renderer: 'renderer',
  /** The program renderer's pass (ProgramPassSchema), set by the controller on the outputs' template URL. */
  programPass: 'pass',
  testSources: 'testsources',
  testMedia: 'testmedia',
  room: 'room',
  /** `program` (default) or `preview`: see TemplateView. */
  view: 'view',
  /** `bypass`: the program sound without the mixer, limiter and meters (the audio benchmark's baseline). */
  audio: 'audio',
  /**
   * A source id: the page's sound leaves that source out (and only its sound: it still ducks the others as in
   * program). A commentator's program return, the mix minus their own voice.
   */
  minus: 'minus',
} as const;

/**
 * What the page renders. `program` is the output. `preview` is the director's preview monitor: the preview
 * source full frame as the next take would put it on program (no transition, graphics as on program),
 * silent, and never an Egress page (no START_RECORDING, no room).
 */
export const TemplateViewSchema = Type.Union([Type.Literal('program'), Type.Literal('preview')]);
export type TemplateView = Static<typeof TemplateViewSchema>;
