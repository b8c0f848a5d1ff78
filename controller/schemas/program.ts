// Program control: which role may send which command, and one convenience route per command
// (POST /api/events/:eventId/<area>/<verb>, body = the command without `type`).
import { Type, type TObject } from '@sinclair/typebox';
import {
  CommandSchemas,
  CornerSchema,
  IfRevisionSchema,
  RectSchema,
  type CommandType,
  type Role,
} from '../../protocol/index.ts';

/** The graphics operator's commands; the director (and admin) may send every command. */
export const GRAPHICS_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>([
  'pip.set',
  'pip.show',
  'pip.hide',
  'scorebug.set',
  'score.adjust',
  'score.set',
  'clock.start',
  'clock.stop',
  'clock.set',
  'clock.adjust',
  'clock.configure',
  'lowerThird.show',
  'lowerThird.update',
  'lowerThird.hide',
  // Taking a field back from the data feed, and giving it back.
  'feed.override',
  'feed.release',
  // OGraf graphics (ograf.fail is a renderer's report, committed by the controller only).
  'ograf.load',
  'ograf.play',
  'ograf.update',
  'ograf.stop',
  'ograf.clear',
]);

export const COMMAND_SENDER_ROLES: readonly Role[] = ['admin', 'director', 'graphics'];

/** The producer's alone (the console's admin key): what the event sells, not how it is cut. */
export const PRODUCER_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>(['sponsors.set', 'sponsors.rotation']);

export function rolesForCommand(type: CommandType): readonly Role[] {
  if (PRODUCER_COMMANDS.has(type)) return ['admin'];
  return GRAPHICS_COMMANDS.has(type) ? COMMAND_SENDER_ROLES : ['admin', 'director'];
}

export interface CommandRoute {
  /** Path under /api/events/:eventId/. */
  path: string;
  type: CommandType;
  body: TObject;
}

function kebab(text: string): string {
  return text.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Replays have their own routes (controller/routes/replay.ts): they name a clip by id, not by its ISO range.
 * Feed commands are made by the feed routes (controller/routes/feed.ts) or sent through the generic endpoint;
 * ograf.fail is a renderer's report, committed by the controller.
 */
const OWN_ROUTE_COMMANDS = (type: CommandType): boolean =>
  type.startsWith('replay.') || type.startsWith('feed.') || type === 'ograf.fail';

export const COMMAND_ROUTES: readonly CommandRoute[] = [
  ...CommandSchemas.filter((schema) => !OWN_ROUTE_COMMANDS(schema.properties.type.const)).map((schema) => {
    const type = schema.properties.type.const;
    const { type: _type, ...rest } = schema.properties;
    return {
      path: type.split('.').map(kebab).join('/'),
      type,
      body: Type.Object(rest, { additionalProperties: false }),
    };
  }),
  // A move is a pip.set that only places the window.
  {
    path: 'pip/move',
    type: 'pip.set',
    body: Type.Object(
      { rect: Type.Optional(RectSchema), corner: Type.Optional(CornerSchema), ifRevision: IfRevisionSchema },
      { additionalProperties: false },
    ),
  },
];
