// Malformed input, generated from the route table and the command schemas: every answer must be a 4xx
// with a message, never a 5xx, and nothing may change.
import { describe, expect, it } from 'vitest';
import { COMMAND_ROUTES } from '../../controller/schemas/program.ts';
import { admin, seedEvent, testApp } from './controller-helpers.ts';

interface Case {
  what: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: string | object;
  contentType?: string;
}

/**
 * Values no property of any command accepts: nested arrays, objects with unknown keys, out-of-range numbers,
 * and a number both fractional and far below every range (a fader's −1.5 dB is a real value).
 */
const POISON: unknown[] = [[[1]], { zz: 1 }, 1e15, -1000.5];

function commandCases(): Case[] {
  const cases: Case[] = [];
  for (const route of COMMAND_ROUTES) {
    const url = `/api/events/match/${route.path}`;
    const required = (route.body as { required?: string[] }).required ?? [];
    for (const property of Object.keys(route.body.properties)) {
      for (const [i, value] of POISON.entries()) {
        // 1e15 is a valid (if stale) ifRevision: it must still be a 4xx (409), and it is.
        cases.push({
          what: `${route.path} ${property}=poison#${i}`,
          method: 'POST',
          url,
          payload: { [property]: value },
        });
      }
    }
    cases.push({ what: `${route.path} extra field`, method: 'POST', url, payload: { unexpected: true } });
    if (required.length > 0)
      cases.push({ what: `${route.path} missing ${required.join(',')}`, method: 'POST', url, payload: {} });
    cases.push({
      what: `${route.path} array body`,
      method: 'POST',
      url,
      payload: '[]',
      contentType: 'application/json',
    });
    cases.push({
      what: `${route.path} bad JSON`,
      method: 'POST',
      url,
      payload: '{"source": ',
      contentType: 'application/json',
    });
  }
  return cases;
}

const HUGE = 'x'.repeat(100_000);

/** A valid new event with one thing changed: the case's mistake is the only one. */
function newEvent(change: Record<string, unknown>): Record<string, unknown> {
  return { name: 'x', sport: 'y', home: { name: 'a' }, away: { name: 'b' }, ...change };
}

