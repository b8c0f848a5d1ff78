// The cameras' ISO segments and the replay clips cut from them. The program service asks the clips to vet
// every command that plays or cues one, so every door (HTTP, socket, obs-websocket) refuses the same clips.
import { resolve } from 'node:path';
import fp from 'fastify-plugin';
import { IsoStore } from '../../services/iso-store.ts';
import { ReplayClips } from '../../services/replay-clips.ts';

export interface ReplayClipsPluginOptions {
  /** PITCHSIDE_DATA_DIR: the cameras' ISO segments and replay clips are under its iso/. */
  dataDir: string;
  /** How long a replay mark waits for ISO segments on their way (REPLAY_ISO_WAIT_MS). */
  replayIsoWaitMs: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The cameras' ISO segments (replay and re-render sources). */
    iso: IsoStore;
    /** Replay clips; their check applies to every command that plays or cues one. */
    replayClips: ReplayClips;
  }
}

export const replayClipsPlugin = fp<ReplayClipsPluginOptions>(
  async (app, options) => {
    const iso = new IsoStore(app.redis, app.redisKeys, resolve(options.dataDir, 'iso'));
    app.decorate('iso', iso);
    app.decorate('replayClips', new ReplayClips(app.redis, app.redisKeys, iso, options.replayIsoWaitMs));
  },
  { name: 'pitchside-replay-clips', dependencies: ['pitchside-redis'] },
);
