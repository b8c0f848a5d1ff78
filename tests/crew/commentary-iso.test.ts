// Issue 21 §5 end to end: a commentary seat's own ISO and the VOD export's sound tracks. A fake-device phone
// (tone X) on program and a commentator who joins by their seat's link with a fake microphone (tone Y), the
// real controller, the built-in recorder and the export worker. With ISO armed the seat's page records its
// voice alone (X absent); with "Record international sound" turned on before the recording starts, the
// recording carries the program (X and Y) and the international sound (X, not Y) as two tracks; the export
// writes them and the seat's ISO as titled tracks; bad track options are a 4xx naming the field. (Off, the
// default, is what tests/crew/commentary.test.ts records.) Heavy (three Chromiums and the recorder): solo-listed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import type { ExportStatusMessage, IsoListResponse, SeatView } from '../../protocol/index.ts';
import { fakeCaptureArgs, launchChromium } from '../../runtime/chromium.ts';
import { ExportWorker } from '../../worker/export/export-worker.ts';
import { decodeTrack, toneDb, trackTags } from '../helpers/audio-checks.ts';
import { testLogger } from '../helpers/logger.ts';
import { testRedisUrl } from '../helpers/redis.ts';
import { until } from '../worker/helpers.ts';
import { CAMERA_TONE_HZ, DirectCameraStack, makeCameraMedia } from '../cameras/direct-camera-stack.ts';

const VOICE_TONE_HZ = 3250;
/** A tone is carried when it reads above this (both are −6 dBFS sources; the camera's may be ducked). */
const CARRIED_DB = -40;
/** A tone is absent when it reads this far under the one that is carried (leakage and codec noise only). */
const ABSENT_BELOW_DB = -30;
/** The stretch of talking the tracks are read over: seconds, once the recorder and the ISO have the voice. */
const TALK_MS = 6000;
const READ_MS = 3000;

const stack = new DirectCameraStack({ sharedKeys: true });
let seatBrowser: Browser;
let exporter: ExportWorker;
beforeAll(async () => {
  await stack.start();
  const voice = makeCameraMedia(stack.dir, { colour: '#808080', toneHz: VOICE_TONE_HZ }, 'voice');
  seatBrowser = await launchChromium({ width: 1280, height: 800, args: fakeCaptureArgs(voice.video, voice.audio) });
  exporter = new ExportWorker({
    log: testLogger('export'),
    redisUrl: testRedisUrl(),
    keys: stack.app.redisKeys,
    readLog: (id, range) => stack.app.switchLog.query(id, range),
  });
  await exporter.start();
}, 180_000);
afterAll(async () => {
  await exporter?.close();
  await seatBrowser?.close();
  await stack.close();
}, 60_000);

function tones(samples: Float32Array): { x: number; y: number } {
  const round = (db: number) => Math.round(db * 10) / 10;
  return { x: round(toneDb(samples, CAMERA_TONE_HZ)), y: round(toneDb(samples, VOICE_TONE_HZ)) };
}

