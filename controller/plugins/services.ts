// The controller's long-lived services, created and started in order and closed in reverse. Routes and
// later plugins reach them as decorators (see controller/README.md).
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { IceServer } from '../../protocol/index.ts';
import { AudioMeterBoard } from '../services/audio-meter-board.ts';
import { CameraRegistry } from '../services/camera-registry.ts';
import { ChatService } from '../services/chat-service.ts';
import { EventLog } from '../services/event-log.ts';
import { EventStore } from '../services/event-store.ts';
import { KeyStore } from '../services/key-store.ts';
import { LiveKitBridge, type LiveKitSettings } from '../services/livekit-bridge.ts';
import { PresenceTracker } from '../services/presence-tracker.ts';
import { ProgramService } from '../services/program-service.ts';
import { RealtimeHub } from '../services/realtime-hub.ts';
import { ReplayReturns } from '../services/replay-returns.ts';
import { SocketRegistry, type SocketLimits } from '../services/socket-registry.ts';
import { createRedisKeys, type RedisKeys } from '../../protocol/redis-keys.ts';
import { SwitchLog } from '../../outputs/switch-log.ts';
import { vetCommand } from '../services/outbound-checks.ts';
import { OutboundPolicy } from '../../runtime/outbound-policy.ts';

export interface ServicesOptions {
  redisUrl: string;
  keyPrefix: string;
  adminKey: string;
  livekit: LiveKitSettings | null;
  /** Private networks media URLs and destinations may reach (ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: string[];
  /** Base URL pages and QR codes point at; null = this server's own listening address. */
  publicUrl: string | null;
  /** The LAN HTTPS address, when one is listening (see AppOptions.lanUrl). */
  lanUrl: () => string | null;
  /** Switch log and event log entries kept per event (LOG_STREAM_MAX_ENTRIES). */
  logStreamMaxEntries: number;
  /** Event WebSocket limits (WS_* settings). */
  socketLimits: SocketLimits;
  /** STUN/TURN for direct cameras (ICE_SERVERS); empty = host candidates only. */
  iceServers: IceServer[];
}

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
    redisKeys: RedisKeys;
    /** Where media URLs and destinations may point. */
    outbound: OutboundPolicy;
    events: EventStore;
    program: ProgramService;
    cameras: CameraRegistry;
    apiKeys: KeyStore;
    eventLog: EventLog;
    switchLog: SwitchLog;
    presence: PresenceTracker;
    realtime: RealtimeHub;
    /** The program's latest meter reading per event, as the output renderer reported it. */
    audioMeters: AudioMeterBoard;
    /** The live chat beside the Pitchside player. */
    chat: ChatService;
    /** This process's open event WebSockets (caps, liveness, revocation). */
    sockets: SocketRegistry;
    /** null when LiveKit is not configured: cameras then send straight to the pages (direct transport). */
    livekit: LiveKitBridge | null;
    iceServers: IceServer[];
    /** PUBLIC_URL, else this server's own listening address: what Egress and the recorder load the template from. */
    publicUrl: string;
    /**
     * Base of links people open on another device (a phone's camera join link and its QR code): PUBLIC_URL,
     * else the LAN HTTPS address (a phone needs HTTPS for its camera), else the listening address.
     */
    deviceUrl: string;
    /** Random per process: presence members and logs tell processes apart by it. */
    processId: string;
  }
}

