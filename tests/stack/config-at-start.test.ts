// A wrong value in .env must stop a container at once, with a message naming the variable, rather than
// start half-configured. Spawned the way the images run the processes (node --import tsx <entry>).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config.ts';
import { ROOT } from './stack-files.ts';

/** Far above a failing start (tsx compile + schema check), far below a process that kept running. */
const EXIT_DEADLINE_MS = 30_000;

interface Exit {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function runEntry(entry: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, EXIT_DEADLINE_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

describe('the configuration message', () => {
  it('names each wrong variable and what it expects, without echoing values', () => {
    const message = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig({}, env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('no ConfigError');
    };
    expect(message({ PORT: 'abc' })).toBe('Configuration: PORT must be integer');
    expect(message({ OUTPUT_BACKEND: 'obs-secret' })).toBe(
      'Configuration: OUTPUT_BACKEND must be one of builtin, egress',
    );
    expect(message({ PORT: '-1', LOG_LEVEL: 'loud' })).toMatch(
      /^Configuration: PORT must be >= 0; LOG_LEVEL must be one of fatal, .*silent$/,
    );
  });
});

describe.each([
  { entry: 'controller/server.ts', variable: 'PORT', value: 'abc', expects: 'must be integer' },
  { entry: 'worker/main.ts', variable: 'OUTPUT_BACKEND', value: 'obs', expects: 'must be one of builtin, egress' },
  { entry: 'controller/server.ts', variable: 'WS_MAX_SOCKETS_PER_KEY', value: '0', expects: 'must be >= 1' },
  { entry: 'controller/server.ts', variable: 'WS_MAX_BUFFERED_BYTES', value: 'lots', expects: 'must be integer' },
  { entry: 'worker/main.ts', variable: 'CHROMIUM_PATH', value: '', expects: 'must NOT have fewer than 1 characters' },
])('$entry with $variable=$value', ({ entry, variable, value, expects }) => {
  it('exits non-zero at start with a message naming the variable', { timeout: EXIT_DEADLINE_MS + 5_000 }, async () => {
    const exit = await runEntry(entry, { [variable]: value, PITCHSIDE_DATA_DIR: '/nonexistent/pitchside-test' });
    expect(exit.timedOut, exit.output).toBe(false);
    expect(exit.code, exit.output).not.toBe(0);
    expect(exit.output).toContain(`${variable} ${expects}`);
  });
});