describe('commentary seat ISO and the export’s sound tracks', () => {
  it('records the seat on its own and exports program, international and commentary tracks', async () => {
    const { camera } = await stack.joinCamera('Camera A');
    await stack.take(camera.id);
    const added = await stack.api('POST', '/commentary', { label: 'Lead commentator' });
    expect(added.status).toBe(201);
    const seat = added.body['seat'] as SeatView;

    // The director's "Record international sound", before the recording starts (the recorder reads it then).
    await stack.command({ type: 'audio.master', international: true });

    const status = stack.statusListener();
    await status.start(DEMO_EVENT_ID);
    const startedAt = await stack.recordReceiving(status, camera.id);

    const page = await stack.openSeat(seatBrowser, seat.url);
    await page.waitForSelector('#join-button');
    await page.click('#noise-suppression'); // it would take a steady tone for noise
    await page.click('#join-button');
    await page.waitForFunction(() => window.pitchsideCommentary?.joined === true, { timeout: 30_000 });
    expect((await stack.api('POST', '/iso/arm', { armed: true })).status).toBe(200);
    // The seat's ISO is listed beside the cameras' once its segments arrive.
    const seatRange = async () => {
      const list = (await stack.api('GET', '/iso')).body as unknown as IsoListResponse;
      return list.ranges.find((r) => r.camera === seat.id);
    };
    await until(async () => ((await seatRange())?.segments ?? 0) >= 2, 60_000, 'seat ISO segments');
    await page.waitForFunction(
      () => /[1-9]\d* segments sent/.test(document.querySelector('#iso-status')?.textContent ?? ''),
      {
        timeout: 30_000,
      },
    );
    const talkFrom = Date.now();
    await new Promise((r) => setTimeout(r, TALK_MS));
    const file = await stack.stop(status);
    await page.close();

    // The seat's own segments: its voice, not the program around it.
    const dir = join(stack.dir, 'iso', DEMO_EVENT_ID, seat.id);
    const segments = readdirSync(dir)
      .filter((f) => f.endsWith('.webm'))
      .sort();
    const middle = segments[Math.floor(segments.length / 2)];
    if (middle === undefined) throw new Error('no seat segment');
    const inIso = tones(decodeTrack(join(dir, middle), 0, 0.3, 1.2));

    // Bad track options: a 4xx naming the field, nothing queued.
    const bad: Array<[Record<string, unknown>, number, string]> = [
      [{ tracks: [] }, 400, '/tracks'],
      [{ tracks: [{ source: 'commentary' }] }, 400, '/tracks/0/source'],
      [{ tracks: [{ source: 'program', language: 'English' }] }, 400, '/tracks/0/language'],
      [{ tracks: [{ source: 'program' }, { source: 'program' }] }, 400, '/tracks/1/source'],
      [{ tracks: [{ source: 'program' }, { source: 'seat-zzzzzz' }] }, 404, '/tracks/1/source'],
    ];
    for (const [body, code, field] of bad) {
      const res = await stack.api('POST', '/exports', body);
      const error = res.body['error'] as { field?: string } | undefined;
      expect([res.status, error?.field], JSON.stringify(res.body)).toEqual([code, field]);
    }

    const res = await stack.api('POST', '/exports', {
      tracks: [{ source: 'program' }, { source: 'international' }, { source: seat.id, language: 'eng' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const jobId = String(res.body['jobId']);
    const done = (await status.waitFor(
      (m) => m.type === 'job.export' && m.jobId === jobId && (m.state === 'completed' || m.state === 'failed'),
      120_000,
    )) as ExportStatusMessage;
    status.close();
    expect(done.state, done.message).toBe('completed');
    const exported = done.result?.video ?? '';

    const fromS = (talkFrom - startedAt) / 1000 + 1;
    const levels = {
      iso: inIso,
      recording: [0, 1].map((t) => tones(decodeTrack(file, t, fromS, READ_MS / 1000))),
      exported: [0, 1, 2].map((t) => tones(decodeTrack(exported, t, fromS, READ_MS / 1000))),
    };
    const report = JSON.stringify(levels);
    console.info(`commentary ISO: ${report}`);

    expect(trackTags(exported)).toEqual([
      { title: 'Program', language: 'und' },
      { title: 'International', language: 'zxx' },
      { title: 'Commentary: Lead commentator', language: 'eng' },
    ]);
    // The seat's ISO: Y and not X.
    expect(inIso.y, report).toBeGreaterThan(CARRIED_DB);
    expect(inIso.x, report).toBeLessThan(inIso.y + ABSENT_BELOW_DB);
    for (const [program, international] of [levels.recording, levels.exported.slice(0, 2)]) {
      if (program === undefined || international === undefined) throw new Error(report);
      // The program: X (ducked under the voice) and Y.
      expect(program.x, report).toBeGreaterThan(CARRIED_DB);
      expect(program.y, report).toBeGreaterThan(CARRIED_DB);
      // International: X, not Y.
      expect(international.x, report).toBeGreaterThan(CARRIED_DB);
      expect(international.y, report).toBeLessThan(international.x + ABSENT_BELOW_DB);
    }
    // The seat's track in the export, placed on the program's timeline: Y, not X.
    const seatTrack = levels.exported[2];
    expect(seatTrack?.y, report).toBeGreaterThan(CARRIED_DB);
    expect(seatTrack?.x, report).toBeLessThan((seatTrack?.y ?? 0) + ABSENT_BELOW_DB);
  }, 300_000);
});
