// Sponsor rotation on a real recording (issue 24 §3's test): three solid-colour sponsors weighted 2:1:1,
// 5 s each, rotate over two minutes of built-in recording with a replay midway. Every sampled frame is
// classified by the colour of the sponsor bug: the shares are within ±10 % of 50/25/25, no sponsor shows
// while the replay is on screen, and the exposure report's seconds agree with the recording. Heavy: the
// recorder's Chromium and ffmpeg for over two minutes (a solo file).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import {
  REPLAY_TRANSITION,
  type Command,
  type ProgramState,
  type ReplayClipRef,
  type Sponsor,
} from '../../protocol/index.ts';
import { solidPng } from '../helpers/solid-png.ts';
import { storeClip } from '../replay/stored-clip.ts';
import { colourDistance, hexToRgb, regionColour } from '../worker/media-checks.ts';
import { RecorderStack } from './recorder-stack.ts';
import { until } from './web-stack.ts';

const W = 1280;
const H = 720;
/** Rotation airtime: six whole cycles of A B A C at 5 s each. */
const ROTATION_MS = 120_000;
const SPONSOR_MS = 5000;
/** The replay rolls this far into the rotation, for REPLAY_CLIP_MS at real speed. */
const REPLAY_AT_MS = 55_000;
const REPLAY_CLIP_MS = 8000;
const SPONSORS = [
  { id: 'alpha', weight: 2, colour: '#ffff00' },
  { id: 'bravo', weight: 1, colour: '#00ffff' },
  { id: 'charlie', weight: 1, colour: '#0000ff' },
] as const;
const REPLAY_COLOUR = '#ff00ff';
/** Frames read per second of recording. */
const SAMPLE_FPS = 5;
/**
 * The middle of the sponsor bug at 720p (template/scene/sponsor-view.ts: a 240×96 box inside an 8 px panel,
 * 72 px from the right and 54 from the top at 1080p), shrunk to stay clear of its scaled edges.
 */
const BUG = { x: 1107, y: 57, w: 80, h: 32 };
/** H.264 4:2:0 at the recorder's bitrate, averaged over the region. */
const COLOUR_TOLERANCE = 60;
/** The bound: each share within ±10 % of its expected value (50/25/25). */
const SHARE_TOLERANCE = 0.1;
/** The report against the recording, per sponsor. */
const SECONDS_TOLERANCE = 3;
/** Frames this close to the replay's start or end are not judged (the recording's clock against the server's). */
const EDGE_S = 0.5;
const LIVE_TIMEOUT_MS = 90_000;

const stack = new RecorderStack('sponsors');
const keys = stack.keys;

async function command(body: Command): Promise<ProgramState> {
  const answer = await stack.api('POST', `/api/events/${DEMO_EVENT_ID}/commands`, stack.adminKey, body);
  const text = await answer.text();
  expect(answer.status, text).toBe(200);
  return (JSON.parse(text) as { state: ProgramState }).state;
}

async function outputs(): Promise<{ statuses: Array<{ recordingStartedAt?: number | null }>; plan: unknown }> {
  return (await (await stack.api('GET', `/api/events/${DEMO_EVENT_ID}/outputs`, keys['director']!)).json()) as never;
}

