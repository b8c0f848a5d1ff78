// The replay source in the real template (Chromium, canvas renderer), read by its pixels on every drawn frame:
// never black at a replay's start, even when a renderer gets the clip late (the live picture holds until the
// clip's frame is decoded); a cued clip is preloaded and is on screen from the wipe's first frames; a page
// opened mid-replay shows the frame server time says. The clip is a real VP8 WebM whose colour changes every
// 2 s of media, so a colour names a position in the clip.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSourceColour, type ReplayClipRef } from '../../protocol/index.ts';
import { launchChromium } from '../../runtime/chromium.ts';
import { STUB_EVENT, TemplateControllerStub } from '../helpers/template-controller-stub.ts';
import {
  colourDistance,
  drawnFrames,
  hexToRgb,
  openTemplate,
  recordDrawnFrames,
  waitForFrames,
  waitForRevision,
  type DrawnFrame,
} from '../helpers/template-page.ts';

/** The clip's colour in each 2 s of its media. */
const SEGMENT_COLOURS = ['#ffff00', '#00ffff', '#ff00ff', '#ffffff'] as const;
const SEGMENT_S = 2;
const SPEED = 0.5;
/** VP8 at a modest bitrate, then the canvas renderer: a colour is within this of what was encoded. */
const TOLERANCE = 40;
/** A frame whose every channel is at most this is black. */
const BLACK_MAX = 40;
/**
 * Frames drawn this close (in clip media seconds) to a colour boundary may show either side: the clip goes on
 * screen within REPLAY_SHOW_TOLERANCE_S (0.5 s) of its position, then drift correction holds it to 0.2 s.
 */
const BOUNDARY_S = 0.5;
const LIVE = 'camera-2';
const LIVE_COLOUR = testSourceColour(2);
const MEDIA_PREFIX = `/api/events/${STUB_EVENT}/replay/media/`;

const near = (frame: DrawnFrame, hex: string): boolean => colourDistance(frame.rgb, hexToRgb(hex)) <= TOLERANCE;
const isClip = (frame: DrawnFrame): boolean => SEGMENT_COLOURS.some((c) => near(frame, c));
const isBlack = (frame: DrawnFrame): boolean => Math.max(...frame.rgb) <= BLACK_MAX;
const describeFrame = (f: DrawnFrame, t0: number) => `${(f.serverNow - t0).toFixed(0)} ms rgb(${f.rgb.join(',')})`;

/** Serves clip files with byte ranges (as the controller does), each held back until `release(file)`. */
class ClipServer {
  readonly #dir: string;
  readonly #held = new Map<string, { promise: Promise<void>; release: () => void }>();
  readonly #served = new Map<string, () => void>();
  readonly requests: string[] = [];

  constructor(dir: string) {
    this.#dir = dir;
  }

  hold(file: string): void {
    let release = () => undefined as void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.#held.set(file, { promise, release });
  }

  release(file: string): void {
    this.#held.get(file)?.release();
  }

  /** Resolves once a response carrying the file's last byte has been sent (the page has all of it). */
  servedWhole(file: string): Promise<void> {
    return new Promise((resolve) => this.#served.set(file, resolve));
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const file = basename(new URL(req.url ?? '/', 'http://stub').pathname);
    this.requests.push(file);
    void (this.#held.get(file)?.promise ?? Promise.resolve()).then(() => {
      const path = join(this.#dir, file);
      const size = statSync(path, { throwIfNoEntry: false })?.size;
      if (size === undefined) return void res.writeHead(404).end();
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = range === null ? 0 : Number(range[1]);
      const end = range === null || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
      res.writeHead(range === null ? 200 : 206, {
        'content-type': 'video/webm',
        'accept-ranges': 'bytes',
        'content-length': end - start + 1,
        ...(range === null ? {} : { 'content-range': `bytes ${start}-${end}/${size}` }),
      });
      if (end === size - 1) res.on('finish', () => this.#served.get(file)?.());
      createReadStream(path, { start, end }).pipe(res);
    });
  };
}

/** A VP8 WebM of SEGMENT_COLOURS, SEGMENT_S each, a keyframe every 10 frames (seeks land close). */
function encodeClip(path: string): void {
  const inputs = SEGMENT_COLOURS.flatMap((c) => ['-f', 'lavfi', '-i', `color=c=${c}:s=320x180:r=30:d=${SEGMENT_S}`]);
  const concat = `${SEGMENT_COLOURS.map((_, i) => `[${i}:v]`).join('')}concat=n=${SEGMENT_COLOURS.length}:v=1:a=0`;
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', concat],
    ...['-c:v', 'libvpx', '-b:v', '400k', '-g', '10', '-deadline', 'realtime', '-cpu-used', '8', path],
  ]);
}

function clipRef(media: string, id: string): ReplayClipRef {
  const now = Date.now();
  // The in point half a second into the media, the out point half a second before its end.
  const mediaMs = SEGMENT_COLOURS.length * SEGMENT_S * 1000;
  return { id, source: 'camera-3', fromMs: now - mediaMs + 1000, toMs: now, mediaOffsetMs: 500, media };
}

/** The colour the clip shows at server time t, or null within BOUNDARY_S of a change. */
function expectedColour(clip: ReplayClipRef, startedAt: number, t: number): string | null {
  const position = clip.mediaOffsetMs / 1000 + Math.max(0, (t - startedAt) / 1000) * SPEED;
  const last = (clip.mediaOffsetMs + clip.toMs - clip.fromMs) / 1000;
  const at = Math.min(position, last);
  const offBoundary = at % SEGMENT_S;
  if (at < last && (offBoundary < BOUNDARY_S || offBoundary > SEGMENT_S - BOUNDARY_S)) return null;
  return SEGMENT_COLOURS[Math.min(SEGMENT_COLOURS.length - 1, Math.floor(at / SEGMENT_S))] ?? null;
}

