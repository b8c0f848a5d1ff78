// Where Pitchside may be told to connect: media source URLs (loaded by the recorder's Chromium, Egress
// and operators' browsers) and RTMP destinations (ffmpeg, Egress). A director must not be able to point
// them at the server itself (Redis on 127.0.0.1:6379), the cloud metadata service or the LAN behind it.
// Host names are resolved and every address checked; the recorder's Chromium checks each request again
// when it is made, so a name that changes its answer later (DNS rebinding) is caught where it is used.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Instance metadata services (AWS/GCP/Azure/OpenStack, AWS ECS task, AWS IPv6, Alibaba): refused even
 * when ALLOW_PRIVATE_NETWORKS covers them.
 */
export const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200'] as const;

/** Ranges no media URL or destination may reach unless ALLOW_PRIVATE_NETWORKS names them. */
const PRIVATE_RANGES = new Set(['loopback', 'linkLocal', 'private', 'uniqueLocal', 'carrierGradeNat']);
/** Ranges that are never a server to stream to or from. */
const NEVER_RANGES = new Set(['unspecified', 'broadcast', 'multicast']);

export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface OutboundPolicyOptions {
  /** CIDRs (or addresses) of private networks that may be reached after all, e.g. the venue LAN. */
  allow?: readonly string[];
  resolve?: Resolver;
}

/** Parses ALLOW_PRIVATE_NETWORKS (comma-separated CIDRs or addresses); throws naming the bad entries. */
export function parseNetworkList(text: string): string[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const wrong = entries.filter((e) => !ipaddr.isValid(e) && !ipaddr.isValidCIDR(e));
  if (wrong.length > 0) throw new Error(`not an address or CIDR: ${wrong.join(', ')}`);
  return entries;
}

export class OutboundPolicy {
  readonly #allow: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  readonly #resolve: Resolver;

  constructor(options: OutboundPolicyOptions = {}) {
    this.#allow = (options.allow ?? []).map((entry) => {
      if (ipaddr.isValidCIDR(entry)) return ipaddr.parseCIDR(entry);
      const address = ipaddr.process(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    });
    this.#resolve = options.resolve ?? systemResolver;
  }

  /** Why this address may not be reached, or null when it may. */
  refusal(address: string): string | null {
    if (!ipaddr.isValid(address)) return `"${address}" is not an address`;
    const parsed = ipaddr.process(address);
    const normal = parsed.toString();
    if (METADATA_ADDRESSES.some((m) => ipaddr.process(m).toString() === normal))
      return `${normal} is a cloud metadata address`;
    const range = parsed.range();
    if (NEVER_RANGES.has(range)) return `${normal} is a ${range} address`;
    // An IPv6 form that carries an IPv4 address reaches what that address reaches (a stack that speaks it
    // may deliver it there), so the IPv4 address is judged first, whatever the IPv6 range says.
    const embedded = embeddedIPv4(parsed);
    if (embedded !== null) {
      const why = this.refusal(embedded);
      if (why !== null) return `${normal} carries ${why}`;
    }
    if (this.#allowed(parsed)) return null;
    if (PRIVATE_RANGES.has(range))
      return `${normal} is a ${describeRange(range)} address (allow it with ALLOW_PRIVATE_NETWORKS)`;
    return null;
  }

  /**
   * Resolves the URL's host and checks every address it has; throws OutboundRefused saying why.
   * `unresolvable`: what a name with no address means now ('refuse', or 'allow' where the connection
   * is checked again when it is made).
   */
  async check(url: string, unresolvable: 'refuse' | 'allow' = 'refuse'): Promise<string[]> {
    let host: string;
    try {
      host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    } catch {
      throw new OutboundRefused(`"${url}" is not a URL`);
    }
    if (host === '') throw new OutboundRefused('the URL names no host');
    let addresses: string[];
    if (isIP(host) !== 0) addresses = [host];
    else {
      try {
        addresses = await this.#resolve(host);
      } catch (error) {
        if (unresolvable === 'allow') return [];
        throw new OutboundRefused(`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    for (const address of addresses) {
      const why = this.refusal(address);
      if (why !== null) throw new OutboundRefused(isIP(host) === 0 ? `${host} resolves to ${why}` : why);
    }
    return addresses;
  }

  #allowed(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.#allow.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  }
}

/**
 * The IPv4 address inside an IPv6 one, in every form that carries one: IPv4-mapped (::ffff:a.b.c.d, which
 * ipaddr.process already unwraps), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64
 * (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4 (2002:AABB:CCDD::) and Teredo (the client's
 * address, inverted, in the last 32 bits).
 */
function embeddedIPv4(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  if (address.kind() !== 'ipv6') return null;
  const v6 = address as ipaddr.IPv6;
  const bytes = v6.toByteArray();
  const last = bytes.slice(12);
  const zeros = (from: number, to: number): boolean => bytes.slice(from, to).every((b) => b === 0);
  switch (v6.range()) {
    case 'rfc6052':
    case 'rfc6145':
      return last.join('.');
    case '6to4':
      return bytes.slice(2, 6).join('.');
    case 'teredo':
      return last.map((b) => b ^ 0xff).join('.');
  }
  // IPv4-compatible (deprecated, but parsed by some stacks); :: and ::1 are not (judged by their range).
  if (zeros(0, 12) && !zeros(12, 14)) return last.join('.');
  return null;
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    loopback: 'loopback',
    linkLocal: 'link-local',
    private: 'private',
    uniqueLocal: 'unique-local (private)',
    carrierGradeNat: 'carrier-grade NAT',
  };
  return names[range] ?? range;
}
