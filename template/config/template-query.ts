// The page's query string is its only input besides state: parse it once, with field-named errors.
import { Type, type Static } from '@sinclair/typebox';
import {
  DEFAULT_OUTPUT_FPS,
  EventIdSchema,
  OUTPUT_FRAME_RATES,
  OUTPUT_SIZES,
  parse,
  ProgramPassSchema,
  SourceIdSchema,
  TemplateViewSchema,
  type SourceId,
  type RendererName,
  type TemplateView,
  type VideoFormat,
} from '../../protocol/index.ts';

const [SIZE_720, SIZE_1080] = OUTPUT_SIZES;

/** A query value that must be one of these numbers, written as digits. */
const OneOf = (values: readonly number[]) => Type.Optional(Type.String({ pattern: `^(${values.join('|')})$` }));

/** The raw query as strings: what Egress and the controller put on the URL. */
export const TemplateQuerySchema = Type.Object({
  event: Type.Optional(EventIdSchema),
  key: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  width: OneOf(OUTPUT_SIZES.map((s) => s.width)),
  height: OneOf(OUTPUT_SIZES.map((s) => s.height)),
  fps: OneOf(OUTPUT_FRAME_RATES),
  renderer: Type.Optional(
    Type.Union([Type.Literal('auto'), Type.Literal('canvas'), Type.Literal('webgl'), Type.Literal('webgpu')]),
  ),
  testsources: Type.Optional(Type.Union([Type.Literal('canvas'), Type.Literal('video')])),
  testmedia: Type.Optional(Type.String({ maxLength: 2048 })),
  room: Type.Optional(Type.Literal('stand-in')),
  view: Type.Optional(TemplateViewSchema),
  url: Type.Optional(Type.String({ pattern: '^wss?://', maxLength: 2048 })),
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
  layout: Type.Optional(Type.String({ maxLength: 64 })),
  audio: Type.Optional(Type.Literal('bypass')),
  minus: Type.Optional(SourceIdSchema),
  pass: Type.Optional(ProgramPassSchema),
});

export interface EgressParams {
  url: string;
  token: string;
  /** Egress's layout name as given (mapped to a protocol layout by egress-layout.ts). */
  layout: string;
}

export interface TemplateConfig {
  event: string;
  key: string;
  width: number;
  height: number;
  fps: VideoFormat['fps'];
  renderer: RendererName | 'auto';
  testSources: 'canvas' | 'video';
  /** Base URL of camera-N.mp4 clips for `testsources=video`. */
  testMedia: string;
  /** Present when Egress loaded the page (it sets url + token). */
  egress: EgressParams | null;
  /** Tests only: drive Egress mode with the in-page LiveKit room stand-in instead of livekit-client. */
  standInRoom: boolean;
  view: TemplateView;
  /** `bypass` (benchmark baseline): audio follows video and nothing else, no mixer, limiter or meters. */
  mixer: 'full' | 'bypass';
  /** A source left out of this page's sound (a commentator's return: the program minus their voice). */
  minus: SourceId | null;
  /** The program renderer's pass (TEMPLATE_QUERY.programPass): the controller gives it the cameras' program slots. */
  programPass: string | null;
}

export type TemplateQueryResult = { ok: true; config: TemplateConfig } | { ok: false; field: string; message: string };

export interface QueryContext {
  /** The window's size, used for the output size in Egress mode (its Xvfb window is the output size). */
  windowWidth: number;
  windowHeight: number;
}

/** Keys that may appear more than once are taken at their last value, as Egress *sets* its parameters. */
export function parseTemplateQuery(search: string, context: QueryContext): TemplateQueryResult {
  const raw = Object.fromEntries(new URLSearchParams(search));
  const known = Object.keys(TemplateQuerySchema.properties);
  const query = Object.fromEntries(Object.entries(raw).filter(([k]) => known.includes(k)));
  const parsed = parse(TemplateQuerySchema, query);
  if (!parsed.ok) return { ok: false, field: parsed.error.field.replace(/^\//, ''), message: parsed.error.message };
  const q: Static<typeof TemplateQuerySchema> = parsed.value;
  if (q.event === undefined) return { ok: false, field: 'event', message: 'is required (the event id)' };
  if (q.key === undefined) return { ok: false, field: 'key', message: 'is required (a template-scoped API key)' };
  if ((q.url === undefined) !== (q.token === undefined)) {
    return { ok: false, field: q.url === undefined ? 'url' : 'token', message: 'Egress passes url and token together' };
  }
  const egress =
    q.url !== undefined && q.token !== undefined ? { url: q.url, token: q.token, layout: q.layout ?? '' } : null;
  // A preview page must never be what Egress records: refusing is louder than silently dropping url/token.
  if (q.view === 'preview' && egress !== null)
    return { ok: false, field: 'view', message: 'preview is a monitor view, not an Egress page (drop url/token)' };
  const size = outputSize(q.width, q.height, egress !== null, context);
  if (!size.ok) return size;
  return {
    ok: true,
    config: {
      event: q.event,
      key: q.key,
      width: size.width,
      height: size.height,
      fps: q.fps === undefined ? DEFAULT_OUTPUT_FPS : (Number(q.fps) as VideoFormat['fps']),
      renderer: q.renderer ?? 'auto',
      testSources: q.testsources ?? 'canvas',
      testMedia: q.testmedia ?? './media/',
      egress,
      standInRoom: q.room === 'stand-in',
      view: q.view ?? 'program',
      mixer: q.audio ?? 'full',
      minus: q.minus ?? null,
      programPass: q.pass ?? null,
    },
  };
}

type SizeResult = { ok: true; width: number; height: number } | { ok: false; field: string; message: string };

function outputSize(
  width: string | undefined,
  height: string | undefined,
  egress: boolean,
  context: QueryContext,
): SizeResult {
  if (width !== undefined || height !== undefined) {
    // Both given: that size; one given: the size it belongs to.
    const size =
      OUTPUT_SIZES.find((s) => String(s.width) === width && String(s.height) === height) ??
      OUTPUT_SIZES.find(
        (s) =>
          (height === undefined && String(s.width) === width) || (width === undefined && String(s.height) === height),
      );
    if (size === undefined)
      return {
        ok: false,
        field: 'height',
        message: `${width}×${height} is not an output size (1280×720 or 1920×1080)`,
      };
    return { ok: true, ...size };
  }
  // Egress's preset reaches the page only as its window size: take the nearest supported output.
  if (egress) return { ok: true, ...(context.windowHeight > 900 ? SIZE_1080 : SIZE_720) };
  return { ok: true, ...SIZE_1080 };
}
