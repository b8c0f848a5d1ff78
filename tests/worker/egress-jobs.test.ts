// Program output jobs end to end with the Egress backend against the LiveKit Twirp stub: real Redis,
// real BullMQ workers (one in a child process for the kill -9 test), request bodies checked field by field.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import {
  WebhookEvent,
  EgressStatus,
  StreamProtocol,
  type RoomCompositeEgressRequest,
  type StopEgressRequest,
  type UpdateStreamRequest,
} from '@livekit/protocol';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { JobClient, JobRequestError, type OutputTarget } from '../../outputs/job-client.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { EgressBackend } from '../../worker/egress-backend.ts';
import { forwardEgressWebhook } from '../../outputs/egress-updates.ts';
import {
  PROGRAM_OUTPUT_QUEUE,
  createRedisKeys,
  programOutputJobId,
  HLS_FILE_PATTERN,
  HLS_PLAYLIST,
  HLS_SEGMENT_SECONDS,
  eventRoom,
  hlsDestinationPath,
  hlsPlaylistUrlPath,
  type Destination,
  type RedisKeys,
} from '../../protocol/index.ts';
import { StatusListener, until } from './helpers.ts';
import { testLogger } from '../helpers/logger.ts';

const YT_KEY = 'yt-secret-key-1111';
const TW_KEY = 'live_twitch_secret_2222';
const CUSTOM_KEY = 'custom-secret-3333';
const SRT_STREAM_ID = 'srt-stream-id-4444';
const SRT_PASSPHRASE = 'srt pass+phrase&5555';
const youtube: Destination = { id: 'youtube', kind: 'youtube', streamKey: YT_KEY };
const twitch: Destination = { id: 'twitch', kind: 'twitch', streamKey: TW_KEY };
const custom: Destination = {
  id: 'club',
  kind: 'rtmp',
  serverUrl: 'rtmp://media.example.org/live',
  streamKey: CUSTOM_KEY,
  label: 'Club',
};
const target: OutputTarget = {
  templateUrl: 'http://pitchside.local:8080/template/?event=final&key=tmplkey123',
  video: { width: 1920, height: 1080, fps: 30 },
};
const START = 'livekit.Egress/StartRoomCompositeEgress';
/** Short BullMQ lock and stalled check so that recovery after kill -9 takes seconds, not a minute. */
const TEST_LOCK_MS = 1500;

let stub: LiveKitTwirpStub;
let keys: RedisKeys;
let client: JobClient;
let workers: OutputWorker[];
let children: ChildProcess[];
let redis: ReturnType<typeof testRedis>;
let status: StatusListener;
const eventId = 'final';

const HLS_DIR = '/var/lib/pitchside/hls';

function egressBackend(): EgressBackend {
  return new EgressBackend({
    url: stub.url,
    apiKey: stub.apiKey,
    apiSecret: stub.apiSecret,
    filepath: 'recordings/final.mp4',
    hlsDir: HLS_DIR,
  });
}

async function startWorker(): Promise<OutputWorker> {
  const worker = new OutputWorker({
    log: testLogger('output'),
    redisUrl: testRedisUrl(),
    keys,
    backends: { egress: egressBackend() },
    lockDurationMs: TEST_LOCK_MS,
    stalledIntervalMs: TEST_LOCK_MS,
  });
  await worker.start();
  workers.push(worker);
  return worker;
}

function secretsIn(text: string): string[] {
  return [YT_KEY, TW_KEY, CUSTOM_KEY, 'tmplkey123'].filter((k) => text.includes(k));
}

beforeEach(async () => {
  stub = new LiveKitTwirpStub();
  await stub.start();
  keys = createRedisKeys(freshPrefix('egress'));
  client = new JobClient({ redis: testRedisUrl(), backend: 'egress', keys });
  await client.start();
  workers = [];
  children = [];
  redis = testRedis();
  status = new StatusListener(testRedis(), keys);
  await status.start(eventId);
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.close()));
  const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await client.close();
  status.close();
  redis.disconnect();
  await stub.close();
});

