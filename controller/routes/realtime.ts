// WebSocket per event: a state snapshot on connect, then every frame of the event from any controller
// process that the socket's role may receive (protocol/realtime.ts SERVER_MESSAGE_AUDIENCE), state frames
// strictly in revision order (an older or repeated revision is dropped), plus ping/pong for clock offsets
// and `command` frames answered by `result`. Direct-camera signalling (media.*) is relayed between a
// camera and the page it names only (controller/services/media-relay.ts). The output renderer's meter
// reports are relayed to the operators through app.audioMeters (controller/services/audio-meter-board.ts).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import {
  ADDRESSED_FRAME_TYPES,
  AUDIO_METER_INTERVAL_MS,
  clientMessages,
  eventStatusOf,
  PASS_PROTOCOL_PREFIX,
  livePlaylistOf,
  mayReceive,
  ROLES,
  TEMPLATE_QUERY,
  WS_CLOSE,
  type CamerasMessage,
  dispatchFrame,
  type ClientMessage,
  type FrameHandlers,
  type ServerMessage,
  type StateMessage,
  type WatchInfo,
} from '../../protocol/index.ts';
import { caller, offeredSecret, rateLimitKey } from '../plugins/auth.ts';
import { EventParamsSchema } from '../schemas/common.ts';
import { AppError } from '../services/app-error.ts';
import { rawDataBytes } from '../services/frame-budget.ts';
import { runCommand } from '../services/command-runner.ts';
import { isChatModerator, type ChatRole } from '../services/chat-service.ts';
import { MediaRelay, mediaPeerOf, mediaSlotClassOf, type MediaPeer } from '../services/media-relay.ts';
import { DeviceReports } from '../services/camera-controls.ts';
import { TalkbackRelay } from '../services/talkback-relay.ts';
import type { RelayedFrame } from '../services/realtime-hub.ts';
import { readWatchInfo } from '../services/watch-info.ts';

/** Every client frame type has a handler: adding one to the union without a handler fails to compile. */
type ClientHandlers = Required<FrameHandlers<ClientMessage>>;

/**
 * A renderer's meter reports closer together than this are dropped: the page reports every
 * AUDIO_METER_INTERVAL_MS, and a template key (public, like the template URL) must not turn into a flood
 * of PUBLISHes.
 */
const MIN_METER_REPORT_GAP_MS = AUDIO_METER_INTERVAL_MS / 2;

const realtimeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /**
   * The socket shows the program renderer's pass for its key (the recorder's template page does). A pass that
   * does not hold is said in the log (never its value): that renderer has lost the cameras' program slots.
   */
  const isProgramRenderer = (request: FastifyRequest, eventId: string, keyId: string): boolean => {
    const pass =
      offeredSecret(request, PASS_PROTOCOL_PREFIX) ??
      (request.query as Record<string, unknown> | undefined)?.[TEMPLATE_QUERY.programPass];
    if (pass === undefined) return false;
    const holds = typeof pass === 'string' && app.apiKeys.isProgramPass(eventId, keyId, pass);
    if (!holds) request.log.warn({ eventId }, 'program pass refused: this page gets no program send slots');
    return holds;
  };
  // Redis came back after the subscriber lost it: every frame published meanwhile is gone, so each event
  // with sockets here gets its state again (a socket drops a revision it already has) and its camera list.
  const stopResync = app.realtime.onResubscribed(() => {
    for (const eventId of app.realtime.localEvents()) {
      void (async () => {
        const state = await app.program.getState(eventId);
        if (state !== null) app.realtime.deliverLocal({ type: 'state', eventId, state, serverTime: Date.now() });
        app.realtime.deliverLocal({ type: 'cameras', eventId, cameras: await app.cameras.list(eventId) });
      })().catch((error: unknown) => app.log.warn({ err: error, eventId }, 'resync after Redis reconnect failed'));
    }
  });
  app.addHook('onClose', async () => stopResync());
  // Direct transport: a camera's status follows its page's socket (and its health reports, which say
  // whether a receiver is connected). Counted per camera, so a reload whose new socket opens before the
  // old one closes does not leave the camera marked disconnected. A commentary seat's page is announced to
  // the receivers the same way (it has no camera status).
  const cameraSockets = new Map<string, number>();
  // A socket's close handler writes to Redis (its camera's status, its talkback ends), and the app's own close
  // drops every socket: those writes finish before Redis quits (the services close after these routes), and a
  // socket that closes once the app is closing leaves its camera's status as it was (a restart is not a camera
  // leaving).
  let closing = false;
  const closeWrites = new Set<Promise<void>>();
  const settleBeforeClose = (write: Promise<void>): void => {
    const tracked = write.finally(() => closeWrites.delete(tracked));
    closeWrites.add(tracked);
  };
  app.addHook('onClose', async () => {
    closing = true;
    await Promise.allSettled(closeWrites);
  });
  const cameraOnline = async (eventId: string, peer: PublisherPeer): Promise<void> => {
    const key = `${eventId}/${peer.id}`;
    cameraSockets.set(key, (cameraSockets.get(key) ?? 0) + 1);
    if (peer.kind === 'camera') {
      const camera = await app.cameras.get(eventId, peer.id);
      if (camera?.status === 'disconnected') await app.cameras.setStatus(eventId, peer.id, 'registered');
    } else await app.commentary.setOnline(eventId, peer.id, true);
    await app.realtime.publish({ type: 'media.camera', eventId, camera: peer.id, online: true });
  };
  const cameraOffline = async (eventId: string, peer: PublisherPeer): Promise<void> => {
    const key = `${eventId}/${peer.id}`;
    const left = (cameraSockets.get(key) ?? 1) - 1;
    if (left > 0) {
      cameraSockets.set(key, left);
      return;
    }
    cameraSockets.delete(key);
    if (peer.kind === 'seat') await app.commentary.setOnline(eventId, peer.id, false);
    await app.realtime.publish({ type: 'media.camera', eventId, camera: peer.id, online: false });
    if (peer.kind === 'seat') return;
    const cameraId = peer.id;
    const camera = await app.cameras.setStatus(eventId, cameraId, 'disconnected');
    if (camera !== null)
      await app.eventLog.append(eventId, {
        level: 'warn',
        kind: 'camera.disconnected',
        message: `${camera.label} disconnected.`,
        data: { cameraId },
      });
  };

  app.get(
    '/api/events/:eventId/ws',
    {
      websocket: true,
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['realtime'],
        summary:
          'WebSocket: state, cameras, log, presence and job frames, by role (key: subprotocol pitchside.key.BASE64URL, or ?key=)',
        params: EventParamsSchema,
      },
    },
    (socket: WebSocket, request) => {
      const { eventId } = request.params;
      const refused = request.authFailure;
      if (refused !== null) {
        socket.close(refusalCloseCode(refused.statusCode), closeReason(refused.message));
        return;
      }
      const auth = caller(request);
      const admission = app.sockets.admit(socket, { eventId, auth, address: rateLimitKey(request) });
      if (!admission.ok) {
        socket.close(WS_CLOSE.TOO_MANY, admission.reason);
        return;
      }
      const open = admission.open;
      const connectionId = randomUUID();
      const direct = app.livekit === null;
      const media = new MediaRelay(
        { hub: app.realtime, cameras: app.cameras, seats: app.commentary, direct },
        eventId,
        mediaPeerOf(auth),
        auth.role,
        mediaSlotClassOf(auth, isProgramRenderer(request, eventId, auth.keyId)),
      );
      const deviceReports = new DeviceReports(app.cameras, eventId, media.peer);
      const talkback = new TalkbackRelay(app.realtime, eventId, media, auth.role);
      let lastRevision = -1;
      const sendText = (text: string): void => {
        open.send(text);
      };
      const send = (frame: ServerMessage): void => {
        if (mayReceive(auth.role, frame.type)) sendText(JSON.stringify(frame));
      };
      // The viewer page's status follows the output's job frames: a `watch` frame only when it changes.
      let watch: WatchInfo | null = null;
      const sendWatch = (next: WatchInfo): void => {
        watch = next;
        send({ type: 'watch', eventId, watch: next });
      };
      const relay = ({ frame, text }: RelayedFrame): void => {
        if (ADDRESSED_FRAME_TYPES.has(frame.type) && !media.isAddressee(frame)) return;
        if (!talkback.reaches(frame)) return;
        if (frame.type === 'audio.meters') return; // through app.audioMeters, which picks the renderer
        if (frame.type === 'state') {
          if (frame.state.revision <= lastRevision) return;
          lastRevision = frame.state.revision;
        } else if (frame.type === 'watch') {
          watch = frame.watch;
        } else if (frame.type === 'job.output' && watch !== null) {
          // Derived here, so roles that may not see job status still learn that the event went live.
          const status = eventStatusOf(frame);
          const playlist = livePlaylistOf(frame);
          if (status !== watch.status || playlist !== watch.playlist) {
            const { playlist: _old, ...rest } = watch;
            sendWatch({ ...rest, status, ...(playlist === undefined ? {} : { playlist }) });
          }
        }
        if (mayReceive(auth.role, frame.type)) sendText(text);
      };

      // A refused media frame is answered with an error naming the field; nothing is relayed.
      const mediaFrame = (handle: () => Promise<void>): void => {
        handle().catch((error: unknown) => {
          if (!(error instanceof AppError)) {
            request.log.warn({ err: error }, 'websocket media frame failed');
            send({ type: 'error', code: 'INTERNAL', message: 'failed' });
            return;
          }
          send({
            type: 'error',
            code: error.code,
            message: error.message,
            ...(error.field === undefined ? {} : { field: error.field }),
          });
        });
      };
      // Chat: answered by `result` with the frame's id; refusals name the code (rate limit, slow mode, block).
      const chatIdentity = app.chat.identify({
        eventId,
        address: open.address,
        keyId: auth.keyId,
        protocols: request.headers['sec-websocket-protocol'],
      });
      const chatFrame = (id: string, moderate: boolean, act: () => Promise<unknown>): void => {
        const allowed = moderate ? isChatModerator(auth.role) : mayReceive(auth.role, 'chat.message');
        const run = allowed
          ? act()
          : Promise.reject(new AppError(403, 'FORBIDDEN', `The ${auth.role} role may not do this in the chat.`));
        run.then(
          () => send({ type: 'result', id, ok: true }),
          (error: unknown) => {
            if (!(error instanceof AppError)) request.log.warn({ err: error }, 'chat frame failed');
            const detail =
              error instanceof AppError
                ? { code: error.code, message: error.message }
                : { code: 'INTERNAL', message: 'failed' };
            send({ type: 'result', id, ok: false, error: detail });
          },
        );
      };
      let lastMeterReport = -Infinity;
      const handlers: ClientHandlers = {
        ping: (frame) => send({ type: 'pong', clientTime: frame.clientTime, serverTime: Date.now() }),
        'chat.send': (frame) =>
          chatFrame(frame.id, false, () =>
            app.chat.send(eventId, { ...chatIdentity, role: auth.role as ChatRole }, frame.name, frame.text),
          ),
        'chat.delete': (frame) => chatFrame(frame.id, true, () => app.chat.delete(eventId, [frame.message])),
        'chat.slow': (frame) => chatFrame(frame.id, true, () => app.chat.setSlowMode(eventId, frame.seconds)),
        'chat.block': (frame) => chatFrame(frame.id, true, () => app.chat.block(eventId, frame.session)),
        'media.request': (frame) => mediaFrame(() => media.request(frame)),
        'media.signal': (frame) => mediaFrame(() => media.signal(frame)),
        'media.refused': (frame) => mediaFrame(() => media.refuse(frame)),
        'camera.health': (frame) => mediaFrame(() => media.health(frame.health)),
        // Either transport: a LiveKit camera's lens is controlled through this socket too.
        'camera.device': (frame) => mediaFrame(() => deviceReports.report(frame.device)),
        // Either transport: talkback is browser to browser even where LiveKit carries the cameras.
        'talkback.call': (frame) => mediaFrame(() => talkback.call(frame)),
        'talkback.end': (frame) => mediaFrame(() => talkback.end(frame)),
        'talkback.signal': (frame) => mediaFrame(() => talkback.signal(frame)),
        'crew.call': () => mediaFrame(() => talkback.crewCall()),
        'audio.meters': (frame) => {
          if (auth.role !== 'template') {
            send({
              type: 'error',
              code: 'FORBIDDEN',
              message: 'Only the output renderer (a template key) reports meters.',
              field: '/type',
            });
            return;
          }
          if (frame.eventId !== eventId) {
            send({ type: 'error', code: 'INVALID', message: `This socket is event ${eventId}'s.`, field: '/eventId' });
            return;
          }
          const now = Date.now();
          if (frame.renderer === 'monitor' || now - lastMeterReport < MIN_METER_REPORT_GAP_MS) return;
          lastMeterReport = now;
          const { renderer, meters } = frame;
          app.realtime
            .publish({ type: 'audio.meters', eventId, renderer, meters })
            .catch((error: unknown) => request.log.warn({ err: error }, 'meter relay failed'));
        },
        // A program renderer's graphic threw or hung: every renderer unloads it (the reducer drops a report
        // about an earlier load, and all but the first report).
        'ograf.fault': (frame) => {
          if (auth.role !== 'template' || frame.eventId !== eventId) {
            send({
              type: 'error',
              code: 'FORBIDDEN',
              message: 'Only a program renderer reports graphics.',
              field: '/type',
            });
            return;
          }
          const { instance, loadedAt, message } = frame;
          app.program
            .apply(eventId, { type: 'ograf.fail', instance, loadedAt, message }, { role: auth.role, keyId: auth.keyId })
            .catch((error: unknown) => request.log.warn({ err: error }, 'graphic fault report failed'));
        },
        command: (frame) => {
          runCommand(app.program, app.metrics, eventId, frame.command, auth).then(
            (result) => send({ type: 'result', id: frame.id, ok: true, revision: result.revision }),
            (error: unknown) => {
              if (!(error instanceof AppError)) {
                request.log.warn({ err: error }, 'websocket command failed');
                send({ type: 'result', id: frame.id, ok: false, error: { code: 'INTERNAL', message: 'failed' } });
                return;
              }
              const detail = {
                code: error.code,
                message: error.message,
                ...(error.field === undefined ? {} : { field: error.field }),
              };
              send({ type: 'result', id: frame.id, ok: false, error: detail });
            },
          );
        },
      };

      // Listeners first, synchronously: frames that arrive while the snapshot loads are not lost.
      socket.on('message', (data, isBinary) => {
        if (!open.withinBudget(rawDataBytes(data))) return;
        const decoded = isBinary
          ? ({ ok: false, error: { field: '/', message: 'binary frames are not accepted' } } as const)
          : clientMessages.decode((data as Buffer).toString('utf8')); // binaryType 'nodebuffer': one Buffer a message;
        if (decoded.ok) dispatchFrame(handlers, decoded.frame);
        else send({ type: 'error', code: 'INVALID', message: decoded.error.message, field: decoded.error.field });
      });
      const unsubscribe = app.realtime.subscribe(eventId, relay);
      const unsubscribeMeters = mayReceive(auth.role, 'audio.meters')
        ? app.audioMeters.subscribe(eventId, ({ text }) => sendText(text))
        : () => {};
      app.metrics.websockets.inc({ role: auth.role });
      /** This socket's camera or seat was announced online (and so is counted in cameraSockets). */
      let announced = false;
      socket.on('close', () => {
        unsubscribe();
        unsubscribeMeters();
        app.metrics.websockets.dec({ role: auth.role });
        void app.presence.leave(connectionId).catch(() => {});
        if (closing) return;
        if (announced && isPublisher(media.peer) && direct)
          settleBeforeClose(
            cameraOffline(eventId, media.peer).catch((error: unknown) =>
              request.log.warn({ err: error }, 'camera status update failed'),
            ),
          );
        settleBeforeClose(
          talkback.close().catch((error: unknown) => request.log.warn({ err: error }, 'talkback end failed')),
        );
      });

      void (async () => {
        const state = await app.program.getState(eventId);
        if (state === null) {
          socket.close(WS_CLOSE.NOT_FOUND, `event ${eventId} does not exist`);
          return;
        }
        const snapshot: StateMessage = { type: 'state', eventId, state, serverTime: Date.now() };
        relay({ frame: snapshot, text: JSON.stringify(snapshot) });
        // Announced only while the socket is open: one that closed during the reads above has already run its
        // close handler, which (not announced) left the camera's count and status alone.
        if (isPublisher(media.peer) && direct) {
          if (socket.readyState !== socket.OPEN) return;
          announced = true;
          await cameraOnline(eventId, media.peer);
        }
        send({ type: 'media.config', eventId, transport: direct ? 'direct' : 'livekit', iceServers: app.iceServers });
        if (mayReceive(auth.role, 'cameras')) {
          send({ type: 'cameras', eventId, cameras: await app.cameras.list(eventId) } satisfies CamerasMessage);
        }
        const event = await app.events.get(eventId);
        if (event !== null) sendWatch(await readWatchInfo(app.redis, app.redisKeys, event));
        if (mayReceive(auth.role, 'chat.history')) {
          const chat = await app.chat.history(eventId);
          const { session, ticket } = chatIdentity;
          send({ type: 'chat.history', eventId, ...chat, session, ticket, moderator: isChatModerator(auth.role) });
        }
        await app.presence.join(eventId, connectionId, auth.role);
        if (socket.readyState !== socket.OPEN) await app.presence.leave(connectionId);
      })().catch((error: unknown) => {
        request.log.error({ err: error }, 'websocket snapshot failed');
        socket.close(WS_CLOSE.SERVER_ERROR, 'internal error');
      });
    },
  );
};

type PublisherPeer = Extract<MediaPeer, { kind: 'camera' | 'seat' }>;

function isPublisher(peer: MediaPeer): peer is PublisherPeer {
  return peer.kind === 'camera' || peer.kind === 'seat';
}

/** The close code of a socket refused at the door: the HTTP status said as WS_CLOSE. */
function refusalCloseCode(status: number): number {
  if (status === 429) return WS_CLOSE.TOO_MANY;
  return status === 403 ? WS_CLOSE.FORBIDDEN : WS_CLOSE.UNAUTHORIZED;
}

/** A close frame's reason may hold 123 bytes (RFC 6455 5.5): longer ones are cut, never thrown on. */
function closeReason(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return bytes.length <= 123 ? text : new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD$/, '') + '…';
}

export default realtimeRoutes;
