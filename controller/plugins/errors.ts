// The one error handler: AppErrors and client errors go out with their code and message; anything else
// is logged and answered with a 500 that says nothing about the inside.
import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import type { ApiError } from '../../protocol/index.ts';
import { AppError } from '../services/app-error.ts';

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID',
};

export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      if (error instanceof AppError) {
        if (error.statusCode >= 500) request.log.warn({ code: error.code }, error.message);
        const body: ApiError = {
          error: {
            code: error.code,
            message: error.message,
            ...(error.field === undefined ? {} : { field: error.field }),
          },
        };
        return reply.code(error.statusCode).send({ ...body, ...error.extra });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const code = FASTIFY_CODES[error.code] ?? (status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST');
        const field = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? { field: '/' } : {};
        return reply.code(status).send({ error: { code, message: error.message, ...field } } satisfies ApiError);
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({
        error: { code: 'INTERNAL', message: 'Internal error; the server log has the details.' },
      } satisfies ApiError);
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({
        error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}.` },
      } satisfies ApiError),
    );
  },
  { name: 'pitchside-errors' },
);