describe('program output jobs with the Egress backend', () => {
  it('goes live with a RoomComposite egress whose request carries the template, preset and RTMP URLs', async () => {
    await startWorker();
    const summary = await client.startStream(eventId, target, { destinations: [youtube, twitch] });
    expect(summary).toEqual({
      eventId,
      record: false,
      destinations: ['youtube', 'twitch'],
      stop: false,
      revision: 1,
      jobId: 'program-output-final',
    });
    await status.waitFor((m) => m.type === 'job.output' && m.state === 'running');

    const [start] = stub.callsOf<RoomCompositeEgressRequest>(START);
    expect(start?.roomName).toBe(eventRoom(eventId));
    expect(start?.layout).toBe('pitchside');
    const base = new URL(start?.customBaseUrl ?? '');
    expect(base.pathname).toBe('/template/');
    expect(Object.fromEntries(base.searchParams)).toEqual({
      event: 'final',
      key: 'tmplkey123',
      width: '1920',
      height: '1080',
      fps: '30',
    });
    expect(start?.options.case).toBe('preset');
    expect(start?.options.value).toBe(2); // EncodingOptionsPreset.H264_1080P_30
    const streams = start?.streamOutputs.length
      ? start.streamOutputs
      : start?.output.case === 'stream'
        ? [start.output.value]
        : [];
    expect(streams).toHaveLength(1);
    expect(streams[0]?.protocol).toBe(1); // StreamProtocol.RTMP
    expect(streams[0]?.urls).toEqual([
      `rtmp://a.rtmp.youtube.com/live2/${YT_KEY}`,
      `rtmp://live.twitch.tv/app/${TW_KEY}`,
    ]);
    expect(start?.fileOutputs ?? []).toHaveLength(0);

    const running = await status.waitFor(
      (m) => m.type === 'job.output' && m.state === 'running' && m.outputs.length === 2,
    );
    expect(running.type === 'job.output' && running.outputs.map((o) => o.target)).toEqual([
      'rtmp://a.rtmp.youtube.com/live2/****',
      'rtmp://live.twitch.tv/app/****',
    ]);
    expect(secretsIn(status.raw.join('\n'))).toEqual([]);
  });

  it('an hls destination writes live segments where the controller serves them, beside the RTMP egress', async () => {
    await startWorker();
    const hls: Destination = { id: 'site', kind: 'hls', dvrWindowSeconds: 120 };
    await client.startStream(eventId, target, { destinations: [youtube, hls] });
    const running = await status.waitFor(
      (m) => m.type === 'job.output' && m.state === 'running' && m.outputs.length === 2,
    );
    const starts = stub.callsOf<RoomCompositeEgressRequest>(START);
    expect(starts).toHaveLength(2);
    const segmentsOf = (r: RoomCompositeEgressRequest) =>
      r.segmentOutputs[0] ?? (r.output.case === 'segments' ? r.output.value : undefined);
    const hlsStart = starts.find((r) => segmentsOf(r) !== undefined)!;
    const rtmpStart = starts.find((r) => segmentsOf(r) === undefined)!;
    // The segments egress renders the same template; it carries no stream and no file.
    expect(hlsStart.customBaseUrl).toBe(rtmpStart.customBaseUrl);
    expect(hlsStart.roomName).toBe(eventRoom(eventId));
    expect(hlsStart.streamOutputs).toHaveLength(0);
    expect(hlsStart.fileOutputs).toHaveLength(0);
    const dir = `${HLS_DIR}/${hlsDestinationPath(eventId, 'site')}`;
    expect(segmentsOf(hlsStart)).toMatchObject({
      protocol: 1, // SegmentedFileProtocol.HLS_PROTOCOL
      filenamePrefix: `${dir}/seg`,
      playlistName: `${dir}/full.m3u8`,
      livePlaylistName: `${dir}/${HLS_PLAYLIST}`,
      segmentDuration: HLS_SEGMENT_SECONDS,
    });
    // The playlist's file name is one the controller serves (its route's pattern).
    expect(HLS_PLAYLIST).toMatch(HLS_FILE_PATTERN);
    expect(running.type === 'job.output' && running.outputs.find((o) => o.id === 'site')).toMatchObject({
      kind: 'hls',
      target: hlsPlaylistUrlPath(eventId, 'site'),
    });

    // Removing it stops only its egress; stopping ends the rest.
    await client.updateDestinations(eventId, { remove: ['site'] });
    await until(() => stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress').length === 1, 10_000, 'hls stop');
    const hlsEgressId = [...stub.egresses.keys()][starts.indexOf(hlsStart)];
    expect(stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress')[0]?.egressId).toBe(hlsEgressId);
    expect(stub.callsOf<UpdateStreamRequest>('livekit.Egress/UpdateStream')).toHaveLength(0);
    await client.stop(eventId);
    await until(() => stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress').length === 2, 10_000, 'stop');
    expect(stub.callsOf<RoomCompositeEgressRequest>(START)).toHaveLength(2);
  });

  it('an srt destination streams from an egress of its own; a new passphrase restarts it; no secret in any status', async () => {
    await startWorker();
    const srt: Destination = {
      id: 'venue',
      kind: 'srt',
      serverUrl: 'srt://media.example.org:9000',
      streamKey: SRT_STREAM_ID,
      passphrase: SRT_PASSPHRASE,
    };
    await client.startStream(eventId, target, { destinations: [youtube, srt] });
    const running = await status.waitFor(
      (m) => m.type === 'job.output' && m.state === 'running' && m.outputs.length === 2,
    );
    const streamsOf = (r: RoomCompositeEgressRequest | undefined) =>
      r?.streamOutputs.length ? r.streamOutputs : r?.output.case === 'stream' ? [r.output.value] : [];
    const starts = stub.callsOf<RoomCompositeEgressRequest>(START);
    expect(starts).toHaveLength(2);
    // Egress takes one stream protocol per egress: RTMP destinations share one, an SRT one has its own.
    expect(starts.map((r) => streamsOf(r).map((o) => [o.protocol, o.urls.length])).sort()).toEqual([
      [[1, 1]], // StreamProtocol.RTMP
      [[2, 1]], // StreamProtocol.SRT
    ]);
    const srtStart = starts.find((r) => streamsOf(r)[0]?.protocol === StreamProtocol.SRT);
    const srtUrl = new URL(streamsOf(srtStart)[0]?.urls[0] ?? '');
    expect(`${srtUrl.protocol}//${srtUrl.host}`).toBe('srt://media.example.org:9000');
    expect(Object.fromEntries(srtUrl.searchParams)).toEqual({
      mode: 'caller',
      streamid: SRT_STREAM_ID,
      passphrase: SRT_PASSPHRASE,
    });
    expect(running.type === 'job.output' && running.outputs.find((o) => o.id === 'venue')).toMatchObject({
      kind: 'srt',
      target: 'srt://media.example.org:9000?mode=caller&streamid=****&passphrase=****',
    });

    // A new passphrase: that egress is replaced, the RTMP egress is left alone.
    await client.updateDestinations(eventId, { add: [{ ...srt, passphrase: 'another passphrase' }] });
    await until(() => stub.callsOf(START).length === 3, 10_000, 'srt egress restart');
    const stopped = stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress').map((s) => s.egressId);
    expect(stopped).toEqual([[...stub.egresses.keys()][starts.indexOf(srtStart!)]]);
    expect(stub.callsOf<UpdateStreamRequest>('livekit.Egress/UpdateStream')).toHaveLength(0);

    await client.stop(eventId);
    await status.waitFor((m) => m.type === 'job.output' && m.state === 'completed');
    const raw = status.raw.join('\n');
    expect(secretsIn(raw)).toEqual([]);
    for (const secret of [SRT_STREAM_ID, SRT_PASSPHRASE, encodeURIComponent(SRT_PASSPHRASE), 'another passphrase'])
      expect(raw).not.toContain(secret);
  });

  it('a plan naming a kind no module knows fails the job at once and starts no egress', async () => {
    await expect(
      client.startStream(eventId, target, {
        destinations: [{ id: 'x', kind: 'ftp', serverUrl: 'rtmp://media.example.org/live', streamKey: 'k' } as never],
      }),
    ).rejects.toMatchObject({ code: 'INVALID', field: '/destinations/0/kind' });

    // Written by something that skipped the schema (an older or newer controller): still not RTMP.
    const plan = {
      eventId,
      templateUrl: target.templateUrl,
      video: target.video,
      record: false,
      destinations: [{ id: 'x', kind: 'ftp', serverUrl: 'rtmp://media.example.org/live', streamKey: 'k' }],
      stop: false,
      revision: 1,
    };
    await redis.set(keys.output(eventId).plan, JSON.stringify(plan));
    await startWorker();
    const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
    const job = await queue.add(
      'program-output',
      { eventId, backend: 'egress' },
      { jobId: programOutputJobId(eventId), attempts: 5 },
    );
    await until(async () => (await job.getState()) === 'failed', 10_000, 'failed job');
    const failed = await queue.getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/\/destinations\/0/);
    expect(stub.callsOf(START)).toHaveLength(0);
    await queue.close();
  });

  it('a double click starts one egress; destinations change live with UpdateStream; stop ends every egress', async () => {
    await startWorker();
    await Promise.all([
      client.startStream(eventId, target, { destinations: [youtube, twitch] }),
      client.startStream(eventId, target, { destinations: [youtube, twitch] }),
    ]);
    await until(() => stub.callsOf(START).length === 1, 10_000, 'egress start');

    await client.updateDestinations(eventId, { add: [custom], remove: ['twitch'] });
    await until(() => stub.callsOf('livekit.Egress/UpdateStream').length === 1, 10_000, 'UpdateStream');
    const [update] = stub.callsOf<UpdateStreamRequest>('livekit.Egress/UpdateStream');
    const egressId = [...stub.egresses.keys()][0];
    expect(update?.egressId).toBe(egressId);
    expect(update?.addOutputUrls).toEqual([`rtmp://media.example.org/live/${CUSTOM_KEY}`]);
    expect(update?.removeOutputUrls).toEqual([`rtmp://live.twitch.tv/app/${TW_KEY}`]);

    // Recording asked for while streaming: a file-only egress next to the stream egress.
    await client.startRecording(eventId, target);
    await until(() => stub.callsOf(START).length === 2, 10_000, 'recording egress');
    const file = stub.callsOf<RoomCompositeEgressRequest>(START)[1];
    const fileOutputs = file?.fileOutputs.length
      ? file.fileOutputs
      : file?.output.case === 'file'
        ? [file.output.value]
        : [];
    expect(fileOutputs.map((f) => [f.fileType, f.filepath])).toEqual([[1, 'recordings/final.mp4']]); // MP4
    expect(file?.streamOutputs ?? []).toHaveLength(0);
    expect(stub.callsOf(START)).toHaveLength(2);

    await client.stop(eventId);
    const done = await status.waitFor((m) => m.type === 'job.output' && m.state === 'completed');
    const stopped = stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress').map((s) => s.egressId);
    expect(stopped.sort()).toEqual([...stub.egresses.keys()].sort());
    expect(done.type === 'job.output' && done.outputs.every((o) => o.state === 'stopped')).toBe(true);
    expect(await client.plan(eventId)).toBeNull();
    expect(secretsIn(status.raw.join('\n'))).toEqual([]);
  });

  it('rejects bad requests naming the field, and bad job data fails at once without retries', async () => {
    await expect(
      client.startStream(eventId, target, { destinations: [{ ...youtube, streamKey: 'has space' }] }),
    ).rejects.toMatchObject({
      code: 'INVALID',
      field: '/destinations/0/streamKey',
    });
    await expect(client.updateDestinations(eventId, { remove: ['youtube'] })).rejects.toBeInstanceOf(JobRequestError);

    await startWorker();
    const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
    const job = await queue.add('program-output', { eventId: 'Bad Id!', backend: 'egress' }, { attempts: 5 });
    await until(async () => (await job.getState()) === 'failed', 10_000, 'failed job');
    const failed = await queue.getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/bad job data: \/eventId/);
    await queue.close();
  });

  it('an egress that fails (webhook) is retried with a new egress', async () => {
    await startWorker();
    await client.startStream(eventId, target, { destinations: [youtube] });
    await until(() => stub.callsOf(START).length === 1, 10_000, 'egress start');
    const info = [...stub.egresses.values()][0];
    if (info === undefined) throw new Error('no egress');
    info.status = EgressStatus.EGRESS_FAILED;
    info.error = `rtmp://a.rtmp.youtube.com/live2/${YT_KEY}: connection refused`;
    expect(
      await forwardEgressWebhook(redis, keys, new WebhookEvent({ event: 'egress_updated', egressInfo: info })),
    ).toBe(true);
    const retrying = await status.waitFor((m) => m.state === 'retrying');
    expect(retrying.message).toContain('failed');
    expect(secretsIn(retrying.message)).toEqual([]);
    await until(() => stub.callsOf(START).length === 2, 15_000, 'egress restart after backoff');
  });

  // Issue 11, item 12: the listener parsed every message on the shared channel unguarded, so one
  // malformed publish threw inside the Redis client and took the worker process down.
  it('a malformed message on the egress update channel is ignored; later updates still arrive', async () => {
    await startWorker();
    await client.startStream(eventId, target, { destinations: [youtube] });
    await status.waitFor((m) => m.state === 'running');
    for (const junk of ['not json', '{"egressId":42}', 'null']) await redis.publish(keys.egressUpdatesChannel(), junk);
    const info = [...stub.egresses.values()][0];
    if (info === undefined) throw new Error('no egress');
    info.status = EgressStatus.EGRESS_FAILED;
    await forwardEgressWebhook(redis, keys, new WebhookEvent({ event: 'egress_updated', egressInfo: info }));
    await status.waitFor((m) => m.state === 'retrying');
  });

  it('after an output failed for good, the next start runs a new job', async () => {
    await startWorker();
    const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
    await queue.add('program-output', { eventId, backend: 'builtin' }, { jobId: `program-output-${eventId}` }); // no builtin here: fails at once
    await status.waitFor((m) => m.state === 'failed');
    await client.startStream(eventId, target, { destinations: [youtube] });
    await until(() => stub.callsOf(START).length === 1, 10_000, 'egress start after a failed job');
    await queue.close();
  });

  it('a worker killed with -9 mid-job leaves the job to another worker, which adopts the running egress', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/worker/fixtures/egress-worker-child.ts'], {
      env: {
        ...process.env,
        REDIS_URL: testRedisUrl(),
        KEY_PREFIX: keys.prefix,
        LIVEKIT_URL: stub.url,
        LIVEKIT_API_KEY: stub.apiKey,
        LIVEKIT_API_SECRET: stub.apiSecret,
        LOCK_MS: String(TEST_LOCK_MS),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await once(child.stdout as NodeJS.ReadableStream, 'data');
    await client.startStream(eventId, target, { destinations: [youtube] });
    await status.waitFor((m) => m.state === 'running');
    child.kill('SIGKILL');
    await once(child, 'exit');

    await startWorker();
    // The stalled job comes back to this worker, which finds the egress still running and adopts it.
    await client.updateDestinations(eventId, { add: [twitch] });
    await until(() => stub.callsOf('livekit.Egress/UpdateStream').length === 1, 20_000, 'job picked up after kill -9');
    expect(stub.callsOf(START)).toHaveLength(1);
    await client.stop(eventId);
    await status.waitFor((m) => m.state === 'completed');
    expect(stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress').map((s) => s.egressId)).toEqual([
      ...stub.egresses.keys(),
    ]);
  });

  it('an egress left running without a session record (worker died right after starting it) is stopped, not doubled', async () => {
    const orphan = await egressBackend().client.startRoomCompositeEgress(eventRoom(eventId), {}, { layout: 'x' });
    await startWorker();
    await client.startStream(eventId, target, { destinations: [youtube] });
    await status.waitFor((m) => m.state === 'running');
    expect(stub.callsOf<StopEgressRequest>('livekit.Egress/StopEgress').map((s) => s.egressId)).toEqual([
      orphan.egressId,
    ]);
    expect(stub.callsOf(START)).toHaveLength(2);
  });

  it('close() hands a running output back to the queue for the next worker', async () => {
    const first = await startWorker();
    await client.startStream(eventId, target, { destinations: [youtube] });
    await status.waitFor((m) => m.state === 'running');
    await first.close();
    workers = workers.filter((w) => w !== first);
    await status.waitFor((m) => m.state === 'queued');
    await startWorker();
    await client.updateDestinations(eventId, { add: [twitch] });
    await until(() => stub.callsOf('livekit.Egress/UpdateStream').length === 1, 15_000, 'adoption by the next worker');
    expect(stub.callsOf(START)).toHaveLength(1);
  });
});
