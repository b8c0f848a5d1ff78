// WebSocket per event: a state snapshot on connect, then every frame of the event from any controller
// process, state frames strictly in revision order (an older or repeated revision is dropped), plus
// ping/pong for clock offsets and `command` frames answered by `result`.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import {
  ClientMessageSchema,
  eventStatusOf,
  OutputStatusMessageSchema,
  ROLES,
  parse,
  type CamerasMessage,
  type ErrorMessage,
  type PongMessage,
  type RelayFrame,
  type ResultMessage,
  type StateMessage,
  type WatchInfo,
  type WatchMessage,
} from '../../protocol/index.ts';
import { caller } from '../plugins/auth.ts';
import { EventParamsSchema } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { runCommand } from '../services/command-runner.ts';
import { readWatchInfo } from '../services/watch-info.ts';

/** Close code for an event that does not exist (4000–4999: application codes). */
export const WS_CLOSE_NOT_FOUND = 4404;

const realtimeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/events/:eventId/ws',
    {
      websocket: true,
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['realtime'],
        summary: 'WebSocket: state, cameras, log, presence and job frames (?key=KEY)',
        params: EventParamsSchema,
      },
    },
    (socket: WebSocket, request) => {
      const { eventId } = request.params;
      const auth = caller(request);
      const connectionId = randomUUID();
      let lastRevision = -1;
      const send = (frame: object): void => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      // The viewer page's status follows the output's job frames: a `watch` frame only when it changes.
      let watch: WatchInfo | null = null;
      const sendWatch = (next: WatchInfo): void => {
        watch = next;
        send({ type: 'watch', eventId, watch: next } satisfies WatchMessage);
      };
      const relay = (frame: RelayFrame): void => {
        if (frame.type === 'state') {
          const revision = (frame as unknown as StateMessage).state.revision;
          if (revision <= lastRevision) return;
          lastRevision = revision;
        }
        if (frame.type === 'watch') {
          sendWatch((frame as unknown as WatchMessage).watch);
          return;
        }
        send(frame);
        if (frame.type === 'job.output' && watch !== null) {
          const output = parse(OutputStatusMessageSchema, frame);
          const status = output.ok ? eventStatusOf(output.value) : watch.status;
          if (status !== watch.status) sendWatch({ ...watch, status });
        }
      };

      // Listeners first, synchronously: frames that arrive while the snapshot loads are not lost.
      socket.on('message', (data, isBinary) => {
        void handleMessage(isBinary ? null : data.toString()).catch((error: unknown) => {
          request.log.warn({ err: error }, 'websocket message failed');
        });
      });
      const unsubscribe = app.realtime.subscribe(eventId, relay);
      app.metrics.websockets.inc({ role: auth.role });
      socket.on('close', () => {
        unsubscribe();
        app.metrics.websockets.dec({ role: auth.role });
        void app.presence.leave(connectionId).catch(() => {});
      });

      async function handleMessage(text: string | null): Promise<void> {
        const parsed = parse(ClientMessageSchema, text === null ? null : safeJson(text));
        if (!parsed.ok) {
          send({
            type: 'error',
            code: 'INVALID',
            message: parsed.error.message,
            field: parsed.error.field,
          } satisfies ErrorMessage);
          return;
        }
        const message = parsed.value;
        if (message.type === 'ping') {
          send({ type: 'pong', clientTime: message.clientTime, serverTime: Date.now() } satisfies PongMessage);
          return;
        }
        try {
          const result = await runCommand(app.program, app.metrics, eventId, message.command, auth);
          send({ type: 'result', id: message.id, ok: true, revision: result.revision } satisfies ResultMessage);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          const detail = {
            code: error.code,
            message: error.message,
            ...(error.field === undefined ? {} : { field: error.field }),
          };
          send({ type: 'result', id: message.id, ok: false, error: detail } satisfies ResultMessage);
        }
      }

      void (async () => {
        const state = await app.program.getState(eventId);
        if (state === null) {
          socket.close(WS_CLOSE_NOT_FOUND, `event ${eventId} does not exist`);
          return;
        }
        relay({ type: 'state', eventId, state, serverTime: Date.now() } satisfies StateMessage);
        send({ type: 'cameras', eventId, cameras: await app.cameras.list(eventId) } satisfies CamerasMessage);
        const event = await app.events.get(eventId);
        if (event !== null) sendWatch(await readWatchInfo(app.redis, event));
        await app.presence.join(eventId, connectionId, auth.role);
        if (socket.readyState !== socket.OPEN) await app.presence.leave(connectionId);
      })().catch((error: unknown) => {
        request.log.error({ err: error }, 'websocket snapshot failed');
        socket.close(1011, 'internal error');
      });
    },
  );
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export default realtimeRoutes;
