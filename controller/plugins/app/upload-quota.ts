// Upload quotas and the free-space floor every door that stores a file goes through (services/upload-quota.ts).
import fp from 'fastify-plugin';
import { UploadQuota } from '../../services/upload-quota.ts';

export interface UploadQuotaPluginOptions {
  /** PITCHSIDE_DATA_DIR: where uploads are written. */
  dataDir: string;
  /** UPLOAD_MIN_FREE_BYTES. */
  minFreeBytes: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    uploads: UploadQuota;
  }
}

export const uploadQuotaPlugin = fp<UploadQuotaPluginOptions>(
  async (app, options) => {
    app.decorate(
      'uploads',
      new UploadQuota(app.redis, app.redisKeys, app.eventLog, {
        dataDir: options.dataDir,
        minFreeBytes: options.minFreeBytes,
      }),
    );
  },
  { name: 'pitchside-upload-quota', dependencies: ['pitchside-redis', 'pitchside-event-log'] },
);
