// One way to check untrusted input against a protocol schema, with an error that names the field.
import { TypeGuard, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

export interface ValidationError {
  /** JSON pointer of the offending field, e.g. `/transition/durationMs`; `/` for the whole value. */
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<S extends TSchema>(schema: S): TypeCheck<S> {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<S>;
}

/** The variant of a `type`-tagged union that the input names, so errors point inside it. */
function taggedVariant(schema: TSchema, input: unknown): TSchema | 'unknown-tag' | null {
  if (!TypeGuard.IsUnion(schema) || typeof input !== 'object' || input === null || !('type' in input)) return null;
  const tags = schema.anyOf.map((variant) => (TypeGuard.IsObject(variant) ? variant.properties['type'] : undefined));
  if (!tags.every((tag) => tag !== undefined && TypeGuard.IsLiteral(tag))) return null;
  const index = tags.findIndex((tag) => tag?.const === input.type);
  return index < 0 ? 'unknown-tag' : (schema.anyOf[index] ?? null);
}

export function parse<S extends TSchema>(schema: S, input: unknown): Parsed<Static<S>> {
  const check = checker(schema);
  if (check.Check(input)) return { ok: true, value: input };
  const variant = taggedVariant(schema, input);
  if (variant === 'unknown-tag') {
    const known = TypeGuard.IsUnion(schema)
      ? schema.anyOf.map((v) =>
          TypeGuard.IsObject(v) && TypeGuard.IsLiteral(v.properties['type']) ? String(v.properties['type'].const) : '?',
        )
      : [];
    return { ok: false, error: { field: '/type', message: `must be one of: ${known.join(', ')}` } };
  }
  if (variant !== null) return parse(variant, input);
  // A union reports its own failure first; the deepest path names the field a person must fix.
  let best: ValidationError = { field: '/', message: 'does not match the schema' };
  for (const error of check.Errors(input)) {
    // A union nested in the value (a destination in a list): the variant its `kind` names says what is wrong.
    const variant = kindVariant(error.schema, error.value);
    const found =
      variant === null
        ? { field: error.path === '' ? '/' : error.path, message: error.message }
        : variant instanceof UnknownKind
          ? { field: `${error.path}/kind`, message: `must be one of: ${variant.known.join(', ')}` }
          : nestedError(error.path, parse(variant, error.value));
    if (found !== null && (found.field.length >= best.field.length || best.field === '/')) best = found;
  }
  return { ok: false, error: best };
}

function nestedError(path: string, parsed: Parsed<unknown>): ValidationError | null {
  if (parsed.ok) return null;
  return {
    field: parsed.error.field === '/' ? path || '/' : `${path}${parsed.error.field}`,
    message: parsed.error.message,
  };
}

/** A `kind` no variant of the union has, and the ones it has. */
class UnknownKind {
  constructor(readonly known: unknown[]) {}
}

/**
 * The variant of a `kind`-tagged union (each variant's `kind` a literal or a union of literals) the value
 * names, or the kinds there are when it names none.
 */
function kindVariant(schema: TSchema, input: unknown): TSchema | UnknownKind | null {
  if (!TypeGuard.IsUnion(schema) || typeof input !== 'object' || input === null || !('kind' in input)) return null;
  const literals = (tag: TSchema | undefined): unknown[] | null => {
    if (tag !== undefined && TypeGuard.IsLiteral(tag)) return [tag.const];
    if (tag !== undefined && TypeGuard.IsUnion(tag) && tag.anyOf.every((t) => TypeGuard.IsLiteral(t)))
      return tag.anyOf.map((t) => (t as { const: unknown }).const);
    return null;
  };
  const known: unknown[] = [];
  for (const variant of schema.anyOf) {
    if (!TypeGuard.IsObject(variant)) return null;
    const kinds = literals(variant.properties['kind']);
    if (kinds === null) return null;
    if (kinds.includes(input.kind)) return variant;
    known.push(...kinds);
  }
  return new UnknownKind(known);
}

/** Like parse, but throws a TypeError whose message names the field. */
export function assertValid<S extends TSchema>(schema: S, input: unknown, what: string): Static<S> {
  const result = parse(schema, input);
  if (!result.ok) throw new TypeError(`${what}: ${result.error.field} ${result.error.message}`);
  return result.value;
}
