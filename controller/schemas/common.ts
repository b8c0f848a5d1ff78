// Params and answers every resource shares.
import { Type } from '@sinclair/typebox';
import { ApiErrorSchema, EventIdSchema } from '../../protocol/index.ts';

export const EventParamsSchema = Type.Object({ eventId: EventIdSchema }, { additionalProperties: false });

/** The error answers a keyed route can give, for the docs. */
export const ErrorResponses = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
} as const;

export const NoContentSchema = Type.Null({ description: 'No content.' });

/** What a door that stores a file may also answer (services/upload-quota.ts, the media checks). */
export const UploadRefusals = {
  409: ApiErrorSchema,
  413: ApiErrorSchema,
  422: ApiErrorSchema,
  429: ApiErrorSchema,
  507: ApiErrorSchema,
} as const;
