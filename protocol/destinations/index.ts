// The destination kinds: each one file that says how the kind is validated, shown and started; this
// registry is the only place that lists them. A kind not registered here is refused everywhere.
import { Type, type Static } from '@sinclair/typebox';
import type { DestinationInput } from '../api.ts';
import { parse } from '../validate.ts';
import { DestinationInputError, type DestinationKind } from './destination-kind.ts';
import { HlsDestinationSchema, hlsKind } from './hls.ts';
import { RtmpDestinationSchema, rtmpKind } from './rtmp.ts';
import { SrtDestinationSchema, srtKind } from './srt.ts';

export * from './destination-kind.ts';
export * from './hls.ts';
export * from './rtmp.ts';
export * from './srt.ts';

/** Every stored destination, secrets included (the worker reads them from the plan). */
export const DestinationSchema = Type.Union([RtmpDestinationSchema, HlsDestinationSchema, SrtDestinationSchema]);
export type Destination = Static<typeof DestinationSchema>;

/** Kind name → the module that handles it (`satisfies` keeps it and DestinationSchema in step). */
export const DESTINATION_KIND_MODULES = {
  youtube: rtmpKind,
  twitch: rtmpKind,
  rtmp: rtmpKind,
  hls: hlsKind,
  srt: srtKind,
} as const satisfies Record<Destination['kind'], DestinationKind<Destination>>;

export type DestinationKindName = Destination['kind'];
export const DESTINATION_KINDS = Object.keys(DESTINATION_KIND_MODULES) as DestinationKindName[];

export class UnknownDestinationKind extends Error {
  override readonly name = 'UnknownDestinationKind';
}

/** The module of a destination's kind; an unknown kind throws instead of passing for the common case. */
export function destinationKind(kind: string): DestinationKind<Destination> {
  if (!Object.hasOwn(DESTINATION_KIND_MODULES, kind))
    throw new UnknownDestinationKind(`unknown destination kind "${kind}" (known: ${DESTINATION_KINDS.join(', ')})`);
  return DESTINATION_KIND_MODULES[kind as DestinationKindName];
}

/**
 * A client's destination as its kind stores it, checked against the kind's schema; throws
 * DestinationInputError naming the field inside the destination.
 */
export function destinationFromInput(
  input: DestinationInput,
  id: string,
  previous: Destination | undefined,
): Destination {
  let kind: DestinationKind<Destination>;
  try {
    kind = destinationKind(input.kind);
  } catch (error) {
    if (error instanceof UnknownDestinationKind) throw new DestinationInputError(error.message, '/kind');
    throw error;
  }
  const stored = parse(kind.schema, { id, ...kind.fromInput(input, previous) });
  if (!stored.ok) throw new DestinationInputError(stored.error.message, stored.error.field);
  return stored.value as Destination;
}

/** Every secret of these destinations, for masking log lines and errors. */
export function destinationSecrets(destinations: readonly Destination[]): string[] {
  return destinations.flatMap((d) => destinationKind(d.kind).secrets(d));
}