function otherCases(): Case[] {
  const generic = '/api/events/match/commands';
  return [
    { what: 'unknown command type', method: 'POST', url: generic, payload: { type: 'program.explode' } },
    { what: 'type not a string', method: 'POST', url: generic, payload: { type: 42 } },
    { what: 'no type', method: 'POST', url: generic, payload: { source: 'camera-2' } },
    { what: 'take without source', method: 'POST', url: generic, payload: { type: 'program.take' } },
    {
      what: 'take, bad source id',
      method: 'POST',
      url: generic,
      payload: { type: 'program.take', source: 'Camera 2!' },
    },
    {
      what: 'take, transition too long',
      method: 'POST',
      url: generic,
      payload: { type: 'program.take', source: 'camera-2', transition: { durationMs: 999_999 } },
    },
    {
      what: 'take, unknown transition',
      method: 'POST',
      url: generic,
      payload: { type: 'program.take', source: 'camera-2', transition: { type: 'spin' } },
    },
    {
      what: 'take, unknown source',
      method: 'POST',
      url: generic,
      payload: { type: 'program.take', source: 'camera-9' },
    },
    { what: 'take, huge source', method: 'POST', url: generic, payload: { type: 'program.take', source: HUGE } },
    {
      what: 'lower third, huge title',
      method: 'POST',
      url: '/api/events/match/lower-third/show',
      payload: { title: 'x'.repeat(81) },
    },
    {
      what: 'scorebug, bad colour',
      method: 'POST',
      url: '/api/events/match/scorebug/set',
      payload: { home: { colour: 'red' } },
    },
    {
      what: 'scorebug, 5-letter short',
      method: 'POST',
      url: '/api/events/match/scorebug/set',
      payload: { away: { short: 'ABCDE' } },
    },
    {
      what: 'score below zero',
      method: 'POST',
      url: '/api/events/match/score/set',
      payload: { team: 'home', score: -1 },
    },
    {
      what: 'score, unknown team',
      method: 'POST',
      url: '/api/events/match/score/adjust',
      payload: { team: 'referee', delta: 1 },
    },
    {
      what: 'pip rect too small',
      method: 'POST',
      url: '/api/events/match/pip/set',
      payload: { rect: { x: 0, y: 0, w: 0.01, h: 0.5 } },
    },
    { what: 'pip show without source', method: 'POST', url: '/api/events/match/pip/show' },
    { what: 'clock over a day', method: 'POST', url: '/api/events/match/clock/set', payload: { valueMs: 1e9 } },
    {
      what: 'text/plain body',
      method: 'POST',
      url: generic,
      payload: 'program.take camera-2',
      contentType: 'text/plain',
    },
    { what: 'null JSON body', method: 'POST', url: generic, payload: 'null', contentType: 'application/json' },
    { what: 'number JSON body', method: 'POST', url: generic, payload: '7', contentType: 'application/json' },
    {
      what: 'body over the limit',
      method: 'POST',
      url: generic,
      payload: { type: 'lowerThird.show', title: 'x'.repeat(70_000) },
    },
    { what: 'bad event id (upper case)', method: 'GET', url: '/api/events/MATCH/state' },
    { what: 'bad event id (dots)', method: 'GET', url: '/api/events/..%2F..%2Fetc/state' },
    { what: 'bad event id (long)', method: 'GET', url: `/api/events/${'a'.repeat(100)}/state` },
    { what: 'unknown event', method: 'POST', url: '/api/events/nope/program/take', payload: { source: 'camera-2' } },
    { what: 'unknown event state', method: 'GET', url: '/api/events/nope/state' },
    { what: 'bad camera id', method: 'DELETE', url: '/api/events/match/cameras/camera-1' },
    { what: 'unknown camera', method: 'DELETE', url: '/api/events/match/cameras/cam-zzzzzz' },
    { what: 'bad key role', method: 'POST', url: '/api/events/match/keys/admin/rotate' },
    { what: 'switch log, from not a number', method: 'GET', url: '/api/events/match/switch-log?from=yesterday' },
    { what: 'switch log, limit 0', method: 'GET', url: '/api/events/match/switch-log?limit=0' },
    { what: 'switch log, unknown query', method: 'GET', url: '/api/events/match/switch-log?sort=desc' },
    { what: 'event log, negative to', method: 'GET', url: '/api/events/match/event-log?to=-5' },
    { what: 'create event, empty', method: 'POST', url: '/api/events', payload: {} },
    {
      what: 'create event, id taken',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ id: 'match' }),
    },
    {
      what: 'create event, bad id',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ id: 'Bad Id' }),
    },
    {
      what: 'create event, bad colour',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ home: { name: 'a', colour: 'blue' } }),
    },
    {
      what: 'create event, http destination',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ destinations: [{ kind: 'rtmp', serverUrl: 'http://x/app', streamKey: 'k' }] }),
    },
    {
      what: 'create event, key with space',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ destinations: [{ kind: 'youtube', streamKey: 'a b' }] }),
    },
    {
      what: 'create event, rtmp without url',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ destinations: [{ kind: 'rtmp', streamKey: 'k' }] }),
    },
    {
      what: 'create event, 9 destinations',
      method: 'POST',
      url: '/api/events',
      payload: newEvent({ destinations: Array.from({ length: 9 }, () => ({ kind: 'youtube', streamKey: 'k' })) }),
    },
    { what: 'edit event, nothing', method: 'PATCH', url: '/api/events/match', payload: {} },
    {
      what: 'edit event, name too long',
      method: 'PATCH',
      url: '/api/events/match',
      payload: { name: 'x'.repeat(121) },
    },
    {
      what: 'edit event, duplicate destination id',
      method: 'PATCH',
      url: '/api/events/match',
      payload: {
        destinations: [
          { id: 'a', kind: 'youtube', streamKey: 'k' },
          { id: 'a', kind: 'twitch', streamKey: 'k' },
        ],
      },
    },
    { what: 'join, short code', method: 'POST', url: '/api/join', payload: { code: 'ABC' } },
    { what: 'join, unknown code', method: 'POST', url: '/api/join', payload: { code: 'QQQQQQ' } },
    {
      what: 'join, label too long',
      method: 'POST',
      url: '/api/join',
      payload: { code: 'QQQQQQ', label: 'x'.repeat(65) },
    },
    {
      what: 'webhook, unsigned',
      method: 'POST',
      url: '/api/livekit/webhook',
      payload: '{}',
      contentType: 'application/webhook+json',
    },
    { what: 'unknown route', method: 'GET', url: '/api/nothing-here' },
  ];
}

describe('fuzzing the API with malformed input', () => {
  it('answers every malformed request with a 4xx and a message, and changes nothing', async () => {
    const app = await testApp();
    await seedEvent(app);
    const snapshot = async () => ({
      state: (await app.inject({ method: 'GET', url: '/api/events/match/state', headers: admin() })).json().state,
      events: (await app.inject({ method: 'GET', url: '/api/events', headers: admin() })).json().events,
      cameras: (await app.inject({ method: 'GET', url: '/api/events/match/cameras', headers: admin() })).json().cameras,
      switches: (await app.inject({ method: 'GET', url: '/api/events/match/switch-log', headers: admin() })).json()
        .entries,
    });
    const before = await snapshot();
    const cases = [...commandCases(), ...otherCases()];
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const bad: string[] = [];
    for (const c of cases) {
      const headers: Record<string, string> = {
        ...admin(),
        ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }),
      };
      const res = await app.inject({
        method: c.method,
        url: c.url,
        headers,
        ...(c.payload === undefined ? {} : { payload: c.payload as string }),
      });
      const message = (() => {
        try {
          return res.json().error?.message as unknown;
        } catch {
          return undefined;
        }
      })();
      if (res.statusCode < 400 || res.statusCode >= 500 || typeof message !== 'string' || message === '') {
        bad.push(`${c.what}: ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});
