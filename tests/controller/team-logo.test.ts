// Team logos (issue 13): an upload is checked by its bytes and size, stored in the data dir, served to
// the template, and only its id reaches the scorebug, through the reducer. A refused upload changes
// nothing: not the state, not the data dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOGO_MAX_BYTES, LOGO_MAX_SIDE_PX, logoPath } from '../../protocol/index.ts';
import { admin, bearer, seedEvent, testApp, testConfig } from './controller-helpers.ts';

let png: Buffer;
let jpeg: Buffer;

/** One solid-colour image made by ffmpeg in the given format. */
function image(file: string, size = '64x64'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'pitchside-logo-'));
  const path = join(dir, file);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=0xff00ff:s=${size}`, '-frames:v', '1', path]);
  return readFileSync(path);
}

/** CRC-32 (ISO-HDLC, as PNG chunks carry it). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A decompression bomb: a small PNG whose header (with a valid CRC) declares `width`×`height`. Decoders
 * allocate the declared picture before they find the data short.
 */
function pngDeclaring(source: Buffer, width: number, height: number): Buffer {
  const bomb = Buffer.from(source);
  bomb.writeUInt32BE(width, 16);
  bomb.writeUInt32BE(height, 20);
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29); // IHDR: type + 13 data bytes, then the CRC
  return bomb;
}

beforeAll(() => {
  png = image('logo.png');
  jpeg = image('logo.jpg');
});

async function logoApp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'pitchside-data-'));
  const config = testConfig({ PITCHSIDE_DATA_DIR: dataDir });
  const app = await testApp({ config });
  const keys = await seedEvent(app);
  const put = (body: Buffer | string, contentType: string, key = keys.graphics!.key, side = 'home') =>
    app.inject({
      method: 'PUT',
      url: `/api/events/match/teams/${side}/logo`,
      headers: { ...bearer(key), 'content-type': contentType },
      payload: body,
    });
  const stored = () => {
    try {
      return readdirSync(join(dataDir, 'logos'));
    } catch {
      return [];
    }
  };
  /** The same store started again (the sweep of unused logos runs at start). */
  const restart = () => testApp({ config, keyPrefix: app.redisKeys.prefix });
  return { app, keys, put, stored, dataDir, restart };
}

describe('team logos', () => {
  it('stores a PNG or JPEG by its bytes, puts its id on the scorebug and serves it', async () => {
    const { app, keys, put, stored } = await logoApp();
    const answer = await put(png, 'image/png');
    expect(answer.statusCode, answer.body).toBe(200);
    const id = answer.json().state.scorebug.home.logo as string;
    expect(id).toMatch(/^[a-f0-9]{32}\.png$/);
    expect(stored()).toEqual([id]);
    // The same image again keeps one file; the content type a client claims does not decide the format.
    const again = await put(png, 'application/octet-stream');
    expect(again.json().state.scorebug.home.logo).toBe(id);
    const away = await put(jpeg, 'image/png', keys.graphics!.key, 'away');
    expect(away.json().state.scorebug.away.logo).toMatch(/^[a-f0-9]{32}\.jpg$/);

    const served = await app.inject({ url: logoPath(id) });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toMatch(/immutable/);
    expect(served.rawPayload.equals(png)).toBe(true);

    const removed = await app.inject({
      method: 'DELETE',
      url: '/api/events/match/teams/home/logo',
      headers: admin(),
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().state.scorebug.home.logo).toBeNull();
  });

  it('removes a logo no event shows any more once it is older than the grace, and keeps the ones shown', async () => {
    const { app, put, stored, dataDir, restart } = await logoApp();
    const first = (await put(png, 'image/png')).json().state.scorebug.home.logo as string;
    const shown = (await put(jpeg, 'image/jpeg')).json().state.scorebug.home.logo as string;
    const away = (await put(png, 'image/png', undefined, 'away')).json().state.scorebug.away.logo as string;
    expect(away).toBe(first); // the same image: one file, shown again, on the other side
    const replaced = (await put(jpeg, 'image/jpeg', undefined, 'away')).json().state.scorebug.away.logo as string;
    expect(replaced).toBe(shown);
    expect(stored().sort()).toEqual([first, shown].sort());
    await app.close();
    // The PNG is shown nowhere now; aged past the grace, it goes at the next start. Fresh, it would stay.
    const twoHoursAgo = (Date.now() - 2 * 3600 * 1000) / 1000;
    utimesSync(join(dataDir, 'logos', first), twoHoursAgo, twoHoursAgo);
    utimesSync(join(dataDir, 'logos', shown), twoHoursAgo, twoHoursAgo);
    const again = await restart();
    await again.ready();
    await expect.poll(() => stored(), { timeout: 10_000 }).toEqual([shown]);
    await again.close();
  });

  it('refuses other formats with 415, a bigger file with 413 and a huge declared picture with 422, naming the field, and changes nothing', async () => {
    const { app, keys, put, stored } = await logoApp();
    const revision = async () => (await app.program.requireState('match')).revision;
    const before = await revision();
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" fill="red"/></svg>';
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    for (const [body, type] of [
      [svg, 'image/svg+xml'],
      [gif, 'image/png'],
      [Buffer.from('not an image'), 'image/jpeg'],
      [JSON.stringify({ logo: 'x' }), 'application/json'],
    ] as const) {
      const answer = await put(body, type);
      expect(answer.statusCode, `${type}: ${answer.body}`).toBe(415);
      expect(answer.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: '/logo' });
    }
    const tooBig = Buffer.concat([png, Buffer.alloc(LOGO_MAX_BYTES + 1 - png.length)]);
    const big = await put(tooBig, 'image/png');
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ field: '/logo' });
    expect(big.json().error.message).toMatch(/1 MB/);

    // Issue 22 hole 6: small files that declare huge pictures (a crafted PNG, a real wide JPEG).
    for (const [body, type] of [
      [pngDeclaring(png, 20_000, 20_000), 'image/png'],
      [image('wide.jpg', `${LOGO_MAX_SIDE_PX + 16}x16`), 'image/jpeg'],
    ] as const) {
      expect(body.length).toBeLessThan(LOGO_MAX_BYTES);
      const answer = await put(body, type);
      expect(answer.statusCode, answer.body).toBe(422);
      expect(answer.json().error).toMatchObject({ code: 'IMAGE_TOO_LARGE', field: '/logo' });
    }

    expect((await put(png, 'image/png', keys.viewer!.key)).statusCode).toBe(403);
    expect((await put(png, 'image/png', keys.director!.key)).statusCode).toBe(403);
    expect(await revision()).toBe(before);
    expect((await app.program.requireState('match')).scorebug.home.logo ?? null).toBeNull();
    expect(stored()).toEqual([]);
    expect((await app.inject({ url: logoPath(`${'0'.repeat(32)}.png`) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/logos/..%2Fadmin-key' })).statusCode).toBe(400);
  });
});
