// An uploaded image (a team logo, a sponsor's artwork) checked by its bytes, never by what the client
// claims: the formats every renderer decodes, a byte cap, and a declared size a renderer can afford.
import type { FastifyInstance } from 'fastify';
import { imageSize } from 'image-size';
import {
  LOGO_MAX_BYTES,
  LOGO_MAX_SIDE_PX,
  sniffLogoFormat,
  type LogoFormat,
  type LogoId,
  type UploadKind,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';
import type { LogoStore } from './logo-store.ts';

export interface ImageUpload {
  body: unknown;
  eventId: string;
  keyId: string;
  /** The upload quota it counts against. */
  quota: UploadKind;
  /** The field a refusal names. */
  name: 'logo' | 'image';
}

/** Checks an uploaded image, charges its quota (the event must exist) and stores it: its id. */
export async function storeImage(app: FastifyInstance, store: LogoStore, upload: ImageUpload): Promise<LogoId> {
  const format = checkedImage(upload.body, upload.name);
  await app.program.requireState(upload.eventId);
  const bytes = upload.body as Buffer;
  await app.uploads.charge(
    upload.quota,
    upload.eventId,
    upload.keyId,
    { bytes: bytes.length, files: 1 },
    `/${upload.name}`,
  );
  return store.save(bytes, format);
}

/**
 * The image's format from its bytes; 413/415 naming the field (`/<name>`) when it is too big or not an image
 * we draw, 422 when it is unreadable or declares more than LOGO_MAX_SIDE_PX on a side.
 */
export function checkedImage(body: unknown, name: 'logo' | 'image'): LogoFormat {
  const field = `/${name}`;
  const bytes = Buffer.isBuffer(body) ? body : null;
  const format = bytes === null ? null : sniffLogoFormat(bytes);
  if (bytes !== null && bytes.length > LOGO_MAX_BYTES)
    throw new AppError(413, 'TOO_LARGE', `The ${name} is larger than ${LOGO_MAX_BYTES / 1024 / 1024} MB.`, field);
  if (bytes === null || format === null)
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `The ${name} must be a PNG, JPEG or WebP image.`, field);
  // A decompression bomb is small on disk and huge decoded: the size the image declares is what decides.
  let size: { width?: number | undefined; height?: number | undefined };
  try {
    size = imageSize(bytes);
  } catch {
    throw new AppError(422, 'UNREADABLE_IMAGE', `The ${name} is not a readable ${format.toUpperCase()} image.`, field);
  }
  const { width = 0, height = 0 } = size;
  if (width < 1 || height < 1)
    throw new AppError(422, 'UNREADABLE_IMAGE', `The ${name} does not say how large it is.`, field);
  if (width > LOGO_MAX_SIDE_PX || height > LOGO_MAX_SIDE_PX)
    throw new AppError(
      422,
      'IMAGE_TOO_LARGE',
      `The ${name} is ${width}×${height} px; at most ${LOGO_MAX_SIDE_PX}×${LOGO_MAX_SIDE_PX} px (it is shown at most 240 px wide).`,
      field,
    );
  return format;
}