async function waitForServerTimePast(page: Page, t: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction((at) => (window.pitchside?.frame().serverNow ?? 0) > at, { timeout: timeoutMs }, t);
}

describe('replay source pixels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitchside-replay-feed-'));
  const clips = new ClipServer(dir);
  const stub = new TemplateControllerStub({ routes: { [MEDIA_PREFIX]: clips.handle } });
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    for (const name of ['latelate-1.webm', 'cuedcued-1.webm']) encodeClip(join(dir, name));
    await stub.start();
    stub.command({ type: 'program.take', source: LIVE, transition: { type: 'cut' } });
    browser = await launchChromium({ width: 1280, height: 720 });
    page = await openTemplate(browser, stub.templateUrl({ width: 1280, height: 720, fps: 30 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the live picture, never black, while a renderer still loads the clip', async () => {
    const clip = clipRef('latelate-1.webm', 'late');
    clips.hold(clip.media);
    await recordDrawnFrames(page);
    const state = stub.command({ type: 'replay.play', clip, speed: SPEED });
    const startedAt = state.replay!.startedAt;
    await waitForRevision(page, state.revision, 10_000);
    // Well past the cue and the wipe with the clip still held back: the live picture must be on air.
    await waitForServerTimePast(page, startedAt + 1500, 15_000);
    clips.release(clip.media);
    await page.waitForFunction(
      (colour) => {
        const last = window.__drawn?.at(-1)?.rgb;
        const want = [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16));
        return last !== undefined && last.every((v, i) => Math.abs(v - (want[i] ?? 0)) <= 40);
      },
      { timeout: 20_000 },
      SEGMENT_COLOURS[0],
    );
    const frames = await drawnFrames(page);
    const firstClip = frames.findIndex(isClip);
    expect(firstClip, 'the clip reached the picture').toBeGreaterThan(0);
    const before = frames.slice(0, firstClip);
    expect(before.filter((f) => f.serverNow > startedAt + 1500).length).toBeGreaterThan(0);
    const notLive = before.filter((f) => !near(f, LIVE_COLOUR));
    expect(
      notLive.map((f) => describeFrame(f, startedAt)),
      'frames before the clip: the live picture',
    ).toEqual([]);
    expect(
      frames.filter(isBlack).map((f) => describeFrame(f, startedAt)),
      'black frames',
    ).toEqual([]);
    // Late, but on the same frame as every other renderer: the position server time says.
    const wrong = frames
      .slice(firstClip)
      .filter((f) => {
        const want = expectedColour(clip, startedAt, f.serverNow);
        return want !== null && !near(f, want);
      })
      .map((f) => describeFrame(f, startedAt));
    expect(wrong, 'clip frames at the wrong position').toEqual([]);
    stub.command({ type: 'replay.stop' });
  }, 60_000);

  it('preloads a cued clip: the replay is on screen from the wipe, and a page opened mid-replay resumes on its frame', async () => {
    const clip = clipRef('cuedcued-1.webm', 'cued');
    const loaded = clips.servedWhole(clip.media);
    const cued = stub.command({ type: 'replay.cue', clip });
    await waitForRevision(page, cued.revision, 10_000);
    await loaded;
    // A director plays a clip a moment after marking it: a second of output frames (waited on as frames
    // drawn, so a loaded machine gets the same number of frames to decode the parked clip in).
    await waitForFrames(page, 30, 20_000);
    await recordDrawnFrames(page);
    const state = stub.command({ type: 'replay.play', clip, speed: SPEED });
    const startedAt = state.replay!.startedAt;
    await waitForServerTimePast(page, startedAt + 1500, 15_000);
    const frames = await drawnFrames(page);
    expect(
      frames.filter(isBlack).map((f) => describeFrame(f, startedAt)),
      'black frames',
    ).toEqual([]);
    // The wipe reveals the check region (2–12 % from the left) within its first frames.
    const rolling = frames.filter((f) => f.serverNow >= startedAt + 100 && f.serverNow <= startedAt + 1500);
    expect(rolling.length).toBeGreaterThan(10);
    const notClip = rolling.filter((f) => !near(f, SEGMENT_COLOURS[0])).map((f) => describeFrame(f, startedAt));
    expect(notClip, 'frames after the wipe started: the clip’s first colour').toEqual([]);

    // A renderer opened 4 s into the replay (a reload, a monitor, an Egress page that started late).
    await waitForServerTimePast(page, startedAt + 4000, 15_000);
    const late = await openTemplate(browser, stub.templateUrl({ width: 1280, height: 720, fps: 30 }));
    try {
      await recordDrawnFrames(late);
      await waitForServerTimePast(late, state.replay!.endsAt - 500, 30_000);
      const seen = await drawnFrames(late);
      const during = seen.filter((f) => f.serverNow < state.replay!.endsAt);
      expect(
        during.filter(isBlack).map((f) => describeFrame(f, startedAt)),
        'black frames (late page)',
      ).toEqual([]);
      const shown = during.filter(isClip);
      expect(shown.length, 'clip frames in the late page').toBeGreaterThan(30);
      const wrong = shown
        .filter((f) => {
          const want = expectedColour(clip, startedAt, f.serverNow);
          return want !== null && !near(f, want);
        })
        .map((f) => describeFrame(f, startedAt));
      expect(wrong, 'late page frames at the wrong position').toEqual([]);
      expect(during.filter((f) => !isClip(f) && !near(f, LIVE_COLOUR)).length, 'neither clip nor live').toBe(0);
    } finally {
      await late.close();
    }
  }, 90_000);
});
