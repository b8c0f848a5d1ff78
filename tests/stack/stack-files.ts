// Reads the production stack's files the way Docker Compose, LiveKit and Egress would: the compose file
// through the real `docker-compose config` (Debian's client; it needs no engine), the YAML files with
// duplicate keys as errors, and .env.example as the env file compose is given.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../..');
export const COMPOSE_FILE = join(ROOT, 'docker/compose.yaml');
export const ENV_EXAMPLE = join(ROOT, '.env.example');

/** The profile that adds LiveKit server and Egress; without it the stack is the built-in recorder only. */
export const LIVEKIT_PROFILE = 'livekit';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string | null>;
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  network_mode?: string;
  init?: boolean;
}
export interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function readYamlFile<T>(path: string): T {
  return parseYaml(readFileSync(path, 'utf8'), { uniqueKeys: true, strict: true }) as T;
}

/** KEY=value lines of an env file, in order (comments and blank lines skipped). */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env.set(match[1]!, match[2]!);
  }
  return env;
}

export function envExample(): Map<string, string> {
  return parseEnvFile(readFileSync(ENV_EXAMPLE, 'utf8'));
}

/** Writes .env.example with some values replaced, for a variant (e.g. the built-in-only profile). */
export async function envVariant(overrides: Record<string, string>): Promise<string> {
  const env = new Map([...envExample(), ...Object.entries(overrides)]);
  const dir = await mkdtemp(join(tmpdir(), 'pitchside-env-'));
  const file = join(dir, '.env');
  await writeFile(file, [...env].map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}

export interface ComposeResult {
  config: ComposeConfig;
  stderr: string;
}

/** `docker-compose --env-file <file> -f docker/compose.yaml config`: compose's own validation + interpolation. */
export async function composeConfig(envFile = ENV_EXAMPLE): Promise<ComposeResult> {
  // A clean environment: only the env file may supply variables, as on a fresh server.
  const { stdout, stderr } = await promisify(execFile)(
    'docker-compose',
    ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  return { config: parseYaml(stdout) as ComposeConfig, stderr };
}

/** The services `docker compose up` starts with these profiles (compose spec: no profiles = always). */
export function activeServices(config: ComposeConfig, profiles: string[]): string[] {
  return Object.entries(config.services)
    .filter(
      ([, service]) => (service.profiles ?? []).length === 0 || service.profiles!.some((p) => profiles.includes(p)),
    )
    .map(([name]) => name);
}

/** host:port of a redis:// or ws:// URL, or of a bare host:port. */
export function hostPort(address: string): string {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return `${url.hostname}:${url.port}`;
}
