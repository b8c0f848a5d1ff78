// Schema checks at the HTTP boundary with the protocol's own validator: bodies strictly (a wrong type
// or an extra field is a 400, never silently coerced or dropped), params and query strings converted
// from text first. Response schemas document the API; answers are plain JSON.stringify.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import { parse } from '../../protocol/index.ts';
import { AppError } from '../services/app-error.ts';

/** A body whose fields are all optional may be left out entirely (POST …/program/auto). */
function hasRequired(schema: unknown): boolean {
  const required = (schema as { required?: unknown[] }).required;
  return Array.isArray(required) && required.length > 0;
}

/** The 400 for input that fails its schema, naming the field (a JSON pointer; a body's fields start at `/`). */
export function invalidInput(field: string, message: string): AppError {
  return new AppError(400, 'INVALID', `${field} ${message}`, field);
}

export const validationPlugin = fp(
  async (app) => {
    app.setValidatorCompiler(({ schema, httpPart }) => {
      const part = httpPart ?? 'body';
      return (data: unknown) => {
        const input =
          part !== 'body' ? Value.Convert(schema as TSchema, data) : data == null && !hasRequired(schema) ? {} : data;
        const result = parse(schema as TSchema, input);
        if (result.ok) return { value: result.value };
        const field =
          part === 'body' ? result.error.field : `/${part}${result.error.field === '/' ? '' : result.error.field}`;
        return { error: invalidInput(field, result.error.message) };
      };
    });
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  },
  { name: 'pitchside-validation' },
);