async function sleepUntil(t: number): Promise<void> {
  const wait = t - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** The sponsor bug's mean colour in every sampled frame, decoded in one ffmpeg run. */
function bugColours(file: string): Array<[number, number, number]> {
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', file, '-an'],
      ...['-vf', `fps=${SAMPLE_FPS},crop=${BUG.w}:${BUG.h}:${BUG.x}:${BUG.y},scale=1:1:flags=area`],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const colours: Array<[number, number, number]> = [];
  for (let i = 0; i + 2 < raw.length; i += 3) colours.push([raw[i]!, raw[i + 1]!, raw[i + 2]!]);
  return colours;
}

function classify(rgb: [number, number, number]): string | null {
  return SPONSORS.find((s) => colourDistance(rgb, hexToRgb(s.colour)) <= COLOUR_TOLERANCE)?.id ?? null;
}

beforeAll(async () => {
  await stack.start();
}, 120_000);

afterAll(async () => {
  await stack.close();
});

describe('sponsor rotation on a recording', () => {
  it('shows 2:1:1 sponsors at 50/25/25, never during a replay, and the report agrees with the recording', async () => {
    await command({ type: 'program.take', source: 'camera-1', transition: { type: 'cut' } });
    const sponsors: Sponsor[] = [];
    for (const s of SPONSORS) {
      const upload = await fetch(`${stack.origin}/api/events/${DEMO_EVENT_ID}/sponsors/image`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'image/png' },
        body: new Uint8Array(solidPng(hexToRgb(s.colour), 240, 96)),
      });
      const text = await upload.text();
      expect(upload.status, text).toBe(200);
      const { image } = JSON.parse(text) as { image: string };
      sponsors.push({
        id: s.id,
        name: s.id,
        kind: 'image',
        image,
        durationMs: SPONSOR_MS,
        weight: s.weight,
        windows: ['play', 'break'],
      });
    }
    await command({ type: 'sponsors.set', sponsors });

    // A replay clip of one colour, stored as the replay API stores a marked one.
    const media = 'sponsrpl-1.webm';
    const clipsDir = join(stack.dataDir, 'iso', DEMO_EVENT_ID, 'clips');
    mkdirSync(clipsDir, { recursive: true });
    execFileSync('ffmpeg', [
      ...[
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `color=c=${REPLAY_COLOUR}:s=320x180:r=30:d=${REPLAY_CLIP_MS / 1000 + 1}`,
      ],
      ...['-c:v', 'libvpx', '-b:v', '200k', '-g', '10', '-deadline', 'realtime', '-cpu-used', '8'],
      join(clipsDir, media),
    ]);

    const record = await stack.api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/record`, keys['director']!, {
      video: { width: W, height: H, fps: 30 },
    });
    expect(record.status, await record.clone().text()).toBe(200);
    const recordingStartedAt = await until(
      'the recording live',
      async () =>
        (await outputs()).statuses.find((s) => typeof s.recordingStartedAt === 'number')?.recordingStartedAt ?? null,
      LIVE_TIMEOUT_MS,
    );
    // A second of recording before the rotation (nothing shows yet), then the rotation.
    await sleepUntil(recordingStartedAt + 1000);
    const on = await command({ type: 'sponsors.rotation', on: true });
    const rotationAt = on.updatedAt;

    await sleepUntil(rotationAt + REPLAY_AT_MS);
    const now = Date.now();
    const clip: ReplayClipRef = {
      id: 'sponsrpl',
      source: 'camera-2',
      fromMs: now - REPLAY_CLIP_MS - 1000,
      toMs: now - 1000,
      mediaOffsetMs: 500,
      media,
    };
    await storeClip(stack.app, DEMO_EVENT_ID, clip);
    const replay = (await command({ type: 'replay.play', clip, speed: 1 })).replay!;
    // Blocked from the wipe in to the end of the wipe out: the rotation runs that much longer, for whole cycles.
    const blockedFrom = replay.startedAt;
    const blockedTo = replay.endsAt + REPLAY_TRANSITION.durationMs;
    await sleepUntil(rotationAt + ROTATION_MS + (blockedTo - blockedFrom));
    await command({ type: 'sponsors.rotation', on: false });
    const reportAnswer = await stack.api('GET', `/api/events/${DEMO_EVENT_ID}/sponsors/report`, stack.adminKey);
    expect(reportAnswer.status).toBe(200);
    const report = (await reportAnswer.json()) as { sponsors: Array<{ id: string; seconds: number }> };
    await new Promise((r) => setTimeout(r, 1500));

    const stop = await stack.api('POST', `/api/events/${DEMO_EVENT_ID}/outputs/stop`, keys['director']!, {});
    expect(stop.status).toBe(200);
    const eventDir = join(stack.dataDir, 'recordings', DEMO_EVENT_ID);
    const file = await until(
      'the recording finished',
      async () => {
        if ((await outputs()).plan !== null) return null;
        const mp4 = readdirSync(eventDir).find((f) => f.endsWith('.mp4') && !f.endsWith('.frag.mp4'));
        return mp4 === undefined ? null : join(eventDir, mp4);
      },
      60_000,
    );

    // The replay really was on screen where the state says (the recording's clock is the server's).
    const replayMid = (blockedFrom + blockedTo) / 2 - recordingStartedAt;
    const onScreen = regionColour(file, replayMid / 1000, W, H);
    expect(colourDistance(onScreen, hexToRgb(REPLAY_COLOUR)), `replay at ${replayMid} ms`).toBeLessThanOrEqual(
      COLOUR_TOLERANCE,
    );

    const samples = bugColours(file).map((rgb, i) => ({ t: i / SAMPLE_FPS, sponsor: classify(rgb), rgb }));
    const inReplay = samples.filter(
      (s) =>
        s.t * 1000 + recordingStartedAt > blockedFrom + EDGE_S * 1000 &&
        s.t * 1000 + recordingStartedAt < blockedTo - EDGE_S * 1000,
    );
    expect(inReplay.length).toBeGreaterThan(30);
    const shownInReplay = inReplay.filter((s) => s.sponsor !== null);
    expect(shownInReplay.map((s) => `${s.t.toFixed(1)} s ${s.sponsor}`)).toEqual([]);

    const seconds = Object.fromEntries(
      SPONSORS.map((s) => [s.id, samples.filter((x) => x.sponsor === s.id).length / SAMPLE_FPS]),
    );
    const total = Object.values(seconds).reduce((a, b) => a + b, 0);
    const weights = SPONSORS.reduce((a, s) => a + s.weight, 0);
    const reported = Object.fromEntries(report.sponsors.map((s) => [s.id, s.seconds]));
    console.info(
      `sponsor shares on the recording (${total.toFixed(1)} s of sponsor, ${samples.length} samples): ` +
        SPONSORS.map(
          (s) =>
            `${s.id} ${((100 * (seconds[s.id] ?? 0)) / total).toFixed(1)} % (${seconds[s.id]} s, report ${reported[s.id]} s)`,
        ).join(', '),
    );
    for (const s of SPONSORS) {
      const share = (seconds[s.id] ?? 0) / total;
      const expected = s.weight / weights;
      expect(Math.abs(share - expected) / expected, `${s.id}: ${(share * 100).toFixed(1)} %`).toBeLessThanOrEqual(
        SHARE_TOLERANCE,
      );
      expect(Math.abs((reported[s.id] ?? 0) - (seconds[s.id] ?? 0)), `${s.id} report`).toBeLessThanOrEqual(
        SECONDS_TOLERANCE,
      );
    }
    // The rotation's airtime was six whole cycles (to the time the off command took): 60/30/30 s.
    for (const [id, expected] of [
      ['alpha', 60],
      ['bravo', 30],
      ['charlie', 30],
    ] as const)
      expect(Math.abs((reported[id] ?? 0) - expected), `${id}: ${reported[id]} s`).toBeLessThan(1);
  }, 420_000);
});
