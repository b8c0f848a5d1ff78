import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CHROMIUM_PATH,
  DEFAULT_WS_MAX_BUFFERED_BYTES,
  DEFAULT_WS_MAX_SOCKETS_PER_ADDRESS,
  DEFAULT_WS_MAX_SOCKETS_PER_KEY,
  DEFAULT_WS_PING_INTERVAL_MS,
  loadConfig,
} from '../../runtime/config.ts';

describe('configuration', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ PORT: 8080, REDIS_URL: '', OUTPUT_BACKEND: 'builtin', LOG_LEVEL: 'info' });
    expect(config).toMatchObject({
      CHROMIUM_PATH: DEFAULT_CHROMIUM_PATH,
      WS_MAX_SOCKETS_PER_ADDRESS: DEFAULT_WS_MAX_SOCKETS_PER_ADDRESS,
      WS_MAX_SOCKETS_PER_KEY: DEFAULT_WS_MAX_SOCKETS_PER_KEY,
      WS_MAX_BUFFERED_BYTES: DEFAULT_WS_MAX_BUFFERED_BYTES,
      WS_PING_INTERVAL_MS: DEFAULT_WS_PING_INTERVAL_MS,
    });
  });

  it('takes the WebSocket limits and the Chromium binary from the environment', () => {
    const config = loadConfig(
      {},
      {
        CHROMIUM_PATH: '/opt/chromium/chrome',
        WS_MAX_SOCKETS_PER_ADDRESS: '8',
        WS_MAX_SOCKETS_PER_KEY: '500',
        WS_MAX_BUFFERED_BYTES: '524288',
        WS_PING_INTERVAL_MS: '30000',
      },
    );
    expect(config).toMatchObject({
      CHROMIUM_PATH: '/opt/chromium/chrome',
      WS_MAX_SOCKETS_PER_ADDRESS: 8,
      WS_MAX_SOCKETS_PER_KEY: 500,
      WS_MAX_BUFFERED_BYTES: 524288,
      WS_PING_INTERVAL_MS: 30000,
    });
  });

  it.each([
    ['WS_MAX_SOCKETS_PER_ADDRESS', '0'],
    ['WS_MAX_SOCKETS_PER_KEY', 'many'],
    ['WS_MAX_BUFFERED_BYTES', '1024'],
    ['WS_PING_INTERVAL_MS', '-5'],
    ['CHROMIUM_PATH', ''],
  ])('refuses %s=%s, naming it', (variable, value) => {
    expect(() => loadConfig({}, { [variable]: value })).toThrow(new RegExp(`^Configuration: ${variable} `));
  });

  it('stops on a wrong value, naming the variable', () => {
    expect(() => loadConfig({}, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({}, { REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({}, { OUTPUT_BACKEND: 'obs' })).toThrow(/OUTPUT_BACKEND/);
  });

  it('needs the three LiveKit variables together, and LiveKit for the egress backend', () => {
    expect(() => loadConfig({}, { LIVEKIT_URL: 'wss://lk.example.org' })).toThrow(/LIVEKIT_API_KEY/);
    expect(() => loadConfig({}, { OUTPUT_BACKEND: 'egress' })).toThrow(/LIVEKIT_URL/);
    const config = loadConfig(
      {},
      { LIVEKIT_URL: 'wss://lk', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's', OUTPUT_BACKEND: 'egress' },
    );
    expect(config.OUTPUT_BACKEND).toBe('egress');
  });
});
