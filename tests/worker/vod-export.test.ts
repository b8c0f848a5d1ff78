// VOD export through the export queue: a real MP4 made by ffmpeg (testsrc + sine), the switch log in a
// Redis stream read with the controller's SwitchLog, and the results checked with ffprobe.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import {
  createInitialState,
  EXPORT_QUEUE,
  testSources,
  type ChapterMarker,
  type Command,
  type ExportOptions,
  type ExportStatusMessage,
  type SeatIso,
  type SwitchLogEntry,
} from '../../protocol/index.ts';
import { createRedisKeys, type RedisKeys } from '../../protocol/redis-keys.ts';
import { SwitchLog } from '../../outputs/switch-log.ts';
import { GameLog } from '../../outputs/game-log.ts';
import { ProgramService } from '../../controller/services/program-service.ts';
import { JobClient } from '../../outputs/job-client.ts';
import { ExportWorker } from '../../worker/export/export-worker.ts';
import { probe } from '../../runtime/ffmpeg.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { StatusListener } from './helpers.ts';
import { decodeTrack, toneDb, trackTags } from '../helpers/audio-checks.ts';
import { testLogger } from '../helpers/logger.ts';

const FPS = 30;
const LENGTH_S = 12;
const STARTED_AT = Date.UTC(2026, 5, 14, 15, 0, 0); // 15:00:00 UTC: source timecodes start at 15:00:00:00
/** Takes at known offsets into the recording (ms), as the controller would log them. */
const TAKES: { atMs: number; source: string; from: string; type: 'cut' | 'mix' | 'wipe'; durationMs: number }[] = [
  { atMs: -5000, source: 'camera-1', from: 'camera-4', type: 'cut', durationMs: 0 },
  { atMs: 3000, source: 'camera-2', from: 'camera-1', type: 'mix', durationMs: 500 },
  { atMs: 6000, source: 'camera-3', from: 'camera-2', type: 'cut', durationMs: 0 },
  { atMs: 9000, source: 'camera-1', from: 'camera-3', type: 'wipe', durationMs: 1000 },
];

let dir: string;
let recording: string;
let redis: ReturnType<typeof testRedis>;
let client: JobClient;
let worker: ExportWorker;
let keys: RedisKeys;
const eventId = 'cup-final';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitchside-export-'));
  recording = join(dir, 'recording.mp4');
  makeRecording(recording, `sine=frequency=440:sample_rate=48000:duration=${LENGTH_S}`);
  redis = testRedis();
  keys = createRedisKeys(freshPrefix('export'));
  for (const [i, t] of TAKES.entries()) {
    const entry: Omit<SwitchLogEntry, 'id'> = {
      time: STARTED_AT + t.atMs,
      revision: i + 1,
      source: t.source,
      from: t.from,
      transition: { type: t.type, durationMs: t.durationMs, from: 'left', colour: '#000000' },
      who: 'director:k1',
    };
    await redis.xadd(
      keys.switchLog(eventId),
      String(STARTED_AT + t.atMs + 10_000_000) + '-0',
      'entry',
      JSON.stringify(entry),
    );
  }
  const log = new SwitchLog(redis, keys);
  client = new JobClient({ redis: testRedisUrl(), keys });
  await client.start();
  worker = new ExportWorker({
    redisUrl: testRedisUrl(),
    keys,
    readLog: (id, range) => log.query(id, range),
    readGame: (id) => new GameLog(redis, keys).read(id),
    log: testLogger('export'),
  });
  await worker.start();
});

