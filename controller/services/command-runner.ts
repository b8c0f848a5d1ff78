// One path for a command from any door (HTTP route, generic endpoint, WebSocket frame): role check,
// reducer via ProgramService, and the answer codes of the API contract.
import type { Command, CommandResponse } from '../../protocol/index.ts';
import type { ControllerMetrics } from '../plugins/metrics.ts';
import { rolesForCommand } from '../schemas/program.ts';
import { AppError } from './app-error.ts';
import type { AuthContext } from './key-store.ts';
import type { ProgramService } from './program-service.ts';

export async function runCommand(
  program: ProgramService,
  metrics: ControllerMetrics,
  eventId: string,
  command: Command,
  auth: AuthContext,
): Promise<CommandResponse> {
  if (!rolesForCommand(command.type).includes(auth.role)) {
    metrics.commands.inc({ type: command.type, result: 'forbidden' });
    throw new AppError(403, 'FORBIDDEN', `The ${auth.role} role may not send ${command.type}.`, '/type');
  }
  const outcome = await program.apply(eventId, command, { role: auth.role, keyId: auth.keyId });
  if (!outcome.ok) {
    metrics.commands.inc({ type: command.type, result: outcome.error.code });
    const field = outcome.error.field === undefined ? undefined : `/${outcome.error.field}`;
    if (outcome.error.code === 'STALE_REVISION') {
      throw new AppError(409, outcome.error.code, outcome.error.message, field, { state: outcome.state });
    }
    throw new AppError(422, outcome.error.code, outcome.error.message, field);
  }
  metrics.commands.inc({ type: command.type, result: outcome.changed ? 'applied' : 'unchanged' });
  return { revision: outcome.state.revision, state: outcome.state };
}
