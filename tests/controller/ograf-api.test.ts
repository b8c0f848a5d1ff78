// OGraf graphics through the API: a package uploaded as a zip (manifest at the root or in one top folder),
// listed, served to the template under its hash with a strict CSP, loaded and played through the commands
// endpoint, deleted; malformed manifests, hostile paths and data that fails the manifest's schema are
// refused naming the field, with nothing stored or changed.
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { OGrafGraphic, ProgramState } from '../../protocol/index.ts';
import { exampleFiles, exampleZip, zip } from '../helpers/ograf-examples.ts';
import { admin, bearer, seedEvent, testApp } from './controller-helpers.ts';

const ZIP = { 'content-type': 'application/zip' };

interface ApiAnswer {
  error: { code: string; message: string; field?: string };
}

async function upload(app: FastifyInstance, key: string, body: Buffer, query = '', eventId = 'match') {
  return app.inject({
    method: 'POST',
    url: `/api/events/${eventId}/graphics${query}`,
    headers: { ...bearer(key), ...ZIP },
    payload: body,
  });
}

async function command(app: FastifyInstance, key: string, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/events/match/commands', headers: bearer(key), payload: body });
}

/** The lineup manifest with one change, zipped with the graphic's module. */
function spoiledLineup(spoil: (manifest: Record<string, unknown>) => void): Buffer {
  const files = exampleFiles('lineup');
  const manifest = JSON.parse(files.get('lineup.ograf.json')!.toString('utf8')) as Record<string, unknown>;
  spoil(manifest);
  return zip(new Map([...files, ['lineup.ograf.json', Buffer.from(JSON.stringify(manifest))]]));
}