afterAll(async () => {
  await worker?.close();
  const queue = new Queue(EXPORT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await client?.close();
  redis?.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

async function runExport(
  outDir: string,
  options: ExportOptions,
  event = eventId,
  markers?: ChapterMarker[],
  file = recording,
  seatIso?: SeatIso[],
): Promise<{ done: ExportStatusMessage; progress: number[] }> {
  const listener = new StatusListener(testRedis(), keys);
  await listener.start(event);
  try {
    const { jobId } = await client.export({
      eventId: event,
      recording: file,
      recordingStartedAt: STARTED_AT,
      outDir,
      options,
      ...(markers === undefined ? {} : { markers }),
      ...(seatIso === undefined ? {} : { seatIso }),
    });
    const done = (await listener.waitFor(
      (m) => m.type === 'job.export' && m.jobId === jobId && (m.state === 'completed' || m.state === 'failed'),
      60_000,
    )) as ExportStatusMessage;
    const progress = listener.messages
      .filter((m): m is ExportStatusMessage => m.type === 'job.export' && m.jobId === jobId)
      .map((m) => m.progress);
    return { done, progress };
  } finally {
    listener.close();
  }
}

function edlEvents(edl: string): { n: string; reel: string; kind: string; recIn: string; recOut: string }[] {
  return edl
    .split('\r\n')
    .filter((l) => /^\d{3} /.test(l))
    .map((l) => {
      const f = l.split(/\s+/);
      const tcs = f.slice(-4);
      return {
        n: f[0] ?? '',
        reel: f[1] ?? '',
        kind: f.slice(3, -4).join(' '),
        recIn: tcs[2] ?? '',
        recOut: tcs[3] ?? '',
      };
    });
}

describe('VOD export', () => {
  it('writes a faststart MP4 with a chapter per take, a poster, a thumbnail strip and an EDL matching the log', async () => {
    const outDir = join(dir, 'full');
    const { done, progress } = await runExport(outDir, {});
    expect(done.state, done.message).toBe('completed');
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThanOrEqual(3);

    const out = await probe(join(outDir, 'program.mp4'));
    expect(out.video?.codec).toBe('h264');
    expect(out.audio?.codec).toBe('aac');
    expect(out.durationMs).toBeGreaterThan(LENGTH_S * 1000 - 100);
    expect(out.chapters.map((c) => [Math.round(c.startMs), c.title])).toEqual([
      [0, '1. camera-1'],
      [3000, '2. camera-2'],
      [6000, '3. camera-3'],
      [9000, '4. camera-1'],
    ]);
    const bytes = readFileSync(join(outDir, 'program.mp4'));
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat')); // faststart

    expect(statSync(join(outDir, 'poster.jpg')).size).toBeGreaterThan(1000);
    const strip = await probe(join(outDir, 'thumbnails.jpg'));
    expect([strip.video?.width, strip.video?.height]).toEqual([320 * 10, 180]);

    const edl = readFileSync(join(outDir, 'takes.edl'), 'utf8');
    expect(edl.startsWith('TITLE: cup-final\r\nFCM: NON-DROP FRAME')).toBe(true);
    const events = edlEvents(edl);
    // Incoming lines (the last line of each event number) carry the take's record in/out.
    const incoming = [...new Map(events.map((e) => [e.n, e])).values()];
    expect(incoming.map((e) => [e.n, e.reel, e.kind, e.recIn, e.recOut])).toEqual([
      ['001', 'CAMERA1', 'C', '00:00:00:00', '00:00:03:00'],
      ['002', 'CAMERA2', 'D 015', '00:00:03:00', '00:00:06:00'],
      ['003', 'CAMERA3', 'C', '00:00:06:00', '00:00:09:00'],
      ['004', 'CAMERA1', 'W001 030', '00:00:09:00', '00:00:12:00'],
    ]);
    // Source timecode is the time of day of the picture: take 2 was made at 15:00:03 UTC.
    expect(edl).toMatch(/^002 +CAMERA2 +V +D +015 15:00:03:00 15:00:06:00 /m);
    expect(done.result?.chapters).toHaveLength(4);
  });

  it('uses named chapter markers (CreateRecordChapter) as the chapters when the recording spans them', async () => {
    const outDir = join(dir, 'markers');
    const markers = [
      { time: STARTED_AT - 5000, name: 'Warm-up' }, // before the recording: not a chapter
      { time: STARTED_AT + 2000, name: 'Kick-off' },
      { time: STARTED_AT + 7500, name: 'Goal = 1-0' },
    ];
    const { done } = await runExport(outDir, {}, eventId, markers);
    expect(done.state, done.message).toBe('completed');
    const out = await probe(join(outDir, 'program.mp4'));
    expect(out.chapters.map((c) => [Math.round(c.startMs), c.title])).toEqual([
      [0, 'Start'],
      [2000, 'Kick-off'],
      [7500, 'Goal = 1-0'],
    ]);
  });

  it('puts chapters at periods and score changes, from the game log the controller writes with the state', async () => {
    const match = 'league-match';
    // The controller's own commit path (the Lua script writes the game log with the state), on a clock
    // set to when each change happened relative to the recording.
    let now = STARTED_AT - 60_000;
    const program = new ProgramService(redis, keys, { now: () => now });
    await program.initState(match, createInitialState({ now, sources: testSources(2) }));
    const at = async (offsetMs: number, command: Command) => {
      now = STARTED_AT + offsetMs;
      const outcome = await program.apply(match, command, { role: 'director', keyId: 'k1' });
      expect(outcome.ok).toBe(true);
    };
    // Names only (the period is already the first): not in the game log.
    await at(-60_000, { type: 'scorebug.set', home: { short: 'ARS' }, away: { short: 'CHE' }, period: '1st' });
    await at(2000, { type: 'score.adjust', team: 'home', delta: 1 });
    await at(4000, { type: 'score.adjust', team: 'away', delta: 1 });
    await at(4500, { type: 'score.adjust', team: 'away', delta: -1 }); // a wrong +1 undone: no chapter
    await at(5000, { type: 'clock.start' }); // neither score nor period: not in the game log
    await at(6000, { type: 'scorebug.set', period: '2nd' });
    await at(9000, { type: 'score.adjust', team: 'away', delta: 1 });
    const logged = await new GameLog(redis, keys).read(match);
    expect(logged.map((e) => [e.time - STARTED_AT, e.home.score, e.away.score, e.period])).toEqual([
      [2000, 1, 0, '1st'],
      [4000, 1, 1, '1st'],
      [4500, 1, 0, '1st'],
      [6000, 1, 0, '2nd'],
      [9000, 1, 1, '2nd'],
    ]);

    const outDir = join(dir, 'game');
    const { done } = await runExport(outDir, {}, match, [{ time: STARTED_AT + 7500, name: 'Penalty review' }]);
    expect(done.state, done.message).toBe('completed');
    const out = await probe(join(outDir, 'program.mp4'));
    // Opening: the period on air when the recording began; the producer's marker sits among the moments.
    expect(out.chapters.map((c) => [Math.round(c.startMs), c.title])).toEqual([
      [0, '1st'],
      [2000, 'ARS 1–0 CHE'],
      [6000, '2nd'],
      [7500, 'Penalty review'],
      [9000, 'ARS 1–1 CHE'],
    ]);
    // Asked for takes, takes it is (this event's switch log is empty: no chapters at all).
    const takes = await runExport(join(dir, 'game-takes'), { chapters: 'take' }, match);
    expect(takes.done.result?.chapters).toEqual([]);
  });

  it('trims to in/out and moves the chapters with it', async () => {
    const outDir = join(dir, 'trim');
    const { done } = await runExport(outDir, { inMs: 2000, outMs: 8000 });
    expect(done.state, done.message).toBe('completed');
    const out = await probe(join(outDir, 'program.mp4'));
    expect(Math.abs(out.durationMs - 6000)).toBeLessThanOrEqual(1000 / FPS + 25);
    expect(out.chapters.map((c) => [Math.round(c.startMs), c.title])).toEqual([
      [0, '1. camera-1'],
      [1000, '2. camera-2'],
      [4000, '3. camera-3'],
    ]);
  });

  // Issue 11, item 12: the export read one page (1000 entries) of the switch log, so a long show's
  // later takes (and what was on air when the recording began) were missing from chapters and EDL.
  it('reads every take of a long show, however many pages the switch log has', async () => {
    const longShow = 'long-show';
    const before = 2500;
    const pipeline = redis.pipeline();
    // Many takes before the recording, in bursts sharing a millisecond (pages meet inside one), then two in it.
    const times = [
      ...Array.from({ length: before }, (_, i) => STARTED_AT - 3_600_000 + Math.floor(i / 3) * 1000),
      STARTED_AT + 4000,
      STARTED_AT + 8000,
    ];
    for (const [i, time] of times.entries()) {
      const entry: Omit<SwitchLogEntry, 'id'> = {
        time,
        revision: i + 1,
        source: `camera-${(i % 4) + 1}`,
        from: `camera-${((i + 3) % 4) + 1}`,
        transition: { type: 'cut', durationMs: 0, from: 'left', colour: '#000000' },
        who: 'director:k1',
      };
      pipeline.xadd(keys.switchLog(longShow), `${time}-${i % 3}`, 'entry', JSON.stringify(entry));
    }
    await pipeline.exec();
    const { done } = await runExport(join(dir, 'long'), {}, longShow);
    expect(done.state, done.message).toBe('completed');
    // On air at the start: the last take before it (#2500, camera-4); then #2501 and #2502.
    expect(done.result?.chapters.map((c) => [c.startMs, c.title])).toEqual([
      [0, '1. camera-4'],
      [4000, '2. camera-1'],
      [8000, '3. camera-2'],
    ]);
  });

  it('fails at once, with the field, when out is not after in', async () => {
    const { done } = await runExport(join(dir, 'bad'), { inMs: 5000, outMs: 4000 });
    expect(done.state).toBe('failed');
    expect(done.message).toMatch(/outMs/);
  });
});

describe('VOD export sound tracks', () => {
  const VOICE_HZ = 2000;
  const SEAT = 'seat-abc123';

  it('writes the program, the international sound and a seat’s ISO placed by server time, titled', async () => {
    // As the built-in recorder writes one: the program (440 Hz and the voice) and the international sound (440 Hz).
    const mixes = join(dir, 'two-mixes.mp4');
    makeRecording(mixes, `sine=frequency=440:sample_rate=48000:duration=${LENGTH_S}`, VOICE_HZ);
    // The seat's ISO: 2 s Opus segments of the voice at 2–4 s (overlapping the next, as pages record), 4–6 s
    // and 8–10 s into the recording: nothing at 6–8 s.
    const segments = [
      [2000, 4100],
      [4000, 6000],
      [8000, 10_000],
    ].map(([from = 0, to = 0], i) => {
      const file = join(dir, `seat-${i}.webm`);
      const tone = `sine=frequency=${VOICE_HZ}:sample_rate=48000:duration=${(to - from) / 1000}`;
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', tone, '-c:a', 'libopus', file]);
      return { file, startMs: STARTED_AT + from, endMs: STARTED_AT + to };
    });
    const tracks = [{ source: 'program' }, { source: 'international' }, { source: SEAT, language: 'eng' }] as const;
    const { done } = await runExport(
      join(dir, 'tracks'),
      { inMs: 1000, tracks: [...tracks] },
      eventId,
      undefined,
      mixes,
      [{ seat: SEAT, title: 'Commentary: Lead', segments }],
    );
    expect(done.state, done.message).toBe('completed');
    const file = done.result?.video ?? '';
    expect(trackTags(file)).toEqual([
      { title: 'Program', language: 'und' },
      { title: 'International', language: 'zxx' },
      { title: 'Commentary: Lead', language: 'eng' },
    ]);
    // Export time = recording time − 1 s. Each track over 0.5 s stretches well inside its segments and gaps.
    const level = (track: number, fromS: number, hz: number) => toneDb(decodeTrack(file, track, fromS, 0.5), hz);
    expect(level(0, 5, 440)).toBeGreaterThan(-30);
    expect(level(0, 5, VOICE_HZ)).toBeGreaterThan(-30);
    expect(level(1, 5, 440)).toBeGreaterThan(-30);
    expect(level(1, 5, VOICE_HZ)).toBeLessThan(-60);
    const seat = [0.2, 1.5, 3.5, 5.5, 7.5, 9.5].map((at) => Math.round(level(2, at, VOICE_HZ)));
    const voiced = seat.map((db) => db > -30);
    expect(voiced, JSON.stringify(seat)).toEqual([false, true, true, false, true, false]);
  });

  it('fails at once, naming the recording, when it has no international sound', async () => {
    const { done } = await runExport(join(dir, 'no-international'), {
      tracks: [{ source: 'program' }, { source: 'international' }],
    });
    expect(done.state).toBe('failed');
    expect(done.message).toMatch(/international/);
    // Named, so the person asking knows which file lacks it and what to turn on next time.
    expect(done.message).toContain(recording);
    expect(done.message).toMatch(/Record international sound/);
  });
});

/**
 * A test recording as the recorder writes one: H.264 test pattern and AAC stereo sound from `audio` (lavfi);
 * with `voiceHz`, two tracks: the program (`audio` and a tone at voiceHz), then `audio` alone (international).
 */
function makeRecording(file: string, audio: string, voiceHz?: number): void {
  const picture = `testsrc=size=320x180:rate=${FPS}:duration=${LENGTH_S}`;
  const codecs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(FPS), '-c:a', 'aac', '-ac', '2'];
  const voice = `sine=frequency=${voiceHz}:sample_rate=48000:duration=${LENGTH_S}`;
  const tracks =
    voiceHz === undefined
      ? []
      : [
          ...['-f', 'lavfi', '-i', voice],
          ...['-filter_complex', '[1:a]asplit[a][i];[a][2:a]amix=inputs=2:normalize=0[p]'],
          ...['-map', '0:v', '-map', '[p]', '-map', '[i]'],
        ];
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    picture,
    '-f',
    'lavfi',
    '-i',
    audio,
    ...tracks,
    ...codecs,
    '-shortest',
    file,
  ]);
}

