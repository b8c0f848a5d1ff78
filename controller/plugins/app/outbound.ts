// Where media URLs and destinations may point (ALLOW_PRIVATE_NETWORKS): checked when they are saved and
// again when a command or an output uses them.
import fp from 'fastify-plugin';
import { OutboundPolicy } from '../../../runtime/outbound-policy.ts';

export interface OutboundPluginOptions {
  /** Private networks media URLs and destinations may reach. */
  allowPrivateNetworks: string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where media URLs and destinations may point. */
    outbound: OutboundPolicy;
  }
}

export const outboundPlugin = fp<OutboundPluginOptions>(
  async (app, options) => {
    app.decorate('outbound', new OutboundPolicy({ allow: options.allowPrivateNetworks }));
  },
  { name: 'pitchside-outbound' },
);
