// What a destination kind must say: how it is validated, shown, started by the built-in recorder and by
// Egress, and offered in the console. Each kind is one file beside this one; index.ts registers them.
import { Type, type TSchema } from '@sinclair/typebox';
import type { DestinationInput, DestinationView } from '../api.ts';

export const DestinationIdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
  description: 'Destination id.',
});

export const DestinationLabelSchema = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));

/** A client's destination that its kind refuses; `field` is a JSON pointer inside the destination. */
export class DestinationInputError extends Error {
  override readonly name = 'DestinationInputError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** How the built-in recorder's ffmpeg writes a destination (worker/recorder/ffmpeg-output.ts). */
export type RecorderTarget =
  /** FLV over RTMP(S) to this URL (secrets included). */
  | { kind: 'rtmp'; url: string }
  /** MPEG-TS over SRT, ffmpeg calling this URL (secrets included). */
  | { kind: 'srt'; url: string }
  /** Live HLS segments where the controller serves them, a sliding window of `listSize` segments. */
  | { kind: 'hls'; listSize: number };

/** How LiveKit Egress serves a destination (worker/egress-backend.ts). */
export type EgressTarget =
  /** A URL on the event's one RTMP stream egress, added and removed live with UpdateStream. */
  | { kind: 'rtmp-stream'; url: string }
  /** An egress of its own streaming SRT (Egress takes one stream protocol per egress). */
  | { kind: 'srt-stream'; url: string }
  /** An egress of its own writing HLS segments where the controller serves them. */
  | { kind: 'hls-segments' };

/** A stored destination as every kind has it. */
export interface DestinationBase {
  id: string;
  kind: string;
  label?: string;
}

export interface DestinationKind<D extends DestinationBase> {
  /** The stored shape, secrets included (the worker reads it from the plan). */
  readonly schema: TSchema;
  /**
   * The stored destination for a client's input (its id is the registry's to give). `previous` is the stored destination with the same id,
   * if any; secrets the client left out are kept only where the kind says it is safe. Throws
   * DestinationInputError naming the field.
   */
  fromInput(input: DestinationInput, previous: DestinationBase | undefined): Omit<D, 'id'>;
  /** The destination as answers show it: secrets only as `fingerprint(secret)`. */
  view(destination: D, fingerprint: (secret: string) => string): DestinationView;
  /** Every secret the destination holds: masked in every log line and error that may quote it. */
  secrets(destination: D): string[];
  /** Where it goes, as people may see it: a masked URL or the playlist's path on the controller. */
  target(destination: D, eventId: string): string;
  /** What the output status calls it. */
  readonly reportKind: 'rtmp' | 'srt' | 'hls';
  recorder(destination: D): RecorderTarget;
  egress(destination: D): EgressTarget;
}

/** The `label` of a stored destination, only when the client gave one. */
export function labelOf(input: { label?: string | undefined }): { label?: string } {
  return input.label === undefined ? {} : { label: input.label };
}

/** Refuses the fields of the input this kind does not have. */
export function refuseFields(input: DestinationInput, fields: readonly (keyof DestinationInput)[], why: string): void {
  for (const name of fields)
    if (input[name] !== undefined) throw new DestinationInputError(`${why} has no ${name}.`, `/${name}`);
}

/**
 * A stored secret belongs to the server it was written for: sent anywhere else, it would be handed to
 * whoever runs that server. So it is kept only when kind and server stay the same.
 */
export function samePlace(previous: DestinationBase | undefined, input: DestinationInput): boolean {
  return (
    previous !== undefined &&
    previous.kind === input.kind &&
    (previous as { serverUrl?: string }).serverUrl === input.serverUrl
  );
}
