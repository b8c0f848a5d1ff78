// Setup file of the unit lane (vitest.config.ts UNIT_TESTS): its files start no child process, so no
// Chromium, ffmpeg or spawned Node either. Every way node:child_process starts one is replaced in this test
// worker by a refusal, and a file that tried fails after its tests even if the code under test caught the
// error: a file that needs a process belongs in the integration project, where it does not slow the lane.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterAll } from 'vitest';

const STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

// The CommonJS object is the one puppeteer and every other dependency call; syncBuiltinESMExports carries
// the change to `import { spawn } from 'node:child_process'` as well.
const childProcess = createRequire(import.meta.url)('node:child_process') as Record<string, unknown>;
const refused: string[] = [];
for (const name of STARTERS) {
  childProcess[name] = (command: unknown) => {
    refused.push(`${name}(${String(command)})`);
    throw new Error(`unit lane: ${name}(${String(command)}) refused; a file that starts processes is not a unit test`);
  };
}
syncBuiltinESMExports();

afterAll(() => {
  if (refused.length > 0)
    throw new Error(`unit lane: this file started ${refused.join(', ')}; move it out of UNIT_TESTS (vitest.config.ts)`);
});