/** ebur128's reading of a file, independent of the export's own measurement. */
function ebur128(file: string): { integrated: number; truePeak: number } {
  const args = ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'];
  const { stderr } = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const value = (pattern: RegExp): number => Number(pattern.exec(summary)?.[1]);
  return { integrated: value(/I:\s+(-?[\d.]+) LUFS/), truePeak: value(/Peak:\s+(-?[\d.]+) dBFS/) };
}

describe('VOD export loudness', () => {
  let quiet: string;
  beforeAll(() => {
    // A stereo tone at about −30 LUFS: a programme mixed far too quiet for a platform.
    quiet = join(dir, 'quiet.mp4');
    makeRecording(quiet, `aevalsrc=0.045*sin(2*PI*1000*t):s=48000:d=${LENGTH_S}`);
  });

  it('reports the loudness of an export as it is, when not asked to normalise', async () => {
    const { done } = await runExport(join(dir, 'quiet-as-is'), {}, 'quiet-as-is', undefined, quiet);
    expect(done.state, done.message).toBe('completed');
    const loudness = done.result?.loudness;
    expect(loudness?.normalised).toBeNull();
    const measured = ebur128(join(dir, 'quiet-as-is', 'program.mp4'));
    expect(Math.abs((loudness?.integratedLufs ?? 0) - -30)).toBeLessThanOrEqual(1);
    expect(Math.abs((loudness?.integratedLufs ?? 0) - measured.integrated)).toBeLessThanOrEqual(0.2);
  });

  it('normalises a quiet programme to the target in two passes: within 1 LU, true peak under −1 dBTP', async () => {
    const outDir = join(dir, 'quiet-normalised');
    const { done } = await runExport(
      outDir,
      { normaliseLoudness: true, targetLufs: -14 },
      'quiet-normalised',
      undefined,
      quiet,
    );
    expect(done.state, done.message).toBe('completed');
    const measured = ebur128(join(outDir, 'program.mp4'));
    expect(Math.abs(measured.integrated - -14)).toBeLessThanOrEqual(1);
    expect(measured.truePeak).toBeLessThanOrEqual(-1);
    // One gain for the whole file (the tone's peaks leave room), and the result says what ebur128 reads.
    expect(done.result?.loudness?.normalised).toEqual({ targetLufs: -14, mode: 'linear' });
    expect(Math.abs((done.result?.loudness?.integratedLufs ?? 0) - measured.integrated)).toBeLessThanOrEqual(0.2);
    expect(Math.abs((done.result?.loudness?.truePeakDbtp ?? 0) - measured.truePeak)).toBeLessThanOrEqual(0.2);
    // Only the sound was re-encoded: the picture is the recording's own stream.
    expect((await probe(join(outDir, 'program.mp4'))).video?.codec).toBe('h264');
  });
});
