// How other devices and services reach this controller: the base URL Egress and the recorder load the
// template from, the base of links opened on another device, and the ICE servers direct cameras use.
import fp from 'fastify-plugin';
import type { IceServer } from '../../../protocol/index.ts';

export interface AddressesPluginOptions {
  /** Base URL pages and QR codes point at (PUBLIC_URL); null = this server's own listening address. */
  publicUrl: string | null;
  /** The LAN HTTPS address, when one is listening (see AppOptions.lanUrl). */
  lanUrl: () => string | null;
  /** STUN/TURN for direct cameras (ICE_SERVERS); empty = host candidates only. */
  iceServers: IceServer[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** PUBLIC_URL, else this server's own listening address: what Egress and the recorder load the template from. */
    publicUrl: string;
    /**
     * Base of links people open on another device (a phone's camera join link and its QR code): PUBLIC_URL,
     * else the LAN HTTPS address (a phone needs HTTPS for its camera), else the listening address.
     */
    deviceUrl: string;
    iceServers: IceServer[];
  }
}

export const addressesPlugin = fp<AddressesPluginOptions>(
  async (app, options) => {
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
    app.decorate('iceServers', options.iceServers);
  },
  { name: 'pitchside-addresses' },
);
