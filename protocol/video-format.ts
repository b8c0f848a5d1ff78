// The program's picture format, one definition for every process that touches it: the controller's
// API refuses what the template cannot render, the template parses its URL against the same values, and
// the recorder and Egress encode exactly that. (The API once accepted 25/50 fps and any size, which the
// template refused: every such start launched a browser that could never record.)
import { Type, type Static } from '@sinclair/typebox';
import { parse, type Parsed } from './validate.ts';

/** 16:9 sizes the template lays its scene out for. */
export const OUTPUT_SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;
export const OUTPUT_FRAME_RATES = [30, 60] as const;
export const DEFAULT_OUTPUT_FPS = 30;

const describeFormats = `${OUTPUT_SIZES.map((s) => `${s.width}×${s.height}`).join(' or ')} at ${OUTPUT_FRAME_RATES.join(' or ')} fps`;

/** Output picture; the template renders at this size and rate and the encoders keep it. */
export const VideoFormatSchema = Type.Object(
  {
    width: Type.Union(OUTPUT_SIZES.map((s) => Type.Literal(s.width))),
    height: Type.Union(OUTPUT_SIZES.map((s) => Type.Literal(s.height))),
    fps: Type.Union(OUTPUT_FRAME_RATES.map((r) => Type.Literal(r))),
  },
  { additionalProperties: false, description: describeFormats },
);
export type VideoFormat = Static<typeof VideoFormatSchema>;

/** The schema, plus what a JSON schema cannot say: width and height must be one of the sizes together. */
export function parseVideoFormat(input: unknown): Parsed<VideoFormat> {
  const parsed = parse(VideoFormatSchema, input);
  if (!parsed.ok)
    return { ok: false, error: { ...parsed.error, message: `${parsed.error.message}: ${describeFormats}` } };
  const { width, height } = parsed.value;
  if (!OUTPUT_SIZES.some((s) => s.width === width && s.height === height))
    return {
      ok: false,
      error: { field: '/height', message: `${width}×${height} is not an output size: ${describeFormats}` },
    };
  return parsed;
}
