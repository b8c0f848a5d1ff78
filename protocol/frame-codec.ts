// One way to read a `type`-tagged WebSocket frame: JSON once, the variant looked up by its `type` (no
// trying every schema on every frame), checked against that variant only, and handed to a typed handler.
import { TypeGuard, type Static, type TObject } from '@sinclair/typebox';
import { parse, type ValidationError } from './validate.ts';

/** A frame schema: an object whose `type` property is a string literal (checked when the codec is made). */
export type FrameSchema = TObject;

/** The member of a union whose `type` is K. */
export type FrameOf<M extends { type: string }, K extends M['type']> = Extract<M, { type: K }>;

/** One optional handler per frame type, each typed for its own frame. */
export type FrameHandlers<M extends { type: string }> = {
  [K in M['type']]?: (frame: FrameOf<M, K>) => void;
};

export type Decoded<M> =
  | { ok: true; frame: M }
  /** A well-formed frame of a type this side does not know: newer peers may send it; ignore it. */
  | { ok: false; reason: 'unknown-type'; type: string; error: ValidationError }
  | { ok: false; reason: 'not-json' | 'invalid'; error: ValidationError };

export interface FrameCodec<M extends { type: string }> {
  /** Every `type` this codec knows. */
  readonly types: ReadonlySet<string>;
  /** Text from the socket (or a pub/sub message) to a checked frame. */
  decode(text: string): Decoded<M>;
  /** An already-parsed value (e.g. an HTTP answer that carries frames) to a checked frame. */
  check(value: unknown): Decoded<M>;
}

function tagOf(schema: FrameSchema): string {
  const tag = schema.properties['type'];
  if (tag === undefined || !TypeGuard.IsLiteralString(tag))
    throw new TypeError('a frame schema needs a literal `type`');
  return tag.const;
}

export function frameCodec<const S extends readonly FrameSchema[]>(
  schemas: S,
): FrameCodec<Static<S[number]> & { type: string }> {
  type M = Static<S[number]> & { type: string };
  const byType = new Map<string, FrameSchema>();
  for (const schema of schemas) {
    const tag = tagOf(schema);
    if (byType.has(tag)) throw new TypeError(`frame type "${tag}" is defined twice`);
    byType.set(tag, schema);
  }
  const check = (value: unknown): Decoded<M> => {
    if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string') {
      return { ok: false, reason: 'invalid', error: { field: '/type', message: 'a frame needs a string `type`' } };
    }
    const schema = byType.get(value.type);
    if (schema === undefined) {
      const message = `unknown frame type; known: ${[...byType.keys()].join(', ')}`;
      return { ok: false, reason: 'unknown-type', type: value.type, error: { field: '/type', message } };
    }
    const parsed = parse(schema, value);
    return parsed.ok ? { ok: true, frame: parsed.value as M } : { ok: false, reason: 'invalid', error: parsed.error };
  };
  return {
    types: new Set(byType.keys()),
    check,
    decode(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { ok: false, reason: 'not-json', error: { field: '/', message: 'the frame is not JSON' } };
      }
      return check(value);
    },
  };
}

/** Calls the handler registered for the frame's type; false when there is none. */
export function dispatchFrame<M extends { type: string }>(handlers: FrameHandlers<NoInfer<M>>, frame: M): boolean {
  const handler = handlers[frame.type as M['type']] as ((frame: M) => void) | undefined;
  if (handler === undefined) return false;
  handler(frame);
  return true;
}
