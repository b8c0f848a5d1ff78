// ISO segments whose tracks come in either order (Chrome's MediaRecorder lists first whichever track's frame
// arrived first: on a busy phone it alternates) still concatenate into a clip that decodes: the store puts
// every segment's video first, in place. Real files made by ffmpeg, a real controller, Redis and ffprobe.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResponse, ReplayClip } from '../../protocol/index.ts';
import { canonicalTrackOrder } from '../../controller/services/iso-track-order.ts';
import { armIso, bearer, seedEvent, testApp, testConfig } from '../controller/controller-helpers.ts';

const SEGMENT_S = 2;
const FPS = 30;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-track-order-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A segment of a colour and a tone, its tracks in the given order. */
function segment(name: string, order: 'video-first' | 'audio-first', container: 'webm' | 'mp4'): Buffer {
  const file = join(dir, `${name}.${container}`);
  const codecs =
    container === 'webm'
      ? ['-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-c:a', 'libopus']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'];
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=${FPS}:d=${SEGMENT_S}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SEGMENT_S}`],
    ...(order === 'video-first' ? ['-map', '0:v', '-map', '1:a'] : ['-map', '1:a', '-map', '0:v']),
    ...codecs,
    ...['-y', file],
  ]);
  return readFileSync(file);
}

function streamKinds(file: string): string[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file]);
  return out.toString().trim().split('\n');
}

/** Decode errors and the frame count of the video stream. */
function decode(file: string): { errors: string; videoFrames: number } {
  const errors = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']).stderr.toString().trim();
  const frames = execFileSync('ffprobe', [
    ...['-v', 'quiet', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames'],
    ...['-of', 'csv=p=0', file],
  ]);
  return { errors, videoFrames: Number(frames.toString().trim()) };
}

describe('ISO segment track order', () => {
  it('puts an audio-first WebM or MP4 segment video first, and leaves a video-first one as it is', () => {
    for (const container of ['webm', 'mp4'] as const) {
      const audioFirst = segment(`a-${container}`, 'audio-first', container);
      expect(streamKinds(join(dir, `a-${container}.${container}`))).toEqual(['audio', 'video']);
      const size = audioFirst.length;
      expect(canonicalTrackOrder(audioFirst, `video/${container}`)).toBe(true);
      expect(audioFirst.length).toBe(size);
      const fixed = join(dir, `fixed.${container}`);
      writeFileSync(fixed, audioFirst);
      expect(streamKinds(fixed)).toEqual(['video', 'audio']);
      expect(decode(fixed)).toEqual({ errors: '', videoFrames: SEGMENT_S * FPS });

      const videoFirst = segment(`v-${container}`, 'video-first', container);
      const before = Buffer.from(videoFirst);
      expect(canonicalTrackOrder(videoFirst, `video/${container}`)).toBe(false);
      expect(videoFirst.equals(before)).toBe(true);
    }
    // Not a recording: nothing to reorder, nothing thrown.
    expect(canonicalTrackOrder(Buffer.from('\x1a\x45\xdf\xa3 junk'), 'video/webm')).toBe(false);
  });

  it('makes a clip that decodes whole from segments uploaded in alternating track order', async () => {
    const app = await testApp({ config: testConfig({ PITCHSIDE_DATA_DIR: mkdtempSync(join(dir, 'data-')) }) });
    try {
      const keys = await seedEvent(app);
      await armIso(app);
      const code = (await app.events.require('match')).joinCode;
      const joined = await app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'North' } });
      const camera = JSON.parse(joined.body) as JoinResponse;
      const t0 = Date.now() - 3 * SEGMENT_S * 1000;
      const orders = ['video-first', 'audio-first', 'video-first'] as const;
      for (const [i, order] of orders.entries()) {
        const startMs = t0 + i * SEGMENT_S * 1000;
        const res = await app.inject({
          method: 'POST',
          url: `/api/events/match/cameras/${camera.camera.id}/iso?startMs=${startMs}&endMs=${startMs + SEGMENT_S * 1000}`,
          headers: { ...bearer(camera.key), 'content-type': 'video/webm;codecs=vp8,opus' },
          payload: segment(`upload-${i}`, order, 'webm'),
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      const director = keys['director']!.key;
      const created = await app.inject({
        method: 'POST',
        url: '/api/events/match/replay/clips',
        headers: bearer(director),
        payload: { source: camera.camera.id, fromMs: t0 + 500, toMs: t0 + 5500 },
      });
      expect(created.statusCode, created.body).toBe(200);
      const clip = JSON.parse(created.body).clip as ReplayClip;
      expect(clip.status).toBe('ready');
      const media = await app.inject({ url: clip.mediaUrl!, headers: bearer(director) });
      expect(media.statusCode).toBe(200);
      const file = join(dir, 'clip.webm');
      writeFileSync(file, media.rawPayload);
      // The three segments whole: before the fix the middle one's Opus packets were decoded as VP8.
      expect(decode(file)).toEqual({ errors: '', videoFrames: 3 * SEGMENT_S * FPS });
    } finally {
      await app.close();
    }
  });
});
