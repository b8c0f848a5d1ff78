import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config.ts';

describe('configuration', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ PORT: 8080, REDIS_URL: '', OUTPUT_BACKEND: 'builtin', LOG_LEVEL: 'info' });
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