describe('OGraf graphics API', () => {
  it('stores a package, lists it, serves its files and the host page with a CSP, and plays it through commands', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const graphicsKey = keys['graphics']!.key;
    const stored = await upload(app, graphicsKey, exampleZip('lineup'));
    expect(stored.statusCode).toBe(201);
    const { graphic } = stored.json<{ graphic: OGrafGraphic }>();
    expect(graphic).toMatchObject({ name: 'Line-up', scope: 'event', manifestId: 'tv.pitchside.lineup', stepCount: 2 });
    expect(graphic.id).toMatch(/^[a-f0-9]{24}$/);
    // The same package at the root instead of a top folder is the same graphic.
    const again = await upload(app, graphicsKey, exampleZip('lineup', { topFolder: false }));
    expect(again.json<{ graphic: OGrafGraphic }>().graphic.id).toBe(graphic.id);

    const listed = await app.inject({ url: '/api/events/match/graphics', headers: bearer(keys['director']!.key) });
    expect(listed.json<{ graphics: OGrafGraphic[] }>().graphics.map((g) => g.id)).toEqual([graphic.id]);

    const file = await app.inject({ url: `/api/ograf/${graphic.id}/lineup.mjs` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('text/javascript');
    expect(file.headers['content-security-policy']).toContain('sandbox');
    expect(file.body).toContain('class LineupGraphic');
    expect((await app.inject({ url: `/api/ograf/${graphic.id}/nothing.mjs` })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/ograf/${graphic.id}/..%2F..%2Fetc%2Fpasswd` })).statusCode).toBe(404);
    const host = await app.inject({ url: '/api/ograf/host' });
    expect(host.statusCode).toBe(200);
    expect(host.headers['content-security-policy']).toContain("connect-src 'none'");

    const data = { team: 'Rovers', colour: '#00ff00' };
    const load = await command(app, graphicsKey, { type: 'ograf.load', instance: 'lineup', graphic: graphic.id, data });
    expect(load.statusCode).toBe(200);
    await command(app, graphicsKey, { type: 'ograf.play', instance: 'lineup' });
    const second = await command(app, graphicsKey, { type: 'ograf.play', instance: 'lineup' });
    const state = second.json<{ state: ProgramState }>().state;
    expect(state.ograf?.instances[0]).toMatchObject({ status: 'playing', step: 1, data });

    // Data the manifest's schema refuses: 422 naming the field, the state as it was.
    const bad = await command(app, graphicsKey, {
      type: 'ograf.update',
      instance: 'lineup',
      data: { colour: 'green' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<ApiAnswer>().error).toMatchObject({ code: 'INVALID_DATA', field: '/data.colour' });
    const missing = await command(app, graphicsKey, {
      type: 'ograf.load',
      instance: 'x',
      graphic: graphic.id,
      data: {},
    });
    expect(missing.json<ApiAnswer>().error).toMatchObject({ field: '/data.team' });
    expect((await app.program.requireState('match')).revision).toBe(state.revision);

    // A renderer's report is not a desk's command.
    const forged = await command(app, graphicsKey, { type: 'ograf.fail', instance: 'lineup', message: 'x' });
    expect(forged.statusCode).toBe(403);

    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/graphics/${graphic.id}`,
      headers: bearer(graphicsKey),
    });
    expect(removed.statusCode).toBe(204);
    expect((await app.inject({ url: `/api/ograf/${graphic.id}/lineup.mjs` })).statusCode).toBe(404);
    const unknown = await command(app, graphicsKey, { type: 'ograf.load', instance: 'y', graphic: graphic.id, data });
    expect(unknown.json<ApiAnswer>().error).toMatchObject({ code: 'UNKNOWN_GRAPHIC', field: '/graphic' });
  });

  it('a graphic for every event takes an admin key and is listed by every event', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    await seedEvent(app, 'other');
    const refused = await upload(app, keys['director']!.key, exampleZip('sponsor-bug'), '?scope=all');
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ApiAnswer>().error).toMatchObject({ field: '/scope' });
    const global = await app.inject({
      method: 'POST',
      url: '/api/events/other/graphics?scope=all',
      headers: { ...admin(), ...ZIP },
      payload: exampleZip('sponsor-bug'),
    });
    expect(global.statusCode).toBe(201);
    const listed = await app.inject({ url: '/api/events/match/graphics', headers: bearer(keys['graphics']!.key) });
    expect(listed.json<{ graphics: OGrafGraphic[] }>().graphics).toEqual([
      expect.objectContaining({ name: 'Sponsor bug', scope: 'all' }),
    ]);
    const id = global.json<{ graphic: OGrafGraphic }>().graphic.id;
    const notYours = await app.inject({
      method: 'DELETE',
      url: `/api/events/match/graphics/${id}`,
      headers: bearer(keys['graphics']!.key),
    });
    expect(notYours.statusCode).toBe(403);
  });

  it.each([
    ['a missing id', '/manifest.id', (m: Record<string, unknown>) => delete m['id']],
    ['a wrong $schema', '/manifest.$schema', (m: Record<string, unknown>) => (m['$schema'] = 'x')],
    ['a main that is not in the package', '/manifest.main', (m: Record<string, unknown>) => (m['main'] = 'other.mjs')],
    ['a main outside the package', '/manifest.main', (m: Record<string, unknown>) => (m['main'] = '../lineup.mjs')],
    ['a string stepCount', '/manifest.stepCount', (m: Record<string, unknown>) => (m['stepCount'] = '2')],
  ])('a manifest with %s is refused naming %s', async (_name, field, spoil) => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const response = await upload(app, keys['graphics']!.key, spoiledLineup(spoil));
    expect(response.statusCode).toBe(422);
    expect(response.json<ApiAnswer>().error).toMatchObject({ code: 'INVALID_PACKAGE', field });
    const listed = await app.inject({ url: '/api/events/match/graphics', headers: bearer(keys['graphics']!.key) });
    expect(listed.json<{ graphics: unknown[] }>().graphics).toEqual([]);
  });

  it('refuses what is not a package: another media type, not a zip, no manifest, hostile paths, too large', async () => {
    const app = await testApp();
    const keys = await seedEvent(app);
    const key = keys['graphics']!.key;
    const lineup = exampleFiles('lineup');
    const cases: Array<[Buffer, string, number, string]> = [
      [Buffer.from('not a zip'), 'application/zip', 422, '/package'],
      [exampleZip('lineup'), 'application/json', 415, '/package'],
      [zip(new Map([['lineup.mjs', lineup.get('lineup.mjs')!]])), 'application/zip', 422, '/manifest'],
      [zip(new Map<string, Buffer | string>([...lineup, ['../evil.mjs', 'x']])), 'application/zip', 422, '/package'],
      [zip(new Map<string, Buffer | string>([...lineup, ['/etc/evil.mjs', 'x']])), 'application/zip', 422, '/package'],
      [
        zip(new Map<string, Buffer | string>([...lineup, ['a\\..\\evil.mjs', 'x']])),
        'application/zip',
        422,
        '/package',
      ],
      [
        zip(new Map<string, Buffer | string>([...lineup, ['second.ograf.json', lineup.get('lineup.ograf.json')!]])),
        'application/zip',
        422,
        '/manifest',
      ],
      [Buffer.alloc(9 * 1024 * 1024), 'application/zip', 413, '/package'],
    ];
    for (const [body, type, status, field] of cases) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/events/match/graphics',
        headers: { ...bearer(key), 'content-type': type },
        payload: body,
      });
      expect({ status: response.statusCode, field: response.json<ApiAnswer>().error.field }).toEqual({
        status,
        field,
      });
    }
    // A zip bomb: one entry inflating far past the unpacked cap is refused before it is inflated.
    const bomb = zip(new Map<string, Buffer | string>([...lineup, ['big.bin', Buffer.alloc(30 * 1024 * 1024)]]));
    const response = await upload(app, key, bomb);
    expect(response.statusCode).toBe(413);
  });
});
