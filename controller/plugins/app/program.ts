// The program service: every command through the reducer, committed with its revision. A committed change
// goes to the LiveKit room from the process that committed it (every process hears the pub/sub frame, but
// the room must get each revision once), and a replay's automatic return is scheduled from it.
import fp from 'fastify-plugin';
import { resolve } from 'node:path';
import { vetCommand } from '../../services/outbound-checks.ts';
import { LogoStore } from '../../services/logo-store.ts';
import { checkSponsorImages } from '../../services/sponsor-images.ts';
import { ProgramService } from '../../services/program-service.ts';
import { ReplayReturns } from '../../services/replay-returns.ts';

export interface ProgramPluginOptions {
  /** Switch log entries kept per event (LOG_STREAM_MAX_ENTRIES). */
  logStreamMaxEntries: number;
  /** PITCHSIDE_DATA_DIR: sponsor artwork a command names must be stored under its logos/. */
  dataDir: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    program: ProgramService;
  }
}

export const programPlugin = fp<ProgramPluginOptions>(
  async (app, options) => {
    const { livekit, outbound } = app;
    const livekitLog = app.log.child({ component: 'livekit' });
    const replayReturns = new ReplayReturns(
      () => program,
      (eventId, error) => app.log.warn({ err: error, eventId }, 'replay return failed'),
    );
    const images = new LogoStore(resolve(options.dataDir, 'logos'));
    const program = new ProgramService(app.redis, app.redisKeys, {
      switchLogMaxEntries: options.logStreamMaxEntries,
      // Only batches with an OGraf command read the event's graphics (one Redis round trip).
      context: (eventId, commands) =>
        commands.some((command) => command.type === 'ograf.load' || command.type === 'ograf.update')
          ? app.ograf.catalog(eventId).then((ograf) => ({ ograf }))
          : null,
      vet: (eventId, command) =>
        vetCommand(outbound, command) ??
        app.replayClips.checkCommand(eventId, command) ??
        checkSponsorImages(images, command),
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
    app.decorate('program', program);
    app.addHook('onClose', async () => {
      replayReturns.close();
    });
  },
  {
    name: 'pitchside-program',
    dependencies: [
      'pitchside-redis',
      'pitchside-outbound',
      'pitchside-events',
      'pitchside-livekit',
      'pitchside-replay-clips',
      'pitchside-ograf',
    ],
  },
);
