// Team logos on the scorebug. The program state holds only a logo's id; the image is uploaded once
// (checked by its bytes, never by what the client claims), stored content-addressed by the controller
// and fetched by the template from logoPath(id). One place for the id's shape, the accepted formats and
// the size cap, so the controller that stores a logo and the template that draws it agree.
import { Type, type Static } from '@sinclair/typebox';

/** A scorebug logo is a few KiB; 1 MB is generous for a crest and bounds what one upload can store. */
export const LOGO_MAX_BYTES = 1024 * 1024;

/**
 * The most pixels a logo may declare. A renderer decodes the whole declared picture (4 bytes a pixel, and
 * again on the GPU texture), whatever the file's size: a 400 KB PNG declaring 20000×20000 would take 1.5 GiB
 * in the program template. 2048 on a side is far more than a scorebug's 64 px crest needs.
 */
export const LOGO_MAX_SIDE_PX = 2048;

/** Raster formats every renderer (Chromium in Egress and the recorder) decodes; no SVG (scripts, entities). */
export const LOGO_FORMATS = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
} as const;
export type LogoFormat = keyof typeof LOGO_FORMATS;

/** The first 128 bits of the image's SHA-256, and its format: the same image always gets the same id. */
export const LogoIdSchema = Type.String({ pattern: '^[a-f0-9]{32}\\.(png|jpg|webp)$' });
export type LogoId = Static<typeof LogoIdSchema>;

/** Where the controller serves a logo (public and immutable: the id names the bytes). */
export function logoPath(id: LogoId): string {
  return `/api/logos/${id}`;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** The format the bytes really are (magic numbers), or null for anything else. */
export function sniffLogoFormat(bytes: Uint8Array): LogoFormat | null {
  const starts = (signature: readonly number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
  const ascii = (text: string, at: number) =>
    starts(
      [...text].map((c) => c.charCodeAt(0)),
      at,
    );
  if (starts(PNG_SIGNATURE)) return 'png';
  if (starts(JPEG_SIGNATURE)) return 'jpg';
  if (ascii('RIFF', 0) && ascii('WEBP', 8)) return 'webp';
  return null;
}
