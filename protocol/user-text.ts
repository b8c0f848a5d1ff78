// Text people type that other people's pages show (chat names and messages, camera and source labels, team
// names): one line, and none of the characters that make shown text lie about itself. C0 and C1 controls
// (newlines, escapes), the bidi embeddings, overrides, isolates and marks (U+202A–202E, U+2066–2069,
// U+200E/200F, U+061C: "Trojan Source" text that reads differently from what it holds), zero-width and
// invisible formatting characters, line and paragraph separators, and the interlinear annotations are
// refused at the schema, so no stored or relayed text holds them. Pages also show such text isolated
// (`unicode-bidi: isolate`), so right-to-left names never reorder what is around them.
import { Type } from '@sinclair/typebox';

/** One character of the refused set, as a regex class body (JSON Schema patterns are ECMAScript). */
const REFUSED =
  '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff\\ufff9-\\ufffb';

/** No refused character; may be empty. */
export const PLAIN_TEXT_PATTERN = `^[^${REFUSED}]*$`;
/** No refused character and at least one that is not a space. */
export const ONE_LINE_TEXT_PATTERN = `^[^${REFUSED}]*[^\\s${REFUSED}][^${REFUSED}]*$`;

const DESCRIPTION = 'One line of text: no control, bidi-formatting or invisible characters.';

/** A label or message: one line, not blank, no refused character. */
export function oneLineText(maxLength: number): ReturnType<typeof Type.String> {
  return Type.String({ minLength: 1, maxLength, pattern: ONE_LINE_TEXT_PATTERN, description: DESCRIPTION });
}

/** A name that may be cleared (empty), with no refused character. */
export function plainText(maxLength: number): ReturnType<typeof Type.String> {
  return Type.String({ maxLength, pattern: PLAIN_TEXT_PATTERN, description: DESCRIPTION });
}
