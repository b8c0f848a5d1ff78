// The sponsor audience sampler (services/sponsor-audience.ts), run on every controller process.
import fp from 'fastify-plugin';
import { PeriodicTask } from '../../../runtime/periodic-task.ts';
import { SponsorAudience } from '../../services/sponsor-audience.ts';

export interface SponsorAudiencePluginOptions {
  /** How often to sample; left out, SPONSOR_AUDIENCE_SAMPLE_MS. */
  intervalMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    sponsorAudience: SponsorAudience;
  }
}

export const sponsorAudiencePlugin = fp<SponsorAudiencePluginOptions>(
  async (app, options) => {
    const audience = new SponsorAudience({
      redis: app.redis,
      keys: app.redisKeys,
      eventIds: async () => (await app.events.list()).map((e) => e.id),
      state: (eventId) => app.program.getState(eventId),
      viewers: async (eventId) => (await app.presence.count(eventId)).viewers,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    });
    const task = new PeriodicTask({
      name: 'sponsor audience sample',
      intervalMs: audience.intervalMs,
      log: app.log.child({ component: 'sponsors' }),
      run: () => audience.sampleAll(),
    });
    app.decorate('sponsorAudience', audience);
    app.addHook('onReady', () => task.start());
    app.addHook('onClose', () => task.close());
  },
  {
    name: 'pitchside-sponsor-audience',
    dependencies: ['pitchside-redis', 'pitchside-events', 'pitchside-presence', 'pitchside-program'],
  },
);
