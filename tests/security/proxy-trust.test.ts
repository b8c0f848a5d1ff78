// Hole 6 (issue 11): with PUBLIC_URL set the controller believed any X-Forwarded-For, so a client that
// wrote a new address into every request escaped the failed-auth and join-code limits. Now only the
// proxies TRUST_PROXY names are believed (default: none).
import { describe, expect, it } from 'vitest';
import { JOIN_ATTEMPT_LIMIT } from '../../controller/routes/cameras.ts';
import { ConfigError, loadConfig } from '../../runtime/config.ts';
import { seedEvent, testApp } from '../controller/controller-helpers.ts';

const FAILURE_LIMIT = 5;

async function appWith(settings: { TRUST_PROXY?: string }) {
  const app = await testApp({
    config: loadConfig({ PORT: 0, PUBLIC_URL: 'https://pitchside.example.org', ...settings }, {}),
    authFailureLimit: FAILURE_LIMIT,
  });
  await seedEvent(app);
  return app;
}

type App = Awaited<ReturnType<typeof appWith>>;

const badKey = (app: App, forwardedFor: string, remoteAddress = '127.0.0.1') =>
  app.inject({
    url: '/api/events/match/state',
    headers: { authorization: 'Bearer not-a-key', 'x-forwarded-for': forwardedFor },
    remoteAddress,
  });

const guess = (app: App, forwardedFor: string, remoteAddress = '127.0.0.1') =>
  app.inject({
    method: 'POST',
    url: '/api/join',
    headers: { 'x-forwarded-for': forwardedFor },
    payload: { code: 'ZZZZZZZZZZ' },
    remoteAddress,
  });

describe('proxy trust', () => {
  it('without TRUST_PROXY, a forged X-Forwarded-For escapes neither the failed-auth nor the join limit', async () => {
    const app = await appWith({});
    for (let n = 0; n < FAILURE_LIMIT; n++) expect((await badKey(app, `198.51.100.${n}`)).statusCode).toBe(401);
    expect((await badKey(app, '198.51.100.200')).statusCode).toBe(429);

    const joins = await appWith({});
    for (let n = 0; n < JOIN_ATTEMPT_LIMIT; n++) expect((await guess(joins, `203.0.113.${n}`)).statusCode).toBe(404);
    expect((await guess(joins, '203.0.113.250')).statusCode).toBe(429);
  });

  it('with TRUST_PROXY=1, the proxy names each client: one is limited, another is not, and a forged prefix is ignored', async () => {
    const app = await appWith({ TRUST_PROXY: '1' });
    // The attacker prepends a fresh address each time; the proxy appends the one it saw.
    for (let n = 0; n < FAILURE_LIMIT; n++)
      expect((await badKey(app, `10.9.9.${n}, 198.51.100.7`)).statusCode).toBe(401);
    expect((await badKey(app, '10.9.9.99, 198.51.100.7')).statusCode).toBe(429);
    expect((await badKey(app, '198.51.100.8')).statusCode).toBe(401);
  });

  it('with proxy addresses, only a request from one of them is believed', async () => {
    const app = await appWith({ TRUST_PROXY: '10.0.0.5,fd00::/8' });
    // Straight from the internet (not the proxy): the header is the client's own invention.
    for (let n = 0; n < FAILURE_LIMIT; n++)
      expect((await badKey(app, `198.51.100.${n}`, '203.0.113.9')).statusCode).toBe(401);
    expect((await badKey(app, '198.51.100.99', '203.0.113.9')).statusCode).toBe(429);
    // Through the proxy, another client is counted on its own.
    expect((await badKey(app, '198.51.100.50', '10.0.0.5')).statusCode).toBe(401);
  });

  it('refuses a TRUST_PROXY that is neither a hop count nor addresses, naming it', () => {
    for (const value of ['true', '0', '99', 'proxy.example.org', '10.0.0.0/99']) {
      expect(() => loadConfig({ TRUST_PROXY: value }, {}), value).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value }, {}), value).toThrow(/TRUST_PROXY/);
    }
    expect(loadConfig({}, {}).TRUST_PROXY).toBe('');
  });
});
