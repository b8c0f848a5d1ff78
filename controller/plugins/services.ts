// The controller's long-lived services, one plugin each (plugins/app/), registered in dependency order.
// Each declares the services it needs (fastify-plugin `dependencies`: registering one before them fails at
// start) and closes its own in an onClose hook; Fastify runs those in reverse order of registration, so a
// service closes before the ones it depends on: program, sockets, presence, realtime, LiveKit, Redis last.
import fp from 'fastify-plugin';
import type { IceServer } from '../../protocol/index.ts';
import type { LiveKitSettings } from '../services/livekit-bridge.ts';
import type { SocketLimits } from '../services/socket-registry.ts';
import { addressesPlugin } from './app/addresses.ts';
import { apiKeysPlugin } from './app/api-keys.ts';
import { audioMetersPlugin } from './app/audio-meters.ts';
import { camerasPlugin } from './app/cameras.ts';
import { chatPlugin } from './app/chat.ts';
import { commentaryPlugin } from './app/commentary.ts';
import { dataFeedPlugin } from './app/data-feed.ts';
import { eventLogPlugin } from './app/event-log.ts';
import { eventsPlugin } from './app/events.ts';
import { livekitPlugin } from './app/livekit.ts';
import { ografPlugin } from './app/ograf.ts';
import { outboundPlugin } from './app/outbound.ts';
import { presencePlugin } from './app/presence.ts';
import { programPlugin } from './app/program.ts';
import { realtimePlugin } from './app/realtime.ts';
import { replayClipsPlugin } from './app/replay-clips.ts';
import { redisPlugin } from './app/redis.ts';
import { socketsPlugin } from './app/sockets.ts';
import { sponsorAudiencePlugin } from './app/sponsor-audience.ts';
import { switchLogPlugin } from './app/switch-log.ts';
import { uploadQuotaPlugin } from './app/upload-quota.ts';

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
  /** PITCHSIDE_DATA_DIR: the cameras' ISO segments and replay clips are under its iso/. */
  dataDir: string;
  /** How long a replay mark waits for ISO segments on their way (REPLAY_ISO_WAIT_MS). */
  replayIsoWaitMs: number;
  /** Free space uploads leave in the data dir's file system (UPLOAD_MIN_FREE_BYTES). */
  uploadMinFreeBytes: number;
}

export const servicesPlugin = fp<ServicesOptions>(
  async (app, options) => {
    await app.register(redisPlugin, { redisUrl: options.redisUrl, keyPrefix: options.keyPrefix });
    await app.register(livekitPlugin, { livekit: options.livekit });
    await app.register(realtimePlugin);
    await app.register(outboundPlugin, { allowPrivateNetworks: options.allowPrivateNetworks });
    await app.register(eventsPlugin);
    await app.register(switchLogPlugin);
    await app.register(eventLogPlugin, { logStreamMaxEntries: options.logStreamMaxEntries });
    await app.register(uploadQuotaPlugin, { dataDir: options.dataDir, minFreeBytes: options.uploadMinFreeBytes });
    await app.register(camerasPlugin);
    await app.register(audioMetersPlugin);
    await app.register(chatPlugin, { ticketSecret: options.adminKey });
    await app.register(apiKeysPlugin, { adminKey: options.adminKey });
    await app.register(presencePlugin);
    await app.register(socketsPlugin, { socketLimits: options.socketLimits });
    await app.register(replayClipsPlugin, { dataDir: options.dataDir, replayIsoWaitMs: options.replayIsoWaitMs });
    await app.register(ografPlugin);
    await app.register(programPlugin, { logStreamMaxEntries: options.logStreamMaxEntries, dataDir: options.dataDir });
    await app.register(sponsorAudiencePlugin);
    await app.register(commentaryPlugin);
    await app.register(dataFeedPlugin);
    await app.register(addressesPlugin, {
      publicUrl: options.publicUrl,
      lanUrl: options.lanUrl,
      iceServers: options.iceServers,
    });
  },
  { name: 'pitchside-services' },
);