export const servicesPlugin = fp<ServicesOptions>(
  async (app, options) => {
    const redisOptions = { maxRetriesPerRequest: 3, lazyConnect: true };
    // One child logger per component, so every line says where it came from.
    const log = (component: string) => app.log.child({ component });
    const redisLog = log('redis');
    const redis = new Redis(options.redisUrl, redisOptions);
    const subscriber = new Redis(options.redisUrl, redisOptions);
    redis.on('error', (error) => redisLog.warn({ err: error }, 'redis connection error'));
    subscriber.on('error', (error) => redisLog.warn({ err: error }, 'redis subscriber error'));
    await redis.connect();
    await subscriber.connect();

    const keys = createRedisKeys(options.keyPrefix);
    const processId = randomUUID().slice(0, 8);
    const livekitLog = log('livekit');
    const livekit =
      options.livekit === null
        ? null
        : new LiveKitBridge(options.livekit, (room, error) =>
            livekitLog.warn({ err: error, room }, 'LiveKit sendData failed'),
          );
    const realtimeLog = log('realtime');
    const realtime = new RealtimeHub(redis, subscriber, keys, (error) =>
      realtimeLog.warn({ err: error }, 'unreadable realtime frame'),
    );
    // Only the process that committed a change sends it to the LiveKit room: every process hears the
    // pub/sub frame, but the room must get each revision once.
    const outbound = new OutboundPolicy({ allow: options.allowPrivateNetworks });
    const replayReturns = new ReplayReturns(
      () => program,
      (eventId, error) => app.log.warn({ err: error, eventId }, 'replay return failed'),
    );
    const program = new ProgramService(redis, keys, {
      switchLogMaxEntries: options.logStreamMaxEntries,
      vet: (command) => vetCommand(outbound, command),
      onCommitted: (eventId, message) => {
        replayReturns.handle(eventId, message.state);
        if (livekit === null) return;
        // Redis can fail between the commit and this read: the room then misses this revision (the next
        // one carries the whole state), and the controller lives on.
        app.events
          .get(eventId)
          .then((event) => event !== null && livekit.sendState(event.room, message))
          .catch((error: unknown) =>
            livekitLog.warn(
              { err: error, eventId, revision: message.state.revision },
              'LiveKit relay: could not read the event',
            ),
          );
      },
    });
    const presence = new PresenceTracker(redis, keys, realtime, processId);
    const socketLog = log('sockets');
    const sockets = new SocketRegistry(options.socketLimits, (reason, open) =>
      socketLog.info({ eventId: open.eventId, role: open.auth.role, reason }, 'websocket dropped'),
    );
    const apiKeys = new KeyStore(redis, keys, options.adminKey);
    realtime.onRevocation((revocation) => {
      apiKeys.forget(revocation);
      sockets.revoke(revocation);
    });

    app.decorate('redis', redis);
    app.decorate('redisKeys', keys);
    app.decorate('outbound', outbound);
    app.decorate('events', new EventStore(redis, keys));
    app.decorate('program', program);
    app.decorate('cameras', new CameraRegistry(redis, keys, realtime));
    app.decorate('apiKeys', apiKeys);
    app.decorate('eventLog', new EventLog(redis, keys, options.logStreamMaxEntries));
    app.decorate('switchLog', new SwitchLog(redis, keys));
    app.decorate('presence', presence);
    app.decorate('realtime', realtime);
    const audioMeters = new AudioMeterBoard(realtime);
    app.decorate('audioMeters', audioMeters);
    app.decorate('chat', new ChatService(redis, keys, realtime));
    app.decorate('sockets', sockets);
    app.decorate('livekit', livekit);
    app.decorate('iceServers', options.iceServers);
    app.decorate('publicUrl', {
      getter(): string {
        if (options.publicUrl !== null) return options.publicUrl.replace(/\/+$/, '');
        const address = app.server.address();
        if (address === null || typeof address === 'string') return 'http://127.0.0.1';
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
      },
    });
    app.decorate('deviceUrl', {
      getter(): string {
        return options.publicUrl === null ? (options.lanUrl() ?? app.publicUrl) : app.publicUrl;
      },
    });
    app.decorate('processId', processId);

    await realtime.start();
    presence.start();
    sockets.start();

    // Reverse order of start: stop taking part, then drain sends, then drop the connections.
    app.addHook('onClose', async () => {
      replayReturns.close();
      sockets.close();
      await presence.close();
      audioMeters.close();
      realtime.close();
      await livekit?.close();
      await subscriber.quit();
      await redis.quit();
    });
  },
  { name: 'pitchside-services' },
);
