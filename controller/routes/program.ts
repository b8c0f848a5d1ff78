// Program state and control: the state snapshot, the generic command endpoint and one convenience route
// per command. Every change goes through runCommand → ProgramService → the protocol reducer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CommandResponseSchema,
  CommandSchema,
  ROLES,
  StaleRevisionResponseSchema,
  StateResponseSchema,
  ApiErrorSchema,
  type Command,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { ErrorResponses, EventParamsSchema } from '../schemas/common.ts';
import { COMMAND_ROUTES, COMMAND_SENDER_ROLES, rolesForCommand } from '../schemas/program.ts';
import { runCommand } from '../services/command-runner.ts';

const commandResponses = {
  200: CommandResponseSchema,
  ...ErrorResponses,
  // A stale revision carries the current state; a replay clip that cannot roll yet (CLIP_PENDING) does not.
  409: Type.Union([StaleRevisionResponseSchema, ApiErrorSchema]),
  422: ApiErrorSchema,
};

const programRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/events/:eventId/state',
    {
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['program'],
        summary: 'The program state now',
        params: EventParamsSchema,
        response: { 200: StateResponseSchema, ...ErrorResponses },
      },
    },
    async (request) => ({ state: await app.program.requireState(request.params.eventId), serverTime: Date.now() }),
  );

  app.post(
    '/api/events/:eventId/commands',
    {
      config: { access: { roles: COMMAND_SENDER_ROLES } },
      schema: {
        tags: ['program'],
        summary: 'Apply any protocol command (graphics keys: graphics commands only)',
        params: EventParamsSchema,
        body: CommandSchema,
        response: commandResponses,
      },
    },
    async (request) => runCommand(app.program, app.metrics, request.params.eventId, request.body, caller(request)),
  );

  for (const route of COMMAND_ROUTES) {
    app.post(
      `/api/events/:eventId/${route.path}`,
      {
        config: { access: { roles: rolesForCommand(route.type) } },
        schema: {
          tags: ['program'],
          summary: `${route.type}`,
          params: EventParamsSchema,
          body: route.body,
          response: commandResponses,
        },
      },
      async (request) => {
        const command = { ...(request.body as object), type: route.type } as Command;
        return runCommand(app.program, app.metrics, request.params.eventId, command, caller(request));
      },
    );
  }
};

export default programRoutes;
