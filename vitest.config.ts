import { defineConfig } from 'vitest/config';

// Two cores: browser and ffmpeg tests are heavy, so at most two test files run at once.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Worker lifecycle lines at info would bury the test report; warnings and errors still show.
    env: { LOG_LEVEL: 'warn' },
    // The controller's routes are loaded by @fastify/autoload's import(); inlined, that import goes
    // through vitest's transform and can load the .ts route files.
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
