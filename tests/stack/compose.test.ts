import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from '../../runtime/config.ts';
import {
  activeServices,
  composeConfig,
  COMPOSE_FILE,
  envExample,
  envVariant,
  LIVEKIT_PROFILE,
  ROOT,
  type ComposeConfig,
} from './stack-files.ts';

const CONFIG_VARIABLES = Object.keys(ConfigSchema.properties).sort();
/** Variables compose itself reads from the env file. */
const COMPOSE_VARIABLES = ['COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME'];
const PITCHSIDE_SERVICES = ['controller', 'worker'];

let full: ComposeConfig;
let fullStderr: string;

/** What a broadcaster fills in before the first start (.env.example leaves the secret empty). */
const FILLED_IN = { LIVEKIT_API_SECRET: 'x'.repeat(48) };

beforeAll(async () => {
  ({ config: full, stderr: fullStderr } = await composeConfig(await envVariant(FILLED_IN)));
});

describe('docker/compose.yaml with .env.example', () => {
  it('is valid for docker-compose, and every variable it interpolates is set by the env file', () => {
    expect(Object.keys(full.services).sort()).toEqual([
      'controller',
      'egress',
      'ingress',
      'livekit',
      'redis',
      'worker',
    ]);
    // docker-compose warns "The X variable is not set" for a ${X} the env file lacks.
    expect(fullStderr).not.toMatch(/variable is not set/i);
    const referenced = [...readFileSync(COMPOSE_FILE, 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!);
    const env = envExample();
    expect(referenced.length).toBeGreaterThan(0);
    expect(referenced.filter((name) => !env.has(name))).toEqual([]);
  });

  it('.env.example lists exactly the configuration schema plus compose settings', () => {
    const keys = [...envExample().keys()];
    expect(keys.filter((k) => !COMPOSE_VARIABLES.includes(k)).sort()).toEqual(CONFIG_VARIABLES);
    expect(envExample().get('COMPOSE_PROFILES')).toBe(LIVEKIT_PROFILE);
  });

  it('ships no usable secret: as committed, the processes refuse to start until LIVEKIT_API_SECRET is set', async () => {
    expect(envExample().get('LIVEKIT_API_SECRET')).toBe('');
    const { config } = await composeConfig();
    expect(() => loadConfig({}, config.services.controller!.environment as NodeJS.ProcessEnv)).toThrow(
      /LIVEKIT_API_SECRET/,
    );
  });

  it('gives the controller and the worker every configuration variable, and the values pass the schema', () => {
    for (const name of PITCHSIDE_SERVICES) {
      const environment = full.services[name]!.environment ?? {};
      expect(Object.keys(environment).sort(), name).toEqual(CONFIG_VARIABLES);
      const config = loadConfig({}, environment as NodeJS.ProcessEnv);
      expect(config.OUTPUT_BACKEND).toBe('egress');
      expect(config.REDIS_URL).toBe(envExample().get('REDIS_URL'));
    }
  });

  it('builds the Pitchside images from Dockerfiles that exist, with the repository as context', () => {
    for (const name of PITCHSIDE_SERVICES) {
      const build = full.services[name]!.build;
      expect(build, name).toBeDefined();
      expect(relative(ROOT, build!.context)).toBe('');
      expect(existsSync(join(build!.context, build!.dockerfile)), build!.dockerfile).toBe(true);
    }
    for (const name of ['redis', 'livekit', 'egress', 'ingress']) {
      // Pinned: a broadcast stack does not change versions on a restart.
      expect(full.services[name]!.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+/);
    }
  });

  it('declares every named volume and mounts only files that exist', () => {
    const declared = Object.keys(full.volumes ?? {});
    for (const [name, service] of Object.entries(full.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('/')) expect(existsSync(source), `${name}: ${source}`).toBe(true);
        else expect(declared, `${name}: ${source}`).toContain(source);
      }
    }
    // The data volume is mounted where PITCHSIDE_DATA_DIR says, in every service that writes files.
    const dataDir = envExample().get('PITCHSIDE_DATA_DIR');
    for (const name of [...PITCHSIDE_SERVICES, 'egress']) {
      expect(full.services[name]!.volumes, name).toContain(`pitchside-data:${dataDir}:rw`);
    }
  });

  it('runs Redis with AOF fsync every second on a volume', () => {
    const redis = full.services.redis!;
    const command = [redis.command].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync everysec/);
    expect(command).toMatch(/--dir \/data/);
    expect(redis.volumes).toContain('redis-data:/data:rw');
  });

  it('gives every service a healthcheck, host networking, and waits for healthy dependencies', () => {
    for (const [name, service] of Object.entries(full.services)) {
      expect(service.healthcheck?.test, name).toBeDefined();
      expect(service.network_mode, name).toBe('host');
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(full.services), `${name} → ${dependency}`).toContain(dependency);
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
      }
    }
    for (const name of PITCHSIDE_SERVICES) expect(full.services[name]!.init, name).toBe(true);
  });
});

describe('compose profiles', () => {
  it('the livekit profile runs the whole stack', () => {
    expect(activeServices(full, [LIVEKIT_PROFILE]).sort()).toEqual([
      'controller',
      'egress',
      'ingress',
      'livekit',
      'redis',
      'worker',
    ]);
  });

  it('without it, Redis + controller + worker run the built-in recorder, needing nothing that is off', async () => {
    // docker-compose 1.29's `config` prints every service whatever the profiles, so the selection
    // follows the compose spec here: a service without profiles always runs.
    const envFile = await envVariant({
      COMPOSE_PROFILES: '',
      OUTPUT_BACKEND: 'builtin',
      LIVEKIT_URL: '',
      LIVEKIT_API_KEY: '',
      LIVEKIT_API_SECRET: '',
    });
    const { config, stderr } = await composeConfig(envFile);
    expect(stderr).not.toMatch(/variable is not set/i);
    const active = activeServices(config, []);
    expect(active.sort()).toEqual(['controller', 'redis', 'worker']);
    for (const name of active) {
      const dependencies = Object.keys(config.services[name]!.depends_on ?? {});
      expect(
        dependencies.filter((d) => !active.includes(d)),
        name,
      ).toEqual([]);
    }
    for (const name of PITCHSIDE_SERVICES) {
      const config_ = loadConfig({}, config.services[name]!.environment as NodeJS.ProcessEnv);
      expect(config_.OUTPUT_BACKEND).toBe('builtin');
    }
  });

  it('a wrong value in .env is caught by the schema the processes run at start, naming the variable', async () => {
    const envFile = await envVariant({ ...FILLED_IN, OUTPUT_BACKEND: 'obs' });
    const { config } = await composeConfig(envFile);
    expect(() => loadConfig({}, config.services.controller!.environment as NodeJS.ProcessEnv)).toThrow(
      /OUTPUT_BACKEND/,
    );
  });
});
