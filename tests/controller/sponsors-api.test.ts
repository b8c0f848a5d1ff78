// Sponsors through the API: artwork uploaded and checked like a team logo, the list and rotation through
// the reducer (producer key only), bad input refused naming the field with nothing changed, and the
// exposure report as JSON and CSV.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sponsor } from '../../protocol/index.ts';
import { solidPng } from '../helpers/solid-png.ts';
import { admin, bearer, seedEvent, testApp, testConfig } from './controller-helpers.ts';

async function sponsorApp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'pitchside-sponsors-'));
  const app = await testApp({ config: testConfig({ PITCHSIDE_DATA_DIR: dataDir }) });
  const keys = await seedEvent(app);
  const upload = (body: Buffer | string, headers = admin()) =>
    app.inject({
      method: 'PUT',
      url: '/api/events/match/sponsors/image',
      headers: { ...headers, 'content-type': 'image/png' },
      payload: body,
    });
  const command = (payload: object, headers = admin()) =>
    app.inject({ method: 'POST', url: '/api/events/match/commands', headers, payload });
  const revision = async () => (await app.program.requireState('match')).revision;
  const stored = () => {
    try {
      return readdirSync(join(dataDir, 'logos'));
    } catch {
      return [];
    }
  };
  return { app, keys, upload, command, revision, stored };
}

function sponsor(id: string, image: string, patch: Partial<Sponsor> = {}): Sponsor {
  return { id, name: id, kind: 'image', image, durationMs: 5000, weight: 1, windows: ['play', 'break'], ...patch };
}

describe('sponsors API', () => {
  it('uploads artwork, sets the list and rotation, and reports seconds as JSON and CSV', async () => {
    const { app, upload, command } = await sponsorApp();
    const answer = await upload(solidPng([255, 0, 0], 120, 48));
    expect(answer.statusCode, answer.body).toBe(200);
    const image = answer.json<{ image: string }>().image;
    expect(image).toMatch(/^[a-f0-9]{32}\.png$/);
    const served = await app.inject({ method: 'GET', url: `/api/logos/${image}` });
    expect([served.statusCode, served.headers['content-type']]).toEqual([200, 'image/png']);

    const set = await command({ type: 'sponsors.set', sponsors: [sponsor('acme', image, { weight: 2 })] });
    expect(set.statusCode, set.body).toBe(200);
    const on = await command({ type: 'sponsors.rotation', on: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().state.sponsors).toMatchObject({ on: true, sponsors: [{ id: 'acme', weight: 2 }] });

    const report = await app.inject({ method: 'GET', url: '/api/events/match/sponsors/report', headers: admin() });
    expect(report.statusCode, report.body).toBe(200);
    const body = report.json<{ rotation: boolean; sponsors: Array<{ id: string; seconds: number; share: number }> }>();
    expect(body.rotation).toBe(true);
    expect(body.sponsors.map((s) => s.id)).toEqual(['acme']);
    expect(body.sponsors[0]!.seconds).toBeGreaterThanOrEqual(0);
    for (const url of ['/api/events/match/sponsors/report?format=csv', '/api/events/match/sponsors/report.csv']) {
      const csv = await app.inject({ method: 'GET', url, headers: admin() });
      expect(csv.statusCode, csv.body).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe('id,name,seconds,share,viewer_seconds');
      expect(lines[1]).toMatch(/^acme,acme,\d+\.\d,/);
    }
  });

  it('is the producer’s alone: other keys get 403, and the state stays as it was', async () => {
    const { app, keys, upload, command, revision, stored } = await sponsorApp();
    const before = await revision();
    for (const role of ['director', 'graphics', 'viewer'] as const) {
      const headers = bearer(keys[role]!.key);
      expect((await upload(solidPng([0, 255, 0], 120, 48), headers)).statusCode, role).toBe(403);
      const set = await command({ type: 'sponsors.rotation', on: false }, headers);
      expect(set.statusCode, role).toBe(403);
      const report = await app.inject({ method: 'GET', url: '/api/events/match/sponsors/report', headers });
      expect(report.statusCode, role).toBe(403);
    }
    expect(await revision()).toBe(before);
    expect(stored()).toEqual([]);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const { upload, command, revision, stored } = await sponsorApp();
    const image = (await upload(solidPng([0, 0, 255], 120, 48))).json<{ image: string }>().image;
    const before = await revision();
    const refusals: Array<[object, number, string]> = [
      [{ type: 'sponsors.set', sponsors: [sponsor('a', image, { weight: 0 })] }, 400, '/sponsors/0/weight'],
      [{ type: 'sponsors.set', sponsors: [sponsor('a', image, { durationMs: 10 })] }, 400, '/sponsors/0/durationMs'],
      [{ type: 'sponsors.set', sponsors: [sponsor('a', image, { windows: [] })] }, 400, '/sponsors/0/windows'],
      [{ type: 'sponsors.set', sponsors: [sponsor('a', image, { kind: 'ograf' } as never)] }, 400, '/sponsors/0'],
      [{ type: 'sponsors.set', sponsors: [sponsor('a', image), sponsor('a', image)] }, 422, '/sponsors/1/id'],
      [
        { type: 'sponsors.set', sponsors: [sponsor('a', image), sponsor('b', `${'0'.repeat(32)}.png`)] },
        422,
        '/sponsors/1/image',
      ],
      [{ type: 'sponsors.rotation', on: true }, 422, '/on'],
    ];
    for (const [payload, status, field] of refusals) {
      const answer = await command(payload);
      expect(answer.statusCode, answer.body).toBe(status);
      expect(answer.json().error.field, answer.body).toMatch(new RegExp(`^${field}`));
    }
    const files = stored();
    const notImage = await upload('GIF89a not a png');
    expect([notImage.statusCode, notImage.json().error.field]).toEqual([415, '/image']);
    expect(stored()).toEqual(files);
    expect(await revision()).toBe(before);
  });
});
