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

interface LiveKitYaml {
  port: number;
  keys?: unknown;
  redis: { address: string };
  rtc: { tcp_port: number; port_range_start: number; port_range_end: number; use_external_ip: boolean };
  room: { empty_timeout: number; departure_timeout: number };
  webhook: { api_key: string; urls: string[] };
}
interface EgressYaml {
  api_key?: string;
  api_secret?: string;
  ws_url: string;
  insecure: boolean;
  redis: { address: string };
  health_port: number;
  template_base: string;
  cpu_cost: { room_composite_cpu_cost: number; web_cpu_cost: number };
  chrome_flags: Record<string, string | number | boolean>;
}

const livekit = readYamlFile<LiveKitYaml>(join(ROOT, 'livekit.yaml'));
const egress = readYamlFile<EgressYaml>(join(ROOT, 'egress.yaml'));
const env = envExample();
let compose: ComposeConfig;
const apiSecret = 's'.repeat(48);
beforeAll(async () => {
  ({ config: compose } = await composeConfig(await envVariant({ LIVEKIT_API_SECRET: apiSecret })));
});

describe('livekit.yaml and egress.yaml', () => {
  it('keep secrets out: keys come from .env through the compose environment', () => {
    expect(livekit.keys).toBeUndefined();
    expect(egress.api_key).toBeUndefined();
    expect(egress.api_secret).toBeUndefined();
    const apiKey = env.get('LIVEKIT_API_KEY')!;
    // LiveKit server: LIVEKIT_KEYS="key: secret"; Egress reads LIVEKIT_API_KEY/SECRET (its documented env).
    expect(compose.services.livekit!.environment?.LIVEKIT_KEYS).toBe(`${apiKey}: ${apiSecret}`);
    expect(compose.services.egress!.environment).toMatchObject({
      LIVEKIT_API_KEY: apiKey,
      LIVEKIT_API_SECRET: apiSecret,
    });
    // LiveKit signs webhooks with a key it knows, and the controller verifies them with the same one.
    expect(livekit.webhook.api_key).toBe(apiKey);
  });

  it('share one Redis: the compose Redis, the one the controller and worker use', () => {
    const redisCommand = [compose.services.redis!.command].flat().join(' ');
    const redisPort = /--port (\d+)/.exec(redisCommand)?.[1];
    const redisBind = /--bind (\S+)/.exec(redisCommand)?.[1];
    const address = `${redisBind}:${redisPort}`;
    expect(hostPort(livekit.redis.address)).toBe(address);
    expect(hostPort(egress.redis.address)).toBe(address);
    expect(hostPort(env.get('REDIS_URL')!)).toBe(address);
  });

  it('point Egress at LiveKit on this host, and every internal URL at loopback (host networking)', () => {
    expect(hostPort(egress.ws_url)).toBe(`127.0.0.1:${livekit.port}`);
    expect(new URL(egress.ws_url).protocol).toBe('ws:');
    expect(egress.insecure).toBe(true);
    for (const url of [egress.template_base, ...livekit.webhook.urls]) {
      expect(hostPort(url), url).toBe(`${env.get('HOST')}:${env.get('PORT')}`);
    }
    for (const name of ['livekit', 'egress']) expect(compose.services[name]!.network_mode).toBe('host');
  });

  it('healthchecks probe the ports the configs open', () => {
    expect([compose.services.livekit!.healthcheck!.test].flat().join(' ')).toContain(`127.0.0.1:${livekit.port}/`);
    expect([compose.services.egress!.healthcheck!.test].flat().join(' ')).toContain(`127.0.0.1:${egress.health_port}/`);
  });

  it('configure media, room timeouts and Egress admission with sane values', () => {
    expect(livekit.rtc.port_range_end).toBeGreaterThan(livekit.rtc.port_range_start);
    expect(livekit.rtc.use_external_ip).toBe(true);
    expect(livekit.rtc.tcp_port).not.toBe(livekit.port);
    expect(livekit.room.empty_timeout).toBeGreaterThan(0);
    expect(livekit.room.departure_timeout).toBeGreaterThan(0);
    // Above LiveKit's default of 4 (its grid template): ours also renders WebGL on the CPU.
    expect(egress.cpu_cost.room_composite_cpu_cost).toBeGreaterThan(4);
    expect(egress.cpu_cost.web_cpu_cost).toBe(egress.cpu_cost.room_composite_cpu_cost);
    // Egress passes chrome_flags as `--name=value`; a leading dash would double up.
    for (const flag of Object.keys(egress.chrome_flags)) expect(flag).toMatch(/^[a-z][a-z0-9-]+$/);
  });
});
