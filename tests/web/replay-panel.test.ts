// The director's replay section in Chromium against the real controller: arm ISO recording, mark the last
// 5 s of the preview camera before its ISO segments arrive (the clip is listed as waiting), the segments
// arrive as a camera page uploads them and the clip appears with its thumbnail, Play puts the replay on
// program, Escape goes back to live, R marks by hotkey.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JoinResponse, ReplayClip } from '../../protocol/index.ts';
import { EVENT_ID, until, useWebStack } from './web-stack.ts';

const SEGMENT_MS = 2000;
const suite = useWebStack();

describe('director replay section', () => {
  it('arms ISO, marks the preview camera, shows the clip, plays it and goes back to live', async () => {
    const app = suite.stack.app!;
    const code = (await app.events.require(EVENT_ID)).joinCode;
    const joined = (
      await app.inject({ method: 'POST', url: '/api/join', payload: { code, label: 'Replay cam' } })
    ).json<JoinResponse>();
    const cameraId = joined.camera.id;
    await suite.stack.command({ type: 'program.preview', source: cameraId });

    const director = await suite.stack.open(suite.stack.pageUrl('director', 'director'), { width: 1920, height: 1080 });
    await director.click('#replay-arm');
    await until('ISO armed', async () => (await suite.stack.state()).isoArmed === true, 10_000);
    await director.waitForFunction(() => document.querySelector('#replay-arm')?.classList.contains('on'), {
      timeout: 10_000,
    });

    // What the camera page uploads while armed: 2 s WebM segments with their server-time spans.
    const file = join(suite.stack.dataDir, 'segment.webm');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=0x20c0d0:s=320x180:r=30:d=${SEGMENT_MS / 1000}`],
      ...['-c:v', 'libvpx', '-b:v', '200k', '-deadline', 'realtime', '-y', file],
    ]);
    const upload = async (start: number) => {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${EVENT_ID}/cameras/${cameraId}/iso?startMs=${start}&endMs=${start + SEGMENT_MS}`,
        headers: { authorization: `Bearer ${joined.key}`, 'content-type': 'video/webm' },
        payload: readFileSync(file),
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    // The camera has been recording; its segments of the last few seconds are still on their way.
    await upload(Date.now() - 5 * SEGMENT_MS);

    // Marked before they arrive: the clip is listed at once, waiting, and cannot roll.
    await director.select('#replay-source', 'preview');
    await director.click('[data-mark="5"]');
    await director.waitForSelector('.replay-clip[data-status="pending"] .replay-play[disabled]', { timeout: 20_000 });
    const [marked] = (
      await app.inject({
        url: `/api/events/${EVENT_ID}/replay/clips`,
        headers: { authorization: `Bearer ${suite.stack.keys.director}` },
      })
    ).json<{ clips: ReplayClip[] }>().clips;
    expect(marked).toMatchObject({ source: cameraId, status: 'pending' });

    // Then they arrive, up to the mark's end, and the list shows the clip ready.
    for (let start = marked!.toMs - 3 * SEGMENT_MS; start < marked!.toMs; start += SEGMENT_MS) await upload(start);
    // The clip is listed with its thumbnail, fetched with the key in a header (no key in the image's URL).
    await director.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>('.replay-clip img');
        return img !== null && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0;
      },
      { timeout: 20_000, polling: 200 },
    );
    expect(await director.$eval('.replay-clip', (el) => el.textContent ?? '')).toContain(cameraId);

    await director.click('.replay-play');
    await until('replay on program', async () => (await suite.stack.state()).program === 'replay', 10_000);
    expect((await suite.stack.state()).replay?.speed).toBe(0.5);
    await director.keyboard.press('Escape');
    await until('back to live', async () => (await suite.stack.state()).program !== 'replay', 10_000);

    // R marks by hotkey (the program camera is a test source with no ISO: the panel says why).
    await director.select('#replay-source', 'program');
    await director.keyboard.press('KeyR');
    await director.waitForFunction(() => /has no ISO recording/.test(document.body.textContent ?? ''), {
      timeout: 10_000,
    });
    await director.close();
  }, 120_000);
});
