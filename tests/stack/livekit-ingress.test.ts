// LiveKit Ingress (RTMP/WHIP cameras) in the production stack: ingress.yaml against livekit.yaml, the
// compose service and .env.example, the way Ingress and LiveKit would read them; every port a host-network
// service opens is distinct; and the self-hosting guide opens and proxies what encoders connect to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  composeConfig,
  envExample,
  envVariant,
  hostPort,
  readYamlFile,
  ROOT,
  type ComposeConfig,
} from './stack-files.ts';

interface IngressYaml {
  api_key?: string;
  api_secret?: string;
  ws_url: string;
  redis: { address: string };
  rtmp_port: number;
  whip_port: number;
  http_relay_port: number;
  health_port: number;
  rtc_config: { udp_port: number; use_external_ip: boolean };
  cpu_cost: { rtmp_cpu_cost: number; whip_cpu_cost: number; whip_bypass_transcoding_cpu_cost: number };
}
interface LiveKitYaml {
  port: number;
  redis: { address: string };
  rtc: { tcp_port: number; port_range_start: number; port_range_end: number };
  ingress: { rtmp_base_url: string; whip_base_url: string };
}

const ingress = readYamlFile<IngressYaml>(join(ROOT, 'ingress.yaml'));
const livekit = readYamlFile<LiveKitYaml>(join(ROOT, 'livekit.yaml'));
const egress = readYamlFile<{ health_port: number }>(join(ROOT, 'egress.yaml'));
const selfHosting = readFileSync(join(ROOT, 'docs/self-hosting.md'), 'utf8');
const env = envExample();
const apiSecret = 's'.repeat(48);
let compose: ComposeConfig;
beforeAll(async () => {
  ({ config: compose } = await composeConfig(await envVariant({ LIVEKIT_API_SECRET: apiSecret })));
});

describe('LiveKit Ingress in the stack', () => {
  it('runs in the livekit profile with the LiveKit key from .env, after LiveKit, probing its health port', () => {
    const service = compose.services.ingress!;
    expect(service.profiles).toEqual(['livekit']);
    expect(service.network_mode).toBe('host');
    expect(ingress.api_key).toBeUndefined();
    expect(ingress.api_secret).toBeUndefined();
    expect(service.environment).toMatchObject({
      INGRESS_CONFIG_FILE: '/etc/ingress.yaml',
      LIVEKIT_API_KEY: env.get('LIVEKIT_API_KEY'),
      LIVEKIT_API_SECRET: apiSecret,
    });
    expect(service.volumes).toContain(`${join(ROOT, 'ingress.yaml')}:/etc/ingress.yaml:ro`);
    expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(['livekit', 'redis']);
    expect([service.healthcheck!.test].flat().join(' ')).toContain(`127.0.0.1:${ingress.health_port}/`);
  });

  it('shares LiveKit’s Redis and joins rooms through LiveKit on this host', () => {
    expect(hostPort(ingress.redis.address)).toBe(hostPort(livekit.redis.address));
    expect(hostPort(ingress.ws_url)).toBe(`127.0.0.1:${livekit.port}`);
  });

  it('gives encoders URLs on the LiveKit host name: RTMP straight to Ingress, WHIP through the proxy over TLS', () => {
    const livekitHost = new URL(env.get('LIVEKIT_URL')!).hostname;
    const rtmp = new URL(livekit.ingress.rtmp_base_url);
    expect(rtmp.protocol).toBe('rtmp:');
    expect(rtmp.hostname).toBe(livekitHost);
    expect(Number(rtmp.port)).toBe(ingress.rtmp_port);
    const whip = new URL(livekit.ingress.whip_base_url);
    expect(whip.protocol).toBe('https:');
    expect(whip.hostname).toBe(livekitHost);
    expect(whip.pathname).toBe('/w');
  });

  it('opens no port another host-network service already uses', () => {
    const tcp: Array<[string, number]> = [
      ['redis', Number(/--port (\d+)/.exec([compose.services.redis!.command].flat().join(' '))![1])],
      ['controller', Number(env.get('PORT'))],
      ['livekit', livekit.port],
      ['livekit rtc tcp', livekit.rtc.tcp_port],
      ['egress health', egress.health_port],
      ['ingress rtmp', ingress.rtmp_port],
      ['ingress whip', ingress.whip_port],
      ['ingress relay', ingress.http_relay_port],
      ['ingress health', ingress.health_port],
    ];
    const seen = new Map<number, string>();
    for (const [name, port] of tcp) {
      expect(Number.isInteger(port) && port > 0, name).toBe(true);
      expect(seen.get(port), `${name} and ${seen.get(port)} both use ${port}`).toBeUndefined();
      seen.set(port, name);
    }
    const udp = ingress.rtc_config.udp_port;
    expect(udp < livekit.rtc.port_range_start || udp > livekit.rtc.port_range_end).toBe(true);
    expect(ingress.rtc_config.use_external_ip).toBe(true);
  });

  it('admits transcoded streams at a real cost and forwarded WHIP at a small one', () => {
    expect(ingress.cpu_cost.rtmp_cpu_cost).toBeGreaterThanOrEqual(1);
    expect(ingress.cpu_cost.whip_cpu_cost).toBe(ingress.cpu_cost.rtmp_cpu_cost);
    expect(ingress.cpu_cost.whip_bypass_transcoding_cpu_cost).toBeLessThan(ingress.cpu_cost.whip_cpu_cost);
  });

  it('the self-hosting guide opens the encoder ports and proxies WHIP to Ingress', () => {
    expect(selfHosting).toContain(`ufw allow ${ingress.rtmp_port}/tcp`);
    expect(selfHosting).toContain(`ufw allow ${ingress.rtc_config.udp_port}/udp`);
    expect(selfHosting).toMatch(new RegExp(`handle /w/\\* \\{\\s*reverse_proxy 127\\.0\\.0\\.1:${ingress.whip_port}`));
  });
});
